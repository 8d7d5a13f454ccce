/* port_alert(3C) PORT_ALERT_SET: the port enters alert mode. Every
 * port_get / port_getn returns the alert at once — source
 * PORT_SOURCE_ALERT, the alert's events and user value, one event —
 * without consuming it, and without touching the queued events. SET again
 * overwrites the values; events 0 ends alert mode, and the queued events
 * (including those sent during the alert) are retrievable again. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	CHECK(port_send(port, 1, NULL) == 0);
	CHECK(port_alert(port, PORT_ALERT_SET, 0x70, (void *)0x71) == 0);
	CHECK(port_send(port, 2, NULL) == 0); /* sent during alert: kept */
	port_event_t list[4];
	for (int i = 0; i < 3; i++) {
		CHECK(port_get(port, &list[0], NULL) == 0);
		CHECK(list[0].portev_source == PORT_SOURCE_ALERT);
		CHECK(list[0].portev_events == 0x70 && list[0].portev_user == (void *)0x71);
	}
	uint_t n = 3;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0);
	CHECK(n == 1 && list[0].portev_source == PORT_SOURCE_ALERT);

	CHECK(port_alert(port, PORT_ALERT_SET, 0x80, NULL) == 0);
	CHECK(port_get(port, &list[0], NULL) == 0 && list[0].portev_events == 0x80);
	CHECK(list[0].portev_user == NULL);

	CHECK(port_alert(port, PORT_ALERT_SET, 0, NULL) == 0);
	n = 2;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0 && n == 2);
	CHECK(list[0].portev_source == PORT_SOURCE_USER && list[0].portev_events == 1);
	CHECK(list[1].portev_events == 2);
	struct timespec zero = {0, 0};
	CHECK_ERR(port_get(port, &list[0], &zero), ETIME);
	CHECK(close(port) == 0);
	return 0;
}
