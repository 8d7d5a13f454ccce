/*
 * Twin of scenarios/port/alert-vs-waiters.scn: three threads sleep in
 * port_getn / port_get while a sender posts four user events (10 us apart)
 * and the main thread sets the port in alert mode. The twin puts the alert
 * at the very instant of the third send (20 us on an absolute clock; the
 * scenario's 15 us falls between sends, where nothing races in virtual
 * time), so the alert races a send that completes w3's two events. Every waiter
 * returns: with events, or with the alert (one PORT_SOURCE_ALERT event,
 * not consumed). Once the alert is cleared, what was sent and not yet
 * taken is still queued. Invariant: every user event is taken exactly once
 * over the whole run (4 events, user values adding up to 4), and at least
 * one waiter saw the alert.
 *
 * Outcomes (printed; `forbid=NAME` makes reaching NAME fail the run):
 *   w3_events   w3 (2 events wanted) got them before the alert;
 *   w3_alerted  w3 returned the alert.
 */
#include <port.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int port;
static atomic_int taken, usum, alerts, done, sent;
static atomic_int w3_alerted;
static struct timespec base;

/* sleeps until base + us microseconds (absolute: the instants line up) */
static void at(long us)
{
	struct timespec t = base;
	t.tv_nsec += us * 1000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == 0);
}

/* one waiter: getn with max/nget, or port_get when max is 0 */
static void *waiter(void *arg)
{
	int max = (int)(intptr_t)arg;
	port_event_t list[4];
	uint_t n = 1;
	if (max == 0) {
		CHECK(port_get(port, list, NULL) == 0);
	} else {
		n = max == 4 ? 3 : 2;
		CHECK(port_getn(port, list, (uint_t)max, &n, NULL) == 0);
	}
	if (list[0].portev_source == PORT_SOURCE_ALERT) {
		CHECK(n == 1);
		CHECK(list[0].portev_events == 77 && list[0].portev_user == (void *)99);
		atomic_fetch_add(&alerts, 1);
		if (max == 2)
			atomic_store(&w3_alerted, 1);
	} else {
		for (uint_t i = 0; i < n; i++) {
			CHECK(list[i].portev_source == PORT_SOURCE_USER);
			atomic_fetch_add(&usum, (int)(intptr_t)list[i].portev_user);
		}
		atomic_fetch_add(&taken, (int)n);
	}
	atomic_fetch_add(&done, 1);
	return NULL;
}

static void *sender(void *arg)
{
	for (int i = 0; i < 4; i++) {
		at(10 * i);
		CHECK(port_send(port, 1, (void *)1) == 0);
	}
	atomic_store(&sent, 1);
	return arg;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	CHECK(port >= 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &base) == 0);
	base.tv_nsec += 100000; /* time for every thread to start waiting */
	pthread_t w[3], s;
	CHECK(pthread_create(&w[0], NULL, waiter, (void *)4) == 0);
	CHECK(pthread_create(&w[1], NULL, waiter, (void *)0) == 0);
	CHECK(pthread_create(&w[2], NULL, waiter, (void *)2) == 0);
	CHECK(pthread_create(&s, NULL, sender, NULL) == 0);
	at(20);
	CHECK(port_alert(port, PORT_ALERT_SET, 77, (void *)99) == 0);
	while (atomic_load(&done) < 3 || !atomic_load(&sent))
		usleep(10);
	/* still alerted: returns at once, without consuming */
	port_event_t list[8];
	struct timespec zero = {0, 0};
	CHECK(port_get(port, list, &zero) == 0 && list[0].portev_source == PORT_SOURCE_ALERT);
	CHECK(port_alert(port, PORT_ALERT_UPDATE, 0, NULL) == 0);
	uint_t n = 1;
	CHECK(port_getn(port, list, 8, &n, &zero) == 0);
	for (uint_t i = 0; i < n; i++)
		atomic_fetch_add(&usum, (int)(intptr_t)list[i].portev_user);
	atomic_fetch_add(&taken, (int)n);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(w[i], NULL) == 0);
	CHECK(pthread_join(s, NULL) == 0);
	CHECK(close(port) == 0);
	CHECK(atomic_load(&taken) == 4);
	CHECK(atomic_load(&usum) == 4);
	CHECK(atomic_load(&alerts) >= 1);

	const char *o = atomic_load(&w3_alerted) ? "w3_alerted" : "w3_events";
	printf("alerts=%d %s\n", atomic_load(&alerts), o);
	if (!strcmp(forbid, o)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
