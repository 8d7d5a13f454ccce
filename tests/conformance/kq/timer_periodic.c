/*
 * EVFILT_TIMER, periodic (libkqueue's timer tests): data in the change is
 * the period in milliseconds; the event comes every period, and its data
 * is the number of expirations since the last retrieval (EV_CLEAR is
 * implied, DragonFly kern_event.c). A kevent() that waits for it returns
 * after one period of (virtual) time; one that comes late reads several.
 * Several timers at once each keep their own period.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_ms(void)
{
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch[2], ev[2];

	long long t0 = now_ms();
	EV_SET(&ch[0], 1, EVFILT_TIMER, EV_ADD, 0, 20, (void *)0x20);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);
	for (int i = 1; i <= 3; i++) {
		CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1);
		CHECK(ev[0].ident == 1 && ev[0].filter == EVFILT_TIMER);
		CHECK(ev[0].data == 1 && ev[0].udata == (void *)0x20);
		CHECK(now_ms() - t0 == 20 * i);
	}
	/* late: 105 ms without looking = 5 expirations */
	CHECK(usleep(105000) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1);
	CHECK(ev[0].data == 5);

	/* a second timer of 7 ms beside the first */
	EV_SET(&ch[1], 2, EVFILT_TIMER, EV_ADD, 0, 7, NULL);
	CHECK(kevent(kq, &ch[1], 1, NULL, 0, NULL) == 0);
	t0 = now_ms();
	CHECK(usleep(50000) == 0);
	struct timespec zero = {0, 0};
	int n = kevent(kq, NULL, 0, ev, 2, &zero);
	CHECK(n == 2);
	for (int i = 0; i < n; i++) {
		if (ev[i].ident == 2)
			CHECK(ev[i].data == 7);
		else
			CHECK(ev[i].ident == 1 && ev[i].data >= 2 && ev[i].data <= 3);
	}
	EV_SET(&ch[0], 1, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	EV_SET(&ch[1], 2, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, ch, 2, NULL, 0, NULL) == 0);
	CHECK(usleep(100000) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0);
	CHECK(close(kq) == 0);
	printf("timer_periodic: ok\n");
	return 0;
}
