/*
 * Twin of scenarios/kq/two-scanners.scn: two threads in kevent() on one
 * kqueue while the main thread fires four EV_ONESHOT user events and keeps
 * re-triggering a level-triggered one (a scanner that meets that knote
 * while the other owns it waits, never skips it). Invariant: each one-shot
 * event is returned exactly once, to one of the scanners; the
 * level-triggered one at most once per call.
 *
 * Outcomes (printed; `forbid=NAME` as the argument makes reaching NAME
 * fail the run, so `simk explore` shows that some seed reaches it):
 *   split  both scanners got one-shot events;
 *   alone  one scanner got all four;
 *   batch  one call returned two or more one-shot events;
 *   both   the level-triggered event was returned to both scanners.
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
static atomic_int got;	       /* one-shot events returned, all scanners */
static atomic_int seen[5];     /* per one-shot ident 1..4 */
static atomic_int oneshots[2]; /* per scanner */
static atomic_int level[2];    /* level-triggered events per scanner */
static atomic_int batch;

static void *scanner(void *arg)
{
	int me = (int)(intptr_t)arg;
	while (atomic_load(&got) < 4) {
		struct kevent ev[3];
		struct timespec ts = {0, 100000};
		int n = kevent(kq, NULL, 0, ev, 3, &ts);
		CHECK(n >= 0);
		int lvl = 0, mine = 0;
		for (int j = 0; j < n; j++) {
			CHECK(ev[j].filter == EVFILT_USER);
			if (ev[j].ident == 9) {
				lvl++;
				continue;
			}
			CHECK(ev[j].ident >= 1 && ev[j].ident <= 4);
			atomic_fetch_add(&seen[ev[j].ident], 1);
			atomic_fetch_add(&got, 1);
			mine++;
		}
		CHECK(lvl <= 1);
		atomic_fetch_add(&level[me], lvl);
		atomic_fetch_add(&oneshots[me], mine);
		if (mine >= 2)
			atomic_store(&batch, 1);
		sched_yield();
	}
	return NULL;
}

static int trigger(uintptr_t id)
{
	struct kevent ch;
	EV_SET(&ch, id, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch[5];
	for (int i = 0; i < 4; i++)
		EV_SET(&ch[i], i + 1, EVFILT_USER, EV_ADD | EV_ONESHOT, 0, 0, NULL);
	EV_SET(&ch[4], 9, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, ch, 5, NULL, 0, NULL) == 0);

	pthread_t a, b;
	CHECK(pthread_create(&a, NULL, scanner, (void *)0) == 0);
	CHECK(pthread_create(&b, NULL, scanner, (void *)1) == 0);
	for (int i = 0; i < 4; i++) {
		sched_yield();
		CHECK(trigger((uintptr_t)i + 1) == 0);
		CHECK(trigger(9) == 0);
	}
	CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	for (int i = 1; i <= 4; i++)
		CHECK(atomic_load(&seen[i]) == 1);

	/* only the level-triggered knote is left */
	EV_SET(&ch[0], 9, EVFILT_USER, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);
	for (int i = 1; i <= 4; i++) {
		EV_SET(&ch[0], (uintptr_t)i, EVFILT_USER, EV_DELETE, 0, 0, NULL);
		CHECK_ERR(kevent(kq, ch, 1, NULL, 0, NULL), ENOENT);
	}
	CHECK(close(kq) == 0);

	int split = atomic_load(&oneshots[0]) > 0 && atomic_load(&oneshots[1]) > 0;
	int both = atomic_load(&level[0]) > 0 && atomic_load(&level[1]) > 0;
	printf("a=%d b=%d split=%d batch=%d both=%d\n", atomic_load(&oneshots[0]),
	       atomic_load(&oneshots[1]), split, atomic_load(&batch), both);
	if ((split && !strcmp(forbid, "split")) || (!split && !strcmp(forbid, "alone")) ||
	    (atomic_load(&batch) && !strcmp(forbid, "batch")) ||
	    (both && !strcmp(forbid, "both"))) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
