/*
 * EVFILT_USER's filter flags (libkqueue's and FreeBSD's user tests): the
 * low 24 bits of fflags are the event's own, and each change combines its
 * bits with the knote's as its control says: NOTE_FFNOP leaves them,
 * NOTE_FFAND ands, NOTE_FFOR ors, NOTE_FFCOPY replaces. The event carries
 * the combined bits (never NOTE_TRIGGER or the control bits); data is
 * copied from each change. A change with EV_CLEAR resets the trigger and
 * data, not the bits.
 *
 * Reference: DragonFly kern_event.c. A knote registered with EV_CLEAR has
 * its bits reset by each retrieval (DragonFly keeps them in kn_fflags,
 * which its scan clears); FreeBSD and macOS keep them in kn_sfflags and
 * report them again on the next trigger. docs/kq.md "Guest programs".
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static int change(int kq, uintptr_t id, unsigned short flags, unsigned fflags, intptr_t data)
{
	struct kevent ch;
	EV_SET(&ch, id, EVFILT_USER, flags, fflags, data, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

/* Reads the (triggered) event of id: its fflags. */
static unsigned bits(int kq, uintptr_t id, intptr_t *data)
{
	struct kevent ev;
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 1);
	CHECK(ev.ident == id && ev.filter == EVFILT_USER);
	CHECK((ev.fflags & ~NOTE_FFLAGSMASK) == 0);
	if (data)
		*data = ev.data;
	return ev.fflags;
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	intptr_t data = 0;

	/* level-triggered: added triggered, the bits read at every call */
	CHECK(change(kq, 3, EV_ADD, NOTE_TRIGGER | NOTE_FFCOPY | 0x00f0, 5) == 0);
	CHECK(bits(kq, 3, &data) == 0x00f0 && data == 5);
	CHECK(change(kq, 3, 0, NOTE_FFOR | 0x0003, 6) == 0);
	CHECK(bits(kq, 3, &data) == 0x00f3 && data == 6);
	CHECK(change(kq, 3, 0, NOTE_FFAND | 0x0031, 7) == 0);
	CHECK(bits(kq, 3, NULL) == 0x0031);
	CHECK(change(kq, 3, 0, NOTE_FFNOP | 0xffff, 7) == 0);
	CHECK(bits(kq, 3, NULL) == 0x0031);
	CHECK(change(kq, 3, 0, NOTE_FFCOPY | 0x00ffffff, 7) == 0);
	CHECK(bits(kq, 3, NULL) == 0x00ffffff);
	CHECK(change(kq, 3, 0, NOTE_FFCOPY, 7) == 0);
	CHECK(bits(kq, 3, NULL) == 0);
	/* bits above the 24 (other than the controls) are not the event's */
	CHECK(change(kq, 3, 0, NOTE_FFCOPY | 0x0f000001u, 7) == 0);
	CHECK(bits(kq, 3, NULL) == 0x1);

	/* EV_CLEAR in a change: untriggered, bits kept */
	CHECK(change(kq, 3, EV_CLEAR, NOTE_FFOR | 0x40, 0) == 0);
	struct kevent ev;
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(change(kq, 3, 0, NOTE_TRIGGER, 9) == 0);
	CHECK(bits(kq, 3, &data) == 0x41 && data == 9);
	CHECK(change(kq, 3, EV_DELETE, 0, 0) == 0);

	/* registered with EV_CLEAR: each trigger's bits, once */
	CHECK(change(kq, 4, EV_ADD | EV_CLEAR, 0, 0) == 0);
	CHECK(change(kq, 4, 0, NOTE_TRIGGER | NOTE_FFOR | 0x3, 8) == 0);
	CHECK(bits(kq, 4, &data) == 0x3 && data == 8);
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(change(kq, 4, 0, NOTE_FFOR | 0x4, 0) == 0);
	CHECK(change(kq, 4, 0, NOTE_TRIGGER | NOTE_FFOR | 0x8, 0) == 0);
	CHECK(bits(kq, 4, NULL) == 0xc); /* DragonFly: 0x3 was reset */

	CHECK(change(kq, 4, EV_DELETE, 0, 0) == 0);
	CHECK(close(kq) == 0);
	printf("user_fflags: ok\n");
	return 0;
}
