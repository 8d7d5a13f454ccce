/*
 * Twin of scenarios/port/send-vs-getn2.scn: the main thread waits in
 * port_getn for 2 events while two senders post one user event each. The
 * first send must not release the waiter (it wants 2); the second must,
 * and the waiter gets both, once, in one call. Invariant: n == 2, the user
 * values add up to 3, nothing is left queued.
 *
 * Outcomes (printed; `forbid=NAME` as the argument makes reaching NAME
 * fail the run, so `simk explore` shows that some seed reaches it):
 *   first1  sender1's event was queued first;
 *   first2  sender2's event was queued first.
 */
#include <port.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int port;

static void *sender(void *arg)
{
	int i = (int)(intptr_t)arg;
	CHECK(port_send(port, 10 * i, (void *)(intptr_t)i) == 0);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	CHECK(port >= 0);
	pthread_t a, b;
	CHECK(pthread_create(&a, NULL, sender, (void *)1) == 0);
	CHECK(pthread_create(&b, NULL, sender, (void *)2) == 0);
	port_event_t list[4];
	uint_t n = 2;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0);
	CHECK(n == 2);
	CHECK(list[0].portev_source == PORT_SOURCE_USER && list[1].portev_source == PORT_SOURCE_USER);
	CHECK((intptr_t)list[0].portev_user + (intptr_t)list[1].portev_user == 3);
	CHECK(list[0].portev_events == 10 * (int)(intptr_t)list[0].portev_user);
	n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 0);
	CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	CHECK(close(port) == 0);

	const char *first = list[0].portev_user == (void *)1 ? "first1" : "first2";
	printf("%s\n", first);
	if (!strcmp(forbid, first)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
