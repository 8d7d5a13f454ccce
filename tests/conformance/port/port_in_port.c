/* A port is pollable: poll(2) reports POLLIN on a port with queued events
 * and nothing on an empty one, and a port can be associated with another
 * port (PORT_SOURCE_FD), which hears POLLIN when the inner port gets an
 * event — the way event loops nest ports. Retrieving from the outer port
 * does not consume the inner port's event. */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int outer = port_create();
	int inner = port_create();
	CHECK(outer >= 0 && inner >= 0);
	struct pollfd pfd = {.fd = inner, .events = POLLIN};
	CHECK(poll(&pfd, 1, 0) == 0);
	CHECK(port_associate(outer, PORT_SOURCE_FD, (uintptr_t)inner, POLLIN, (void *)1) == 0);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(outer, &pe, 0, &n, NULL) == 0 && n == 0);
	CHECK(port_send(inner, 5, NULL) == 0);
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN));
	CHECK(port_get(outer, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FD && pe.portev_object == (uintptr_t)inner);
	CHECK(pe.portev_events & POLLIN);
	CHECK(port_get(inner, &pe, NULL) == 0 && pe.portev_events == 5);
	CHECK(poll(&pfd, 1, 0) == 0);

	/* poll waits for the port in virtual time: 10 ms pass */
	CHECK(poll(&pfd, 1, 10) == 0);
	CHECK(close(inner) == 0 && close(outer) == 0);
	return 0;
}
