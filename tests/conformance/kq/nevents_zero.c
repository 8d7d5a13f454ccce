/*
 * kevent() with nevents 0 only applies the change list: it returns 0 at
 * once, even with a NULL timeout (wait forever) and events pending, and
 * the events stay queued for the next call (libkqueue's and FreeBSD's
 * common tests register this way). A change list larger than one kernel
 * batch (simk copies 32 at a time, as DragonFly kern_event.c) is applied
 * in order in one call.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

#define N 100

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	static struct kevent ch[N], ev[N];
	for (int i = 0; i < N; i++)
		EV_SET(&ch[i], i, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0,
		       (void *)(uintptr_t)(1000 + i));
	CHECK(kevent(kq, ch, N, NULL, 0, NULL) == 0);

	struct stat st;
	CHECK(fstat(kq, &st) == 0 && st.st_size == N);

	/* Changes later in the list see the ones before: add, then delete. */
	EV_SET(&ch[0], 500, EVFILT_USER, EV_ADD, 0, 0, NULL);
	EV_SET(&ch[1], 500, EVFILT_USER, EV_DELETE, 0, 0, NULL);
	EV_SET(&ch[2], 500, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, ch, 3, NULL, 0, NULL) == 0);

	/* Collected in pieces of 7: each event exactly once. */
	int seen[N + 1] = {0};
	int total = 0;
	for (;;) {
		struct timespec zero = {0, 0};
		int n = kevent(kq, NULL, 0, ev, 7, &zero);
		CHECK(n >= 0 && n <= 7);
		if (n == 0)
			break;
		for (int i = 0; i < n; i++) {
			CHECK(ev[i].filter == EVFILT_USER);
			if (ev[i].ident == 500) {
				seen[N]++;
			} else {
				CHECK(ev[i].ident < N);
				CHECK(ev[i].udata == (void *)(uintptr_t)(1000 + ev[i].ident));
				seen[ev[i].ident]++;
			}
			total++;
		}
	}
	CHECK(total == N + 1);
	for (int i = 0; i <= N; i++)
		CHECK(seen[i] == 1);
	CHECK(close(kq) == 0);
	printf("nevents_zero: ok\n");
	return 0;
}
