/*
 * EV_DISABLE and EV_ENABLE (libkqueue's *_disable_and_enable tests): a
 * disabled knote is not returned but stays registered; EV_ENABLE returns
 * it again. An EV_ADD with EV_DISABLE registers it disabled. A knote that
 * fired while disabled is still active and is returned as soon as it is
 * enabled (DragonFly kern_event.c; docs/kq.md). A disabled timer keeps
 * counting: data on enable is every expiration meanwhile.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

static int change(int kq, uintptr_t ident, short filter, unsigned short flags, unsigned fflags,
		  intptr_t data)
{
	struct kevent ch;
	EV_SET(&ch, ident, filter, flags, fflags, data, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ev[2];
	int p[2];
	CHECK(pipe(p) == 0);

	CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DISABLE, 0, 0) == 0);
	CHECK(write(p[1], "a", 1) == 1);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == (uintptr_t)p[0] && ev[0].data == 1);
	CHECK(change(kq, p[0], EVFILT_READ, EV_DISABLE, 0, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);

	/* a user event triggered while disabled */
	CHECK(change(kq, 9, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0) == 0);
	CHECK(change(kq, 9, EVFILT_USER, EV_DISABLE, 0, 0) == 0);
	CHECK(change(kq, 9, EVFILT_USER, 0, NOTE_TRIGGER, 0) == 0);
	CHECK(change(kq, p[0], EVFILT_READ, EV_DISABLE, 0, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(change(kq, 9, EVFILT_USER, EV_ENABLE, 0, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == 9);

	/* a disabled 10 ms timer for 55 ms: five expirations on enable */
	CHECK(change(kq, 3, EVFILT_TIMER, EV_ADD | EV_DISABLE, 0, 10) == 0);
	CHECK(usleep(55000) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(change(kq, 3, EVFILT_TIMER, EV_ENABLE, 0, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == 3 && ev[0].filter == EVFILT_TIMER);
	CHECK(ev[0].data == 5);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("disable_enable: ok\n");
	return 0;
}
