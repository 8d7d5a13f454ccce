/* port_get(3C) timeouts: NULL waits until an event comes (here from
 * another thread, later in virtual time); {0, 0} polls and fails with ETIME
 * when nothing is queued; a relative timeout that runs out is ETIME after
 * at least that much time. The clock is simk's virtual one, so the checks
 * on elapsed time are exact lower bounds. */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int port;

static void *sender(void *arg)
{
	(void)arg;
	usleep(5000);
	CHECK(port_send(port, 11, (void *)11) == 0);
	return NULL;
}

static long long now_ns(void)
{
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	port_event_t pe;

	struct timespec zero = {0, 0};
	long long t0 = now_ns();
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);

	struct timespec ms2 = {0, 2000000};
	t0 = now_ns();
	CHECK_ERR(port_get(port, &pe, &ms2), ETIME);
	CHECK(now_ns() - t0 >= 2000000);

	struct timespec s1 = {1, 0};
	t0 = now_ns();
	CHECK_ERR(port_get(port, &pe, &s1), ETIME);
	CHECK(now_ns() - t0 >= 1000000000LL);

	pthread_t t;
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	t0 = now_ns();
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(now_ns() - t0 >= 5000000);
	CHECK(pe.portev_events == 11 && pe.portev_user == (void *)11);
	CHECK(pthread_join(t, NULL) == 0);

	/* a timeout longer than the wait: the event comes first */
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	struct timespec s10 = {10, 0};
	CHECK(port_get(port, &pe, &s10) == 0 && pe.portev_events == 11);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(close(port) == 0);
	return 0;
}
