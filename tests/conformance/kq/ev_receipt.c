/*
 * EV_RECEIPT and EV_ERROR in the event list, in one kevent() call with a
 * change list (the idiom of libkqueue's and FreeBSD's tests): every change
 * with EV_RECEIPT is echoed as an event with EV_ERROR set and data 0; a
 * change that fails is echoed with its errno in data (with or without
 * EV_RECEIPT); ident, filter and udata are the change's. When receipts or
 * errors were posted the call returns their number without collecting
 * pending events. More changes than the event list holds: an error with
 * no room fails the call with that errno and the changes after it are not
 * applied (FreeBSD; DragonFly kern_event.c copies it out past the end of
 * the list), and a receipt with no room is applied silently and the next
 * changes too (simk's choice: FreeBSD stops at it, DragonFly writes past
 * the list; docs/kq.md "Guest programs").
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct timespec zero = {0, 0};
	struct kevent ch[8], ev[8];

	/* a triggered user event, pending before the receipts */
	EV_SET(&ch[0], 100, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);

	EV_SET(&ch[0], 1, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, (void *)0x11);
	EV_SET(&ch[1], 777, EVFILT_READ, EV_ADD, 0, 0, (void *)0x22);  /* EBADF */
	EV_SET(&ch[2], 2, EVFILT_USER, EV_DELETE, 0, 0, (void *)0x33); /* ENOENT */
	EV_SET(&ch[3], 3, EVFILT_TIMER, EV_ADD | EV_RECEIPT, 0, 1000, (void *)0x44);
	memset(ev, 0, sizeof(ev));
	int n = kevent(kq, ch, 4, ev, 8, &zero);
	CHECK(n == 4);
	CHECK(ev[0].ident == 1 && ev[0].filter == EVFILT_USER && (ev[0].flags & EV_ERROR));
	CHECK(ev[0].data == 0 && ev[0].udata == (void *)0x11);
	CHECK(ev[1].ident == 777 && ev[1].filter == EVFILT_READ && (ev[1].flags & EV_ERROR));
	CHECK(ev[1].data == EBADF && ev[1].udata == (void *)0x22);
	CHECK(ev[2].ident == 2 && (ev[2].flags & EV_ERROR) && ev[2].data == ENOENT);
	CHECK(ev[3].ident == 3 && ev[3].filter == EVFILT_TIMER && (ev[3].flags & EV_ERROR));
	CHECK(ev[3].data == 0);

	/* the pending user event was not collected by that call */
	n = kevent(kq, NULL, 0, ev, 8, &zero);
	CHECK(n == 1 && ev[0].ident == 100);

	/* Three receipts, room for one: the other two are applied silently. */
	for (int i = 0; i < 3; i++)
		EV_SET(&ch[i], 10 + i, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, NULL);
	n = kevent(kq, ch, 3, ev, 1, &zero);
	CHECK(n == 1 && ev[0].ident == 10 && (ev[0].flags & EV_ERROR) && ev[0].data == 0);
	for (int i = 0; i < 3; i++) {
		EV_SET(&ch[0], 10 + i, EVFILT_USER, EV_DELETE, 0, 0, NULL);
		CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0); /* all three exist */
	}

	/* An error with no room left fails the call with that errno; the
	 * changes after it are not applied. */
	EV_SET(&ch[0], 20, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, NULL);
	EV_SET(&ch[1], 21, EVFILT_USER, EV_ENABLE, 0, 0, NULL); /* ENOENT */
	EV_SET(&ch[2], 22, EVFILT_USER, EV_ADD, 0, 0, NULL);
	CHECK_ERR(kevent(kq, ch, 3, ev, 1, &zero), ENOENT);
	EV_SET(&ch[0], 20, EVFILT_USER, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch[0], 22, EVFILT_USER, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, ch, 1, NULL, 0, NULL), ENOENT);

	CHECK(close(kq) == 0);
	printf("ev_receipt: ok\n");
	return 0;
}
