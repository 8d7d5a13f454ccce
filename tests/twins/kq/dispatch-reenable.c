/*
 * Twin of scenarios/kq/dispatch-reenable.scn: an EV_DISPATCH | EV_CLEAR
 * user event re-enabled by its consumer (main) after each event while a
 * producer triggers it four times, each with its own bit (NOTE_FFOR). A
 * trigger that lands while the knote is disabled leaves it active, and
 * EV_ENABLE queues it at once. Invariant: every bit arrives (none lost)
 * and none arrives twice (none duplicated); nothing is left at the end.
 * (The bits of an EV_CLEAR user knote are reset by each retrieval, as in
 * DragonFly kern_event.c, the reference: docs/kq.md.)
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   merged    two or more triggers came as one event;
 *   separate  each trigger came as its own event.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq;

static void *producer(void *arg)
{
	(void)arg;
	for (unsigned bit = 1; bit <= 8; bit <<= 1) {
		struct kevent ch;
		EV_SET(&ch, 1, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFOR | bit, 0, NULL);
		CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
		sched_yield();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev;
	EV_SET(&ch, 1, EVFILT_USER, EV_ADD | EV_DISPATCH | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	pthread_t p;
	CHECK(pthread_create(&p, NULL, producer, NULL) == 0);

	unsigned total = 0;
	int events = 0;
	while (total < 15) {
		struct timespec ts = {0, 20000};
		int n = kevent(kq, NULL, 0, &ev, 1, &ts);
		CHECK(n == 0 || n == 1);
		if (n == 0)
			continue;
		CHECK(ev.ident == 1 && ev.fflags != 0);
		CHECK((ev.fflags & total) == 0); /* a bit twice: a duplicate */
		total |= ev.fflags;
		events++;
		EV_SET(&ch, 1, EVFILT_USER, EV_ENABLE, 0, 0, NULL);
		CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	}
	CHECK(total == 15 && events <= 4);
	CHECK(pthread_join(p, NULL) == 0);
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(close(kq) == 0);

	const char *outcome = events < 4 ? "merged" : "separate";
	printf("events=%d %s\n", events, outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
