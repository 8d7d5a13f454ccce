/*
 * Twin of scenarios/port/waiter-order.scn: two threads wait on one port,
 * `big` for 2 events and `small` for 1. When the first event arrives both
 * are waiting (the sender sleeps 1 ms first), and the one that wants fewer
 * must get it. The next two events, sent back to back while small may
 * still be taking its event, must both go to big in one call: small takes
 * only its one (max 1), and whoever finishes retrieving wakes the next
 * waiter once enough events remain. Invariant: small got 1, big got 2 + 4.
 *
 * Outcomes (printed; `forbid=NAME` makes reaching NAME fail the run):
 *   small_first  small returned from port_getn before big;
 *   big_first    big returned first (small was preempted after taking
 *                its event).
 */
#include <port.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int port;
static int small_u, big_u;
static atomic_int finished;
static int small_rank, big_rank;

static void *big(void *arg)
{
	port_event_t list[2];
	uint_t n = 2;
	CHECK(port_getn(port, list, 2, &n, NULL) == 0 && n == 2);
	big_rank = atomic_fetch_add(&finished, 1);
	big_u = (int)((intptr_t)list[0].portev_user + (intptr_t)list[1].portev_user);
	return arg;
}

static void *small(void *arg)
{
	port_event_t pe;
	uint_t n = 1;
	CHECK(port_getn(port, &pe, 1, &n, NULL) == 0 && n == 1);
	small_rank = atomic_fetch_add(&finished, 1);
	small_u = (int)(intptr_t)pe.portev_user;
	return arg;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	CHECK(port >= 0);
	pthread_t b, s;
	CHECK(pthread_create(&b, NULL, big, NULL) == 0);
	CHECK(pthread_create(&s, NULL, small, NULL) == 0);
	usleep(1000);
	CHECK(port_send(port, 1, (void *)1) == 0);
	CHECK(port_send(port, 2, (void *)2) == 0);
	CHECK(port_send(port, 4, (void *)4) == 0);
	CHECK(pthread_join(b, NULL) == 0 && pthread_join(s, NULL) == 0);
	CHECK(small_u == 1);
	CHECK(big_u == 6);
	CHECK(close(port) == 0);

	const char *o = small_rank < big_rank ? "small_first" : "big_first";
	printf("%s\n", o);
	if (!strcmp(forbid, o)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
