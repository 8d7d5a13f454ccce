/*
 * Closing a descriptor removes its knotes from every kqueue (FreeBSD's and
 * DragonFly's knote_fdclose; libkqueue documents that Linux cannot do
 * this, the BSDs do): a pending event of the closed descriptor is gone, a
 * new descriptor that reuses the number has no knote (EV_DELETE: ENOENT),
 * and a knote added on a dup() is its own. A closed descriptor number in
 * a change is EBADF. Closing the kqueue drops every knote it had (nothing
 * leaks: the run's leak check would fail).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

static int change(int kq, int fd, short filter, unsigned short flags)
{
	struct kevent ch;
	EV_SET(&ch, fd, filter, flags, 0, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue(), kq2 = kqueue();
	CHECK(kq >= 0 && kq2 >= 0);
	struct kevent ev[4];
	int p[2];
	CHECK(pipe(p) == 0);

	CHECK(change(kq, p[0], EVFILT_READ, EV_ADD) == 0);
	CHECK(change(kq2, p[0], EVFILT_READ, EV_ADD) == 0);
	CHECK(change(kq, p[1], EVFILT_WRITE, EV_ADD) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	struct stat st;
	CHECK(fstat(kq, &st) == 0 && st.st_size == 2);

	int rd = p[0];
	CHECK(close(rd) == 0);
	/* both kqueues lost the read knote; the write end's EOF remains */
	CHECK(poll_kq(kq2, ev, 4) == 0);
	int n = poll_kq(kq, ev, 4);
	CHECK(n == 1 && ev[0].ident == (uintptr_t)p[1] && ev[0].filter == EVFILT_WRITE);
	CHECK(ev[0].flags & EV_EOF);
	CHECK_ERR(change(kq, rd, EVFILT_READ, EV_DELETE), EBADF);

	/* the number comes back for a new pipe: no knote comes with it */
	int q[2];
	CHECK(pipe(q) == 0);
	CHECK(q[0] == rd);
	CHECK_ERR(change(kq, q[0], EVFILT_READ, EV_DELETE), ENOENT);
	CHECK(write(q[1], "x", 1) == 1);
	CHECK(poll_kq(kq2, ev, 4) == 0);

	/* a dup is another descriptor: its own knote, closed on its own */
	int d = dup(q[0]);
	CHECK(d >= 0);
	CHECK(change(kq2, d, EVFILT_READ, EV_ADD) == 0);
	CHECK(change(kq2, q[0], EVFILT_READ, EV_ADD) == 0);
	CHECK(poll_kq(kq2, ev, 4) == 2);
	CHECK(close(d) == 0);
	n = poll_kq(kq2, ev, 4);
	CHECK(n == 1 && ev[0].ident == (uintptr_t)q[0]);

	/* closing a kqueue with knotes and pending events */
	CHECK(close(kq2) == 0);
	CHECK(close(kq) == 0);
	CHECK(close(q[0]) == 0 && close(q[1]) == 0 && close(p[1]) == 0);
	printf("close_removes_knotes: ok\n");
	return 0;
}
