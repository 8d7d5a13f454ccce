/*
 * EV_ADD on a knote that exists modifies it (FreeBSD's kqueue(2), libkqueue's
 * *_add tests): no second knote, udata and the filter's data/fflags are
 * replaced, and an event that already fired is not reset (DragonFly
 * kern_event.c: "doing so will not reset any filter which has already
 * been triggered"). The flags given with the first EV_ADD stay (EV_CLEAR
 * cannot be added later, as in the reference). EV_ADD with EV_DISABLE or
 * EV_ENABLE of an existing knote changes its state too. A change without
 * EV_ADD (EV_ENABLE, EV_DISABLE) also replaces udata and the filter's
 * data/fflags, on DragonFly as on FreeBSD: a NOTE_LOWAT mark must be
 * given again with each such change.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];
	int p[2];
	CHECK(pipe(p) == 0);

	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, 0, 0, (void *)0x1);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, 0, 0, (void *)0x2);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	struct stat st;
	CHECK(fstat(kq, &st) == 0 && st.st_size == 1); /* one knote, still fired */
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].udata == (void *)0x2 && ev[0].data == 3);

	/* EV_CLEAR given later is not taken: still level-triggered */
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, (void *)0x3);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].udata == (void *)0x3);
	CHECK(poll_kq(kq, ev, 2) == 1);

	/* EV_ADD | EV_DISABLE, then EV_ADD | EV_ENABLE */
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_DISABLE, 0, 0, (void *)0x3);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_ENABLE, 0, 0, (void *)0x4);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].udata == (void *)0x4);

	/* EV_DISABLE / EV_ENABLE alone carry udata and the mark too */
	EV_SET(&ch, p[0], EVFILT_READ, EV_DISABLE, NOTE_LOWAT, 10, (void *)0x5);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ENABLE, NOTE_LOWAT, 10, (void *)0x6);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0); /* 3 bytes < 10 */
	EV_SET(&ch, p[0], EVFILT_READ, EV_ENABLE, 0, 0, (void *)0x7);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].udata == (void *)0x7 && ev[0].data == 3);

	/* a timer: re-adding replaces the period (docs/kq.md) */
	EV_SET(&ch, 1, EVFILT_TIMER, EV_ADD, 0, 1000, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch, 1, EVFILT_TIMER, EV_ADD, 0, 5, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	struct timespec ts = {0, 6000000};
	CHECK(kevent(kq, NULL, 0, ev, 2, &ts) == 1 && ev[0].ident == 1 && ev[0].data == 1);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("ev_add_modify: ok\n");
	return 0;
}
