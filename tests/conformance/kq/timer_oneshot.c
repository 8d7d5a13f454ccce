/*
 * EVFILT_TIMER with EV_ONESHOT (libkqueue's timer_oneshot test): fires
 * once after the period, data 1, and the knote is gone after it is read
 * (EV_DELETE: ENOENT). A one-shot timer of 0 fires at once (FreeBSD's
 * kqueue(2)); a periodic 0 is one unit (docs/kq.md). A kqueue that is
 * closed with a timer pending leaves nothing behind (the run's leak
 * check would fail).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_us(void)
{
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];
	struct timespec zero = {0, 0};

	long long t0 = now_us();
	EV_SET(&ch, 4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 30, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1);
	CHECK(ev[0].ident == 4 && ev[0].data == 1 && (ev[0].flags & EV_ONESHOT));
	long long waited = now_us() - t0;
	CHECK(waited >= 30000 && waited < 31000);
	CHECK(usleep(100000) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0);
	EV_SET(&ch, 4, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT);

	/* zero: at once */
	EV_SET(&ch, 5, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	t0 = now_us();
	CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1 && ev[0].ident == 5);
	CHECK(now_us() - t0 < 1000);

	/* periodic 0 = every millisecond */
	EV_SET(&ch, 6, EVFILT_TIMER, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(usleep(10500) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 1 && ev[0].ident == 6 && ev[0].data == 10);

	/* closed with timers armed */
	EV_SET(&ch, 7, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 1000, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(close(kq) == 0);
	CHECK(usleep(2000000) == 0);
	printf("timer_oneshot: ok\n");
	return 0;
}
