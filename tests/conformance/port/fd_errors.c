/* port_associate(3C) / port_dissociate(3C) ERRORS for PORT_SOURCE_FD:
 * EBADF for an object that is not an open descriptor (and for a closed
 * one); EINVAL for an unknown source (0, PORT_SOURCE_MQ: simk has no
 * message queues), for sources that cannot be associated (USER, ALERT,
 * TIMER, AIO), for event bits poll(2) does not have, and for the port
 * itself (a port cannot watch itself); ENOENT to dissociate a descriptor
 * that is not associated. */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	int p[2];
	CHECK(port >= 0 && pipe(p) == 0);
	uintptr_t rd = (uintptr_t)p[0];
	CHECK_ERR(port_associate(port, PORT_SOURCE_FD, 999, POLLIN, NULL), EBADF);
	CHECK_ERR(port_associate(port, PORT_SOURCE_FD, (uintptr_t)-1, POLLIN, NULL), EBADF);
	CHECK_ERR(port_associate(port, 0, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, 99, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_MQ, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_USER, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_ALERT, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_TIMER, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_AIO, rd, POLLIN, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_FD, rd, 0x4000, NULL), EINVAL);
	CHECK_ERR(port_associate(port, PORT_SOURCE_FD, (uintptr_t)port, POLLIN, NULL), EINVAL);

	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, rd), ENOENT);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, 999), EBADF);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_USER, rd), EINVAL);
	CHECK_ERR(port_dissociate(port, 0, rd), EINVAL);

	CHECK(port_associate(port, PORT_SOURCE_FD, rd, POLLIN, NULL) == 0);
	CHECK(port_dissociate(port, PORT_SOURCE_FD, rd) == 0);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, rd), ENOENT);
	/* the other end was never associated */
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)p[1]), ENOENT);
	CHECK(close(p[0]) == 0);
	CHECK_ERR(port_associate(port, PORT_SOURCE_FD, rd, POLLIN, NULL), EBADF);
	CHECK(close(p[1]) == 0 && close(port) == 0);
	return 0;
}
