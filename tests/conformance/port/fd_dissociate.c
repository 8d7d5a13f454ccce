/* port_dissociate(3C) of a descriptor whose event is queued takes the event
 * back: nothing is retrieved afterwards, and the descriptor can be
 * associated again from scratch. A dissociated descriptor that becomes
 * ready queues nothing. */
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
	uintptr_t wr = (uintptr_t)p[1];
	CHECK(port_associate(port, PORT_SOURCE_FD, wr, POLLOUT, NULL) == 0);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 1); /* writable now */
	CHECK(port_dissociate(port, PORT_SOURCE_FD, wr) == 0);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 0);
	struct timespec zero = {0, 0};
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);

	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, NULL) == 0);
	CHECK(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)p[0]) == 0);
	CHECK(write(p[1], "z", 1) == 1);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 0);

	CHECK(port_associate(port, PORT_SOURCE_FD, wr, POLLOUT, (void *)5) == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_object == wr && pe.portev_events == POLLOUT);
	CHECK(pe.portev_user == (void *)5);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(port) == 0);
	return 0;
}
