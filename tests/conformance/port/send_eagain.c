/* port_send(3C) ERRORS: EAGAIN when the port holds the maximum number of
 * events (illumos's process.max-port-events resource control; simk's
 * events_max, 65536 by default). Retrieving one event makes room for one
 * more send; user events never wait for room. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	int sent = 0;
	for (;;) {
		if (port_send(port, 1, NULL) != 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		sent++;
		CHECK(sent <= 1 << 20);
	}
	CHECK(sent == 65536);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == (uint_t)sent);
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(port_send(port, 2, NULL) == 0);
	CHECK_ERR(port_send(port, 3, NULL), EAGAIN);
	/* port_sendn reports the full port per entry */
	int ports[1] = {port};
	int errs[1] = {0};
	CHECK(port_sendn(ports, errs, 1, 4, NULL) == 0);
	CHECK(errs[0] == EAGAIN);
	CHECK(close(port) == 0); /* the queued events go with the port */
	return 0;
}
