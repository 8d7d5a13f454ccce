/* Who is served first when several threads wait (illumos port.c keeps
 * waiters ordered by the number of events they want): a thread waiting for
 * 1 event gets the first event sent even though a thread waiting for 2
 * was there first; the next two events go to the thread that wants 2, in
 * one call. */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static int port;
static int small_sum, big_sum;

static void *big(void *arg)
{
	port_event_t list[2];
	uint_t n = 2;
	CHECK(port_getn(port, list, 2, &n, NULL) == 0 && n == 2);
	big_sum = list[0].portev_events + list[1].portev_events;
	return arg;
}

static void *small(void *arg)
{
	port_event_t pe;
	uint_t n = 1;
	CHECK(port_getn(port, &pe, 1, &n, NULL) == 0 && n == 1);
	small_sum = pe.portev_events;
	return arg;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	pthread_t b, s;
	CHECK(pthread_create(&b, NULL, big, NULL) == 0);
	usleep(100);
	CHECK(pthread_create(&s, NULL, small, NULL) == 0);
	usleep(100);
	CHECK(port_send(port, 1, NULL) == 0);
	CHECK(port_send(port, 2, NULL) == 0);
	CHECK(port_send(port, 4, NULL) == 0);
	CHECK(pthread_join(b, NULL) == 0 && pthread_join(s, NULL) == 0);
	CHECK(small_sum == 1);
	CHECK(big_sum == 6);
	CHECK(close(port) == 0);
	return 0;
}
