/*
 * Twin of scenarios/port/close-vs-waiters.scn: two threads wait on a port
 * (w1 in port_getn for 2 of up to 4, w2 in port_get), a sender posts user
 * events every 7 us and a periodic SIGEV_PORT timer fires every 20 us,
 * while the closer closes the port's only descriptor at 50 us. The waiters
 * return with events or with EBADFD (the close tells every waiter) or, if
 * their call came after the close, EBADF; the sender's later sends fail
 * with EBADF (or EBADFD while the close is in progress); the timer loses
 * its port and keeps running without notification until deleted.
 * Invariant: every event retrieved is the sender's (user 1) or the
 * timer's (user 5), no more user events are retrieved than were sent, and
 * every thread ends (simk's end-of-run check adds: every event sent is
 * delivered or discarded exactly once, every slot comes back).
 *
 * Outcomes (printed; `forbid=NAME` makes reaching NAME fail the run):
 *   ebadfd  a waiter was asleep in the port at the close (EBADFD);
 *   ebadf   a waiter's call came after the close (EBADF);
 *   timer   a timer event was retrieved before the close.
 */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int port;
static timer_t timer;
static atomic_int taken_user, timer_events, sends, n_ebadfd, n_ebadf;

static int account(port_event_t *list, uint_t n)
{
	for (uint_t i = 0; i < n; i++) {
		if (list[i].portev_source == PORT_SOURCE_TIMER) {
			CHECK(list[i].portev_user == (void *)5);
			CHECK(list[i].portev_object == (uintptr_t)timer);
			CHECK(list[i].portev_events >= 1);
			atomic_fetch_add(&timer_events, 1);
		} else {
			CHECK(list[i].portev_source == PORT_SOURCE_USER);
			CHECK(list[i].portev_user == (void *)1);
			atomic_fetch_add(&taken_user, 1);
		}
	}
	return (int)n;
}

static int ended(void)
{
	if (errno == EBADFD) {
		atomic_fetch_add(&n_ebadfd, 1);
		return 1;
	}
	CHECK(errno == EBADF);
	atomic_fetch_add(&n_ebadf, 1);
	return 1;
}

static void *w1(void *arg)
{
	for (;;) {
		port_event_t list[4];
		uint_t n = 2;
		if (port_getn(port, list, 4, &n, NULL) != 0 && ended())
			break;
		CHECK(n >= 2 && n <= 4);
		account(list, n);
	}
	return arg;
}

static void *w2(void *arg)
{
	for (;;) {
		port_event_t pe;
		if (port_get(port, &pe, NULL) != 0 && ended())
			break;
		account(&pe, 1);
	}
	return arg;
}

static void *sender(void *arg)
{
	for (;;) {
		if (port_send(port, 1, (void *)1) != 0) {
			CHECK(errno == EBADF || errno == EBADFD);
			break;
		}
		atomic_fetch_add(&sends, 1);
		usleep(7);
	}
	return arg;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	CHECK(port >= 0);
	port_notify_t pn = {.portnfy_port = port, .portnfy_user = (void *)5};
	struct sigevent sev = {.sigev_notify = SIGEV_PORT, .sigev_value.sival_ptr = &pn};
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0);
	struct itimerspec its = {.it_value = {0, 20000}, .it_interval = {0, 20000}};
	CHECK(timer_settime(timer, 0, &its, NULL) == 0);
	pthread_t t[3];
	CHECK(pthread_create(&t[0], NULL, w1, NULL) == 0);
	CHECK(pthread_create(&t[1], NULL, w2, NULL) == 0);
	CHECK(pthread_create(&t[2], NULL, sender, NULL) == 0);

	usleep(50);
	int timer_before = atomic_load(&timer_events);
	CHECK(close(port) == 0);
	/* the timer goes on, without a port */
	usleep(50);
	CHECK(timer_getoverrun(timer) >= 0);
	CHECK(timer_delete(timer) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(atomic_load(&sends) >= 1);
	CHECK(atomic_load(&taken_user) <= atomic_load(&sends));
	CHECK(atomic_load(&n_ebadfd) + atomic_load(&n_ebadf) == 2);

	printf("ebadfd=%d ebadf=%d timer=%d user=%d/%d\n", atomic_load(&n_ebadfd),
	       atomic_load(&n_ebadf), timer_before, atomic_load(&taken_user), atomic_load(&sends));
	int hit = (atomic_load(&n_ebadfd) > 0 && !strcmp(forbid, "ebadfd")) ||
		  (atomic_load(&n_ebadf) > 0 && !strcmp(forbid, "ebadf")) ||
		  (timer_before > 0 && !strcmp(forbid, "timer"));
	if (hit) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
