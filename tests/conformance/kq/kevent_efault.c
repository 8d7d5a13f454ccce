/*
 * Bad pointers given to kevent() fail with EFAULT, never a crash: a NULL
 * or wild change list with nchanges > 0, a change list past the end of a
 * heap block, a timeout pointer into nowhere, an event list that cannot
 * be written while events are pending (NULL, wild, or read-only data). A
 * change list in read-only data is only read, so it works; NULL lists
 * with zero counts are not touched
 * (FreeBSD's kqueue(2): the lists are accessed for the given counts).
 * An event list that cannot be written costs the event of a level-
 * triggered knote nothing: it is returned by the next call (DragonFly
 * kern_event.c; docs/kq.md).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static const struct kevent rodata_change = {
    .ident = 3, .filter = EVFILT_USER, .flags = EV_ADD, .fflags = NOTE_TRIGGER};

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ev;
	struct timespec zero = {0, 0};

	CHECK_ERR(kevent(kq, NULL, 1, &ev, 1, &zero), EFAULT);
	CHECK_ERR(kevent(kq, (struct kevent *)(uintptr_t)16, 1, &ev, 1, &zero), EFAULT);
	struct kevent *one = malloc(sizeof(*one));
	CHECK(one != NULL);
	EV_SET(one, 1, EVFILT_USER, EV_ADD, 0, 0, NULL);
	/* two changes where the block holds one */
	CHECK_ERR(kevent(kq, one, 2, &ev, 1, &zero), EFAULT);
	free(one);
	CHECK_ERR(kevent(kq, NULL, 0, &ev, 1, (struct timespec *)(uintptr_t)8), EFAULT);

	/* A change list in read-only data is read, not written. */
	CHECK(kevent(kq, &rodata_change, 1, NULL, 0, &zero) == 0);
	/* An event is pending: an event list nobody can write to is EFAULT. */
	CHECK_ERR(kevent(kq, NULL, 0, NULL, 1, &zero), EFAULT);
	CHECK_ERR(kevent(kq, NULL, 0, (struct kevent *)(uintptr_t)64, 1, &zero), EFAULT);
	/* read-only data cannot take the event either */
	CHECK_ERR(kevent(kq, NULL, 0, (struct kevent *)(uintptr_t)&rodata_change, 1, &zero),
		  EFAULT);
	/* An EV_USER knote is level-triggered without EV_CLEAR: still there. */
	memset(&ev, 0, sizeof(ev));
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 1);
	CHECK(ev.ident == 3 && ev.filter == EVFILT_USER);

	/* Nothing to do: NULL lists with zero counts. */
	CHECK(kevent(kq, NULL, 0, NULL, 0, &zero) == 0);
	CHECK(close(kq) == 0);
	printf("kevent_efault: ok\n");
	return 0;
}
