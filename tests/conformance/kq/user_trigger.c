/*
 * EVFILT_USER (libkqueue's user tests, FreeBSD's kqueue(2)): an added user
 * event fires only on NOTE_TRIGGER; EV_ADD with NOTE_TRIGGER adds and fires
 * it in one change; without EV_CLEAR it stays triggered (level) until
 * deleted, or cleared by a change with EV_CLEAR; triggers before a
 * retrieval merge into one event; the event's udata is the one given at
 * EV_ADD: a later change keeps it, as DragonFly kern_event.c's user touch
 * does (FreeBSD replaces udata with every change).
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

static int change(int kq, uintptr_t ident, unsigned short flags, unsigned fflags, void *udata)
{
	struct kevent ch;
	EV_SET(&ch, ident, EVFILT_USER, flags, fflags, 0, udata);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ev[4];

	CHECK(change(kq, 1, EV_ADD, 0, (void *)0xa) == 0);
	CHECK(poll_kq(kq, ev, 4) == 0);
	CHECK(change(kq, 1, 0, NOTE_TRIGGER, (void *)0xb) == 0);
	CHECK(change(kq, 1, 0, NOTE_TRIGGER, NULL) == 0);
	CHECK(poll_kq(kq, ev, 4) == 1);
	CHECK(ev[0].ident == 1 && ev[0].filter == EVFILT_USER && ev[0].udata == (void *)0xa);
	CHECK(!(ev[0].flags & EV_ERROR));
	/* level: still triggered */
	CHECK(poll_kq(kq, ev, 4) == 1 && ev[0].ident == 1);
	/* a change with EV_CLEAR resets the trigger */
	CHECK(change(kq, 1, EV_CLEAR, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 4) == 0);

	/* added and triggered in one change */
	CHECK(change(kq, 2, EV_ADD | EV_CLEAR, NOTE_TRIGGER, NULL) == 0);
	CHECK(poll_kq(kq, ev, 4) == 1 && ev[0].ident == 2);
	CHECK(poll_kq(kq, ev, 4) == 0);

	/* several user events triggered in one call's change list */
	struct kevent ch[3];
	for (int i = 0; i < 3; i++)
		EV_SET(&ch[i], 10 + i, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, ch, 3, NULL, 0, NULL) == 0);
	int n = poll_kq(kq, ev, 4);
	CHECK(n == 3);
	unsigned seen = 0;
	for (int i = 0; i < n; i++)
		seen |= 1u << (ev[i].ident - 10);
	CHECK(seen == 7);
	CHECK(poll_kq(kq, ev, 4) == 0);

	CHECK(change(kq, 1, EV_DELETE, 0, NULL) == 0);
	CHECK(change(kq, 2, EV_DELETE, 0, NULL) == 0);
	CHECK(close(kq) == 0);
	printf("user_trigger: ok\n");
	return 0;
}
