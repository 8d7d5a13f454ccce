/* port_getn(3C) when the timeout runs out before *nget events came: -1 with
 * ETIME, and *nget is the number of events that were retrieved anyway
 * (they are in list, and gone from the port). A zero timeout with fewer
 * events than asked returns what there is with 0 (illumos port.c), while
 * port_get polls with ETIME. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	port_event_t list[8];
	CHECK(port_send(port, 1, NULL) == 0);
	CHECK(port_send(port, 2, NULL) == 0);
	struct timespec ms = {0, 1000000};
	uint_t n = 4;
	CHECK_ERR(port_getn(port, list, 8, &n, &ms), ETIME);
	CHECK(n == 2);
	CHECK(list[0].portev_events == 1 && list[1].portev_events == 2);
	n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 0);

	/* nothing at all: ETIME with 0 */
	n = 1;
	CHECK_ERR(port_getn(port, list, 8, &n, &ms), ETIME);
	CHECK(n == 0);

	/* polling */
	CHECK(port_send(port, 3, NULL) == 0);
	struct timespec zero = {0, 0};
	n = 5;
	CHECK(port_getn(port, list, 8, &n, &zero) == 0);
	CHECK(n == 1 && list[0].portev_events == 3);
	n = 5;
	CHECK(port_getn(port, list, 8, &n, &zero) == 0 && n == 0);
	CHECK(close(port) == 0);
	return 0;
}
