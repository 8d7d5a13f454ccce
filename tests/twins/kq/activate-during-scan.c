/*
 * Twin of scenarios/kq/activate-during-scan.scn: four level-triggered user
 * events are triggered, cleared (a change with EV_CLEAR) and triggered
 * again while a scanner thread is in the middle of kevent(). Invariant: one
 * call never returns the same knote twice (a re-activated knote goes
 * behind the caller's end marker), and at the end, when all four are
 * triggered, the last call returns each exactly once.
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   again  a knote returned by one call was returned by the next one too
 *          (re-triggered meanwhile, or still triggered);
 *   batch  one call returned three or more events.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq;
static atomic_int done;
static int again, batch;

static void *scanner(void *arg)
{
	(void)arg;
	int last = 0;
	unsigned prev = 0;
	while (!last) {
		last = atomic_load(&done);
		struct kevent ev[8];
		struct timespec ts = {0, 10000};
		int n = kevent(kq, NULL, 0, ev, 8, &ts);
		CHECK(n >= 0 && n <= 4);
		unsigned mask = 0;
		for (int j = 0; j < n; j++) {
			CHECK(ev[j].ident >= 1 && ev[j].ident <= 4);
			unsigned bit = 1u << ev[j].ident;
			CHECK(!(mask & bit)); /* never twice in one call */
			mask |= bit;
		}
		if (last)
			CHECK(n == 4);
		if (mask & prev)
			again = 1;
		if (n >= 3)
			batch = 1;
		prev = mask;
		sched_yield();
	}
	return NULL;
}

static int change(uintptr_t id, unsigned short flags, unsigned fflags)
{
	struct kevent ch;
	EV_SET(&ch, id, EVFILT_USER, flags, fflags, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	for (int i = 1; i <= 4; i++)
		CHECK(change((uintptr_t)i, EV_ADD, 0) == 0);
	CHECK(change(1, 0, NOTE_TRIGGER) == 0);
	CHECK(change(2, 0, NOTE_TRIGGER) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, scanner, NULL) == 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 1; i <= 4; i++) {
			CHECK(change((uintptr_t)i, 0, NOTE_TRIGGER) == 0);
			sched_yield();
			CHECK(change((uintptr_t)i, EV_CLEAR, 0) == 0); /* untrigger */
		}
	}
	for (int i = 1; i <= 4; i++)
		CHECK(change((uintptr_t)i, 0, NOTE_TRIGGER) == 0);
	atomic_store(&done, 1);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(close(kq) == 0);

	printf("again=%d batch=%d\n", again, batch);
	if ((again && !strcmp(forbid, "again")) || (batch && !strcmp(forbid, "batch"))) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
