/*
 * Twin of scenarios/kq/delete-vs-timer.scn (explored with --irq 0.5): the
 * main thread deletes a 1 us periodic timer while it expires (the expiry
 * cannot wait for the deleting thread, which owns the knote) and while
 * another thread scans for it, and deletes a 3 us one-shot timer that may
 * be gone already. Invariant: after the deletes return, nothing more is
 * reported, however long one waits.
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   fired    the scanner got periodic expirations before the delete;
 *   gone     the one-shot had fired and been read: its delete was ENOENT;
 *   kept     the one-shot was still there (fired or not) and was deleted.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq;
static atomic_int deleted;
static atomic_int fired;

static void *scanner(void *arg)
{
	(void)arg;
	while (!atomic_load(&deleted)) {
		struct kevent ev[2];
		struct timespec ts = {0, 1000};
		int n = kevent(kq, NULL, 0, ev, 2, &ts);
		CHECK(n >= 0);
		for (int j = 0; j < n; j++) {
			CHECK(ev[j].filter == EVFILT_TIMER && ev[j].data >= 1);
			if (ev[j].ident == 1)
				atomic_fetch_add(&fired, 1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch[2], ev[4];
	EV_SET(&ch[0], 1, EVFILT_TIMER, EV_ADD, NOTE_USECONDS, 1, NULL);
	EV_SET(&ch[1], 2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS, 3, NULL);
	CHECK(kevent(kq, ch, 2, NULL, 0, NULL) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, scanner, NULL) == 0);
	CHECK(usleep(2) == 0);

	EV_SET(&ch[0], 1, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch[0], 1, NULL, 0, NULL) == 0);
	int before = atomic_load(&fired);
	EV_SET(&ch[1], 2, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	int r = kevent(kq, &ch[1], 1, NULL, 0, NULL);
	int gone = r == -1;
	CHECK(r == 0 || errno == ENOENT);
	atomic_store(&deleted, 1);
	CHECK(pthread_join(t, NULL) == 0);
	/* the scanner may have read an expiration taken before the delete,
	 * never one after it */
	CHECK(usleep(10) == 0);
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, ev, 4, &zero) == 0);
	CHECK(close(kq) == 0);

	int f = atomic_load(&fired);
	printf("fired=%d before_delete=%d gone=%d\n", f > 0, before > 0, gone);
	if ((before > 0 && !strcmp(forbid, "fired")) || (!gone && !strcmp(forbid, "kept")) ||
	    (gone && !strcmp(forbid, "gone"))) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
