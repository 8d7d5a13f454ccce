/*
 * EV_DISPATCH: the knote is disabled after each retrieval and stays
 * registered (libkqueue's *_dispatch tests); EV_ENABLE returns it again.
 * What happened while it was disabled is not lost: a pipe's bytes are
 * reported at once when it is enabled, and a user trigger made while
 * disabled is delivered on EV_ENABLE (DragonFly kern_event.c: a disabled
 * knote stays active, enabling queues it). EV_DISPATCH with EV_CLEAR: each
 * enable reports only what is new.
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

static int change(int kq, uintptr_t ident, short filter, unsigned short flags, unsigned fflags)
{
	struct kevent ch;
	EV_SET(&ch, ident, filter, flags, fflags, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ev[2];
	int p[2];
	char buf[16];
	CHECK(pipe(p) == 0);

	CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DISPATCH, 0) == 0);
	CHECK(write(p[1], "xy", 2) == 2);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 2 && (ev[0].flags & EV_DISPATCH));
	CHECK(poll_kq(kq, ev, 2) == 0); /* disabled */
	CHECK(write(p[1], "z", 1) == 1);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 3);
	CHECK(read(p[0], buf, 3) == 3);
	CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0); /* enabled, nothing to read */
	CHECK(change(kq, p[0], EVFILT_READ, EV_DELETE, 0) == 0);

	/* user event, dispatch + clear */
	CHECK(change(kq, 5, EVFILT_USER, EV_ADD | EV_DISPATCH | EV_CLEAR, 0) == 0);
	CHECK(change(kq, 5, EVFILT_USER, 0, NOTE_TRIGGER) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == 5);
	CHECK(change(kq, 5, EVFILT_USER, 0, NOTE_TRIGGER) == 0); /* while disabled */
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(change(kq, 5, EVFILT_USER, EV_ENABLE, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == 5);
	CHECK(change(kq, 5, EVFILT_USER, EV_ENABLE, 0) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0); /* cleared: nothing new */
	CHECK(change(kq, 5, EVFILT_USER, EV_DELETE, 0) == 0);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("ev_dispatch: ok\n");
	return 0;
}
