/*
 * Twin of scenarios/port/fd-reassoc-vs-ready.scn: PORT_SOURCE_FD is
 * one-shot. A pipe's read end is associated for POLLIN (user 100); a
 * writer makes it readable while another thread re-associates it three
 * times (users 101..103) and a getter retrieves. Re-associating takes back
 * an event still queued and re-arms: if the pipe is readable then, the
 * event fires at once. Invariant, whatever the interleaving: at most one
 * event of the association is queued at any time, every event retrieved
 * carries POLLIN, the read end and one of the user values given, the last
 * association always ends with an event (the data stays in the pipe), and
 * nothing is delivered twice (at most 4 events).
 *
 * Outcomes (printed; `forbid=NAME` makes reaching NAME fail the run):
 *   once     the getter retrieved exactly one event;
 *   several  it retrieved more than one (an event fired, was taken, and a
 *            re-association fired again).
 */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int port, rd, wr;
static atomic_int reassoc_done;
static int got;

static void *writer(void *arg)
{
	usleep(5);
	CHECK(write(wr, "x", 1) == 1);
	return arg;
}

static void *reassoc(void *arg)
{
	for (int i = 1; i <= 3; i++) {
		CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)rd, POLLIN,
				     (void *)(intptr_t)(100 + i)) == 0);
		port_event_t pe;
		uint_t q = 0;
		CHECK(port_getn(port, &pe, 0, &q, NULL) == 0);
		CHECK(q <= 1);
		usleep(2);
	}
	atomic_store(&reassoc_done, 1);
	return arg;
}

static void *getter(void *arg)
{
	for (;;) {
		port_event_t pe;
		struct timespec to = {0, 20000};
		if (port_get(port, &pe, &to) != 0) {
			CHECK(errno == ETIME);
			if (atomic_load(&reassoc_done))
				break;
			continue;
		}
		CHECK(pe.portev_source == PORT_SOURCE_FD);
		CHECK(pe.portev_object == (uintptr_t)rd);
		CHECK(pe.portev_events == POLLIN);
		intptr_t u = (intptr_t)pe.portev_user;
		CHECK(u >= 100 && u <= 103);
		got++;
	}
	/* the last association fired and its event was taken: nothing left */
	port_event_t pe;
	uint_t q = 0;
	CHECK(port_getn(port, &pe, 0, &q, NULL) == 0 && q == 0);
	return arg;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	int p[2];
	CHECK(port >= 0 && pipe(p) == 0);
	rd = p[0];
	wr = p[1];
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)rd, POLLIN, (void *)100) == 0);
	pthread_t t[3];
	CHECK(pthread_create(&t[0], NULL, writer, NULL) == 0);
	CHECK(pthread_create(&t[1], NULL, reassoc, NULL) == 0);
	CHECK(pthread_create(&t[2], NULL, getter, NULL) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(got >= 1 && got <= 4);
	CHECK(close(port) == 0 && close(rd) == 0 && close(wr) == 0);

	int hit = (got == 1 && !strcmp(forbid, "once")) || (got > 1 && !strcmp(forbid, "several"));
	printf("got=%d\n", got);
	if (hit) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
