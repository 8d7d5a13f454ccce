/* Closing a port discards its queued events (user and fd events) and its
 * associations: a new port that reuses the descriptor number starts empty,
 * and the descriptors the old port watched can be associated with it
 * afresh. */
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
	for (int i = 0; i < 10; i++)
		CHECK(port_send(port, i, NULL) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1], POLLOUT, NULL) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, NULL) == 0);
	CHECK(close(port) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	int again = port_create();
	CHECK(again == port);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(again, &pe, 0, &n, NULL) == 0 && n == 0);
	CHECK_ERR(port_dissociate(again, PORT_SOURCE_FD, (uintptr_t)p[0]), ENOENT);
	CHECK(port_associate(again, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, NULL) == 0);
	CHECK(port_get(again, &pe, NULL) == 0 && pe.portev_object == (uintptr_t)p[0]);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(again) == 0);
	return 0;
}
