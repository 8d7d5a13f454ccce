/* Re-association (port_associate(3C) of an fd already associated) replaces
 * the events and the user value, and takes back an event of the old
 * association that is still queued: at most one event per association is
 * ever queued, and it carries the newest values. Associating for events
 * the file does not have (POLLOUT-only interest on a read end) queues
 * nothing. */
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
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, (void *)1) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN | POLLRDNORM,
			     (void *)2) == 0);
	port_event_t list[4];
	uint_t n = 1;
	struct timespec zero = {0, 0};
	CHECK(port_getn(port, list, 4, &n, &zero) == 0);
	CHECK(n == 1);
	CHECK(list[0].portev_user == (void *)2);
	CHECK(list[0].portev_events == (POLLIN | POLLRDNORM));

	/* interest the read end cannot satisfy: nothing queued; then back */
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLOUT, (void *)3) == 0);
	n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, (void *)4) == 0);
	CHECK(port_get(port, &list[0], &zero) == 0);
	CHECK(list[0].portev_user == (void *)4 && list[0].portev_events == POLLIN);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(port) == 0);
	return 0;
}
