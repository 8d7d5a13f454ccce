/*
 * EV_CLEAR makes a knote edge-triggered: after retrieval its state is
 * reset and it is returned again only when something new happens
 * (libkqueue's *_clear tests). Without EV_CLEAR a pipe's read knote is
 * level-triggered: returned by every call while bytes are buffered. With
 * it: returned once per arrival, with data = all bytes buffered; a partial
 * read reports nothing; a new write reports the new total. EVFILT_USER
 * with EV_CLEAR: one event per trigger, triggers before a retrieval merge.
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

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];
	int p[2];
	char buf[16];
	CHECK(pipe(p) == 0);

	/* level-triggered */
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], "hello", 5) == 5);
	for (int i = 0; i < 3; i++) {
		CHECK(poll_kq(kq, ev, 2) == 1);
		CHECK(ev[0].data == 5 && !(ev[0].flags & EV_CLEAR));
	}
	CHECK(read(p[0], buf, 2) == 2);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 3);
	CHECK(read(p[0], buf, 3) == 3);
	CHECK(poll_kq(kq, ev, 2) == 0);

	/* edge-triggered: a new knote (EV_ADD on an existing one keeps the
	 * flags of the first add) */
	EV_SET(&ch, p[0], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], "ab", 2) == 2);
	CHECK(write(p[1], "cd", 2) == 2);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].data == 4 && (ev[0].flags & EV_CLEAR));
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(read(p[0], buf, 1) == 1);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(write(p[1], "e", 1) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 4);
	CHECK(poll_kq(kq, ev, 2) == 0);

	/* user events */
	EV_SET(&ch, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch, 1, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == 1);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == 1);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("ev_clear: ok\n");
	return 0;
}
