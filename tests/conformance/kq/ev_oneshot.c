/*
 * EV_ONESHOT: the knote is returned once and deleted with that retrieval
 * (libkqueue's *_oneshot tests): a second trigger finds nothing, EV_DELETE
 * after it fails with ENOENT. On a pipe: the read event comes once however
 * much stays buffered. Returned flags keep EV_ONESHOT (and EV_ADD, as
 * DragonFly kern_event.c returns the knote's flags; FreeBSD clears EV_ADD),
 * so the checks look at the bits that mean something.
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
	struct kevent ch, ev[2];

	EV_SET(&ch, 7, EVFILT_USER, EV_ADD | EV_ONESHOT, 0, 0, (void *)7);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0); /* not triggered yet */
	EV_SET(&ch, 7, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 1);
	CHECK(ev[0].ident == 7 && (ev[0].flags & EV_ONESHOT) && ev[0].udata == (void *)7);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT); /* trigger: gone */
	EV_SET(&ch, 7, EVFILT_USER, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT);

	int p[2];
	CHECK(pipe(p) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_ONESHOT, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 1);
	CHECK(ev[0].ident == (uintptr_t)p[0] && ev[0].data == 3);
	CHECK(write(p[1], "d", 1) == 1);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("ev_oneshot: ok\n");
	return 0;
}
