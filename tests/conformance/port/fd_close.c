/* close(2) of an associated descriptor dissociates it (illumos port.c's
 * close hook): an event it had queued is discarded, a later event cannot
 * come, and a new descriptor that reuses the number is not associated
 * (port_dissociate says ENOENT). Closing the pipe's other end while the
 * read end is associated reports POLLHUP even though only POLLIN was asked
 * (POLLHUP, POLLERR and POLLNVAL are always reported). */
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
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1], POLLOUT, NULL) == 0);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 1);
	int old = p[1];
	CHECK(close(p[1]) == 0);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 0);
	int q[2];
	CHECK(pipe(q) == 0);
	CHECK(q[0] == old || q[1] == old);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)old), ENOENT);

	/* hang-up on the read end of q */
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)q[0], POLLIN, NULL) == 0);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 0);
	CHECK(close(q[1]) == 0);
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_object == (uintptr_t)q[0]);
	CHECK(pe.portev_events & POLLHUP);
	CHECK(close(q[0]) == 0);
	CHECK(close(p[0]) == 0 && close(port) == 0);
	return 0;
}
