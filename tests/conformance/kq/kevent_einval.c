/*
 * kevent() argument checks that fail the whole call with EINVAL (the
 * common checks of libkqueue's and FreeBSD's suites): a negative nchanges
 * or nevents, a timeout with tv_nsec outside [0, 1e9) or a negative
 * tv_sec. An unknown filter number is EINVAL too, but per change: it is
 * reported as an EV_ERROR event when the event list has room and fails
 * the call only when it has none (FreeBSD's rule, which simk follows
 * there: DragonFly kern_event.c copies the error out past the list's end).
 * Filters FreeBSD has and DragonFly does not (EVFILT_PROCDESC -8,
 * EVFILT_LIO -10, EVFILT_SENDFILE -12, EVFILT_EMPTY -13) are unknown here.
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
	struct kevent ch, ev;
	struct timespec zero = {0, 0};

	EV_SET(&ch, 1, EVFILT_USER, EV_ADD, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, -1, &ev, 1, &zero), EINVAL);
	CHECK_ERR(kevent(kq, NULL, 0, &ev, -1, &zero), EINVAL);

	struct timespec bad = {0, 1000000000L};
	CHECK_ERR(kevent(kq, NULL, 0, &ev, 1, &bad), EINVAL);
	bad.tv_nsec = -1;
	CHECK_ERR(kevent(kq, NULL, 0, &ev, 1, &bad), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	CHECK_ERR(kevent(kq, NULL, 0, &ev, 1, &bad), EINVAL);

	/* Unknown filters: with room, an EV_ERROR event carrying EINVAL. */
	static const short unknown[] = {0, -8, -10, -12, -13, -14, -16, -100, 1, 7};
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		EV_SET(&ch, 5, unknown[i], EV_ADD, 0, 0, (void *)(uintptr_t)(i + 1));
		memset(&ev, 0, sizeof(ev));
		CHECK(kevent(kq, &ch, 1, &ev, 1, &zero) == 1);
		CHECK((ev.flags & EV_ERROR) != 0);
		CHECK(ev.data == EINVAL);
		CHECK(ev.ident == 5 && ev.filter == unknown[i]);
		CHECK(ev.udata == (void *)(uintptr_t)(i + 1));
		/* without room the call itself fails */
		CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, &zero), EINVAL);
	}

	/* None of these left a knote behind. */
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(close(kq) == 0);
	printf("kevent_einval: ok\n");
	return 0;
}
