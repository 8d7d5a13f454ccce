/*
 * Changes naming a knote that does not exist fail with ENOENT: EV_DELETE,
 * EV_ENABLE, EV_DISABLE without EV_ADD, for an ident never added, for one
 * added under another filter, and for one already deleted (libkqueue's
 * *_del tests and FreeBSD's). A knote is identified by (ident, filter):
 * the same ident under two filters is two knotes, deleted separately.
 * After EV_DELETE a pending event is gone too.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

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
	struct timespec zero = {0, 0};
	struct kevent ev[4];

	CHECK_ERR(change(kq, 42, EVFILT_USER, EV_DELETE, 0, 0), ENOENT);
	CHECK_ERR(change(kq, 42, EVFILT_USER, EV_ENABLE, 0, 0), ENOENT);
	CHECK_ERR(change(kq, 42, EVFILT_USER, EV_DISABLE, 0, 0), ENOENT);
	CHECK_ERR(change(kq, 42, EVFILT_TIMER, EV_DELETE, 0, 0), ENOENT);
	/* a trigger (a modification without EV_ADD) of nothing */
	CHECK_ERR(change(kq, 42, EVFILT_USER, 0, NOTE_TRIGGER, 0), ENOENT);

	/* ident 42 as a user event and as a timer: two knotes */
	CHECK(change(kq, 42, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0) == 0);
	CHECK(change(kq, 42, EVFILT_TIMER, EV_ADD, 0, 60000) == 0);
	/* a descriptor filter looks the descriptor up first: 42 is none */
	CHECK_ERR(change(kq, 42, EVFILT_READ, EV_DELETE, 0, 0), EBADF);
	CHECK(kevent(kq, NULL, 0, ev, 4, &zero) == 1);
	CHECK(ev[0].filter == EVFILT_USER);

	CHECK(change(kq, 42, EVFILT_USER, EV_DELETE, 0, 0) == 0);
	/* its pending event went with it; the timer is still there */
	CHECK(kevent(kq, NULL, 0, ev, 4, &zero) == 0);
	CHECK_ERR(change(kq, 42, EVFILT_USER, EV_DELETE, 0, 0), ENOENT);
	CHECK(change(kq, 42, EVFILT_TIMER, EV_DISABLE, 0, 0) == 0);
	CHECK(change(kq, 42, EVFILT_TIMER, EV_DELETE, 0, 0) == 0);
	CHECK_ERR(change(kq, 42, EVFILT_TIMER, EV_DELETE, 0, 0), ENOENT);

	/* descriptor filters: a knote on a pipe not registered */
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_ERR(change(kq, p[0], EVFILT_READ, EV_DELETE, 0, 0), ENOENT);
	CHECK(change(kq, p[0], EVFILT_READ, EV_ADD, 0, 0) == 0);
	CHECK_ERR(change(kq, p[0], EVFILT_WRITE, EV_DELETE, 0, 0), ENOENT);
	CHECK(change(kq, p[0], EVFILT_READ, EV_DELETE, 0, 0) == 0);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("ev_delete_enoent: ok\n");
	return 0;
}
