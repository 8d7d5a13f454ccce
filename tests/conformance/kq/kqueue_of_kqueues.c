/*
 * A kqueue is itself a descriptor that can be watched (FreeBSD's and
 * DragonFly's kqueue filter, libkqueue's kqueue-in-kqueue test):
 * EVFILT_READ on a kqueue fires while it has pending events, data = their
 * number; poll() gives POLLIN then. Other filters on a kqueue descriptor
 * are EOPNOTSUPP for EVFILT_WRITE (DragonFly kern_event.c) and EINVAL for
 * EVFILT_VNODE (no vnode).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <poll.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int outer = kqueue(), inner = kqueue();
	CHECK(outer >= 0 && inner >= 0);
	struct kevent ch[3], ev[2];
	struct timespec zero = {0, 0};

	EV_SET(&ch[0], inner, EVFILT_READ, EV_ADD, 0, 0, NULL);
	CHECK(kevent(outer, ch, 1, NULL, 0, NULL) == 0);
	CHECK(kevent(outer, NULL, 0, ev, 2, &zero) == 0);
	struct pollfd pfd = {.fd = inner, .events = POLLIN};
	CHECK(poll(&pfd, 1, 0) == 0);

	EV_SET(&ch[0], 1, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, NULL);
	EV_SET(&ch[1], 2, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, NULL);
	EV_SET(&ch[2], 3, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(inner, ch, 3, NULL, 0, NULL) == 0);
	CHECK(kevent(outer, NULL, 0, ev, 2, &zero) == 1);
	CHECK(ev[0].ident == (uintptr_t)inner && ev[0].filter == EVFILT_READ && ev[0].data == 3);
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN));

	CHECK(kevent(inner, NULL, 0, ev, 2, &zero) == 2);
	CHECK(kevent(outer, NULL, 0, ev, 2, &zero) == 1 && ev[0].data == 1);
	CHECK(kevent(inner, NULL, 0, ev, 2, &zero) == 1);
	CHECK(kevent(outer, NULL, 0, ev, 2, &zero) == 0);

	EV_SET(&ch[0], inner, EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK_ERR(kevent(outer, ch, 1, NULL, 0, NULL), EOPNOTSUPP);
	EV_SET(&ch[0], inner, EVFILT_VNODE, EV_ADD, NOTE_WRITE, 0, NULL);
	CHECK_ERR(kevent(outer, ch, 1, NULL, 0, NULL), EINVAL);

	/* closing the watched kqueue removes the outer knote */
	CHECK(close(inner) == 0);
	EV_SET(&ch[0], inner, EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(outer, ch, 1, NULL, 0, NULL), EBADF);
	CHECK(close(outer) == 0);
	printf("kqueue_of_kqueues: ok\n");
	return 0;
}
