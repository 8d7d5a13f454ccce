/*
 * EVFILT_TIMER units (FreeBSD's kqueue(2); DragonFly's filter reads data
 * as milliseconds only, simk takes FreeBSD's NOTE_SECONDS, NOTE_MSECONDS,
 * NOTE_USECONDS, NOTE_NSECONDS, and milliseconds when none is given):
 * each one-shot timer fires after data units of virtual time. Two units
 * at once, or a negative period, is EINVAL.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_ns(void)
{
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* How long a one-shot timer of data units takes, in ns. */
static long long fire_after(int kq, unsigned fflags, intptr_t data)
{
	struct kevent ch, ev;
	EV_SET(&ch, 1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, fflags, data, NULL);
	long long t0 = now_ns();
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
	CHECK(ev.ident == 1 && ev.filter == EVFILT_TIMER && ev.data == 1);
	return now_ns() - t0;
}

static int near(long long got, long long want)
{
	return got >= want && got < want + 1000000; /* within the call's own cost */
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);

	CHECK(near(fire_after(kq, 0, 3), 3000000LL));
	CHECK(near(fire_after(kq, NOTE_MSECONDS, 3), 3000000LL));
	CHECK(near(fire_after(kq, NOTE_SECONDS, 2), 2000000000LL));
	CHECK(near(fire_after(kq, NOTE_USECONDS, 2500), 2500000LL));
	CHECK(near(fire_after(kq, NOTE_NSECONDS, 1500000), 1500000LL));

	struct kevent ch;
	EV_SET(&ch, 2, EVFILT_TIMER, EV_ADD, NOTE_SECONDS | NOTE_USECONDS, 1, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EINVAL);
	EV_SET(&ch, 2, EVFILT_TIMER, EV_ADD, 0, -5, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EINVAL);
	EV_SET(&ch, 2, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT);

	CHECK(close(kq) == 0);
	printf("timer_units: ok\n");
	return 0;
}
