/* port_getn(3C)'s nget: on entry the number of events to wait for, on
 * return the number retrieved (at most max). max 0 returns at once with
 * *nget set to the number of events queued, taking none; *nget greater
 * than max is EINVAL; *nget 0 returns at once with 0 and takes nothing;
 * with more events queued than *nget, up to max are taken, in order. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	port_event_t list[8];
	uint_t n = 5;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 0);
	for (int i = 0; i < 6; i++)
		CHECK(port_send(port, i, NULL) == 0);
	n = 99;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 6);
	n = 3;
	CHECK_ERR(port_getn(port, list, 2, &n, NULL), EINVAL);
	n = 0;
	CHECK(port_getn(port, list, 8, &n, NULL) == 0 && n == 0);
	n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 6);
	/* wants 1, may take up to 4: takes 4 */
	n = 1;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0 && n == 4);
	for (int i = 0; i < 4; i++)
		CHECK(list[i].portev_events == i);
	/* wants 2, 2 queued, room for 8 */
	n = 2;
	CHECK(port_getn(port, list, 8, &n, NULL) == 0 && n == 2);
	CHECK(list[0].portev_events == 4 && list[1].portev_events == 5);
	n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 0);
	CHECK(close(port) == 0);
	return 0;
}
