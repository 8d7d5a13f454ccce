/*
 * Knotes are per (kqueue, ident, filter) (libkqueue's and FreeBSD's
 * common tests): one descriptor watched by two kqueues gives each its own
 * event, and deleting or disabling in one leaves the other alone;
 * EVFILT_READ and EVFILT_WRITE on one socket are two knotes with their
 * own udata; the same change twice in one change list makes one knote
 * (the second is a modification).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/socket.h>
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
	int a = kqueue(), b = kqueue();
	CHECK(a >= 0 && b >= 0);
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct kevent ch[2], ev[4];

	EV_SET(&ch[0], sv[0], EVFILT_READ, EV_ADD, 0, 0, (void *)0xa);
	CHECK(kevent(a, ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch[0], sv[0], EVFILT_READ, EV_ADD, 0, 0, (void *)0xb);
	CHECK(kevent(b, ch, 1, NULL, 0, NULL) == 0);
	CHECK(send(sv[1], "hi", 2, 0) == 2);
	CHECK(poll_kq(a, ev, 4) == 1 && ev[0].udata == (void *)0xa && ev[0].data == 2);
	CHECK(poll_kq(b, ev, 4) == 1 && ev[0].udata == (void *)0xb && ev[0].data == 2);

	/* (a change replaces udata, even without EV_ADD: keep it) */
	EV_SET(&ch[0], sv[0], EVFILT_READ, EV_DISABLE, 0, 0, (void *)0xa);
	CHECK(kevent(a, ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(a, ev, 4) == 0);
	CHECK(poll_kq(b, ev, 4) == 1);
	EV_SET(&ch[0], sv[0], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(b, ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(b, ev, 4) == 0);
	EV_SET(&ch[0], sv[0], EVFILT_READ, EV_ENABLE, 0, 0, (void *)0xa);
	CHECK(kevent(a, ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(a, ev, 4) == 1);

	/* read and write on one socket: two knotes */
	EV_SET(&ch[0], sv[0], EVFILT_WRITE, EV_ADD, 0, 0, (void *)0xc);
	CHECK(kevent(a, ch, 1, NULL, 0, NULL) == 0);
	int n = poll_kq(a, ev, 4);
	CHECK(n == 2);
	int reads = 0, writes = 0;
	for (int i = 0; i < n; i++) {
		CHECK(ev[i].ident == (uintptr_t)sv[0]);
		if (ev[i].filter == EVFILT_READ)
			reads += ev[i].udata == (void *)0xa;
		else
			writes += ev[i].filter == EVFILT_WRITE && ev[i].udata == (void *)0xc;
	}
	CHECK(reads == 1 && writes == 1);

	/* one change list adding the same knote twice */
	EV_SET(&ch[0], 77, EVFILT_USER, EV_ADD, 0, 0, (void *)1);
	EV_SET(&ch[1], 77, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, (void *)2);
	CHECK(kevent(b, ch, 2, NULL, 0, NULL) == 0);
	struct stat st;
	CHECK(fstat(b, &st) == 0 && st.st_size == 1);
	CHECK(poll_kq(b, ev, 4) == 1 && ev[0].ident == 77);
	EV_SET(&ch[0], 77, EVFILT_USER, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(b, ch, 1, NULL, 0, NULL) == 0);
	CHECK_ERR(kevent(b, ch, 1, NULL, 0, NULL), ENOENT);

	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);
	CHECK(close(a) == 0 && close(b) == 0);
	printf("two_kqueues: ok\n");
	return 0;
}
