/*
 * EVFILT_READ on the read end of a pipe (libkqueue's read tests, FreeBSD's
 * pipe_kqueue tests): data = the bytes buffered, updated as they are read;
 * no event on an empty pipe; when the writer closes: EV_EOF with the bytes
 * still buffered in data, then EV_EOF with data 0 once drained (plus
 * EV_NODATA and EV_HUP, DragonFly's flags: the pipe is gone both ways).
 * EVFILT_READ on the write end reports nothing but the reader's close,
 * with data 0 (DragonFly and FreeBSD; docs/kq.md).
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
	struct kevent ch[2], ev[2];
	char buf[4096];
	int p[2];
	CHECK(pipe(p) == 0);

	EV_SET(&ch[0], p[0], EVFILT_READ, EV_ADD, 0, 0, (void *)0x1);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	memset(buf, 'x', sizeof(buf));
	CHECK(write(p[1], buf, 1000) == 1000);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].ident == (uintptr_t)p[0] && ev[0].filter == EVFILT_READ);
	CHECK(ev[0].data == 1000 && ev[0].udata == (void *)0x1);
	CHECK(!(ev[0].flags & (EV_EOF | EV_ERROR)));
	CHECK(read(p[0], buf, 300) == 300);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 700);

	/* the writer goes: EOF with what is left */
	CHECK(close(p[1]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK((ev[0].flags & EV_EOF) && ev[0].data == 700);
	CHECK(read(p[0], buf, sizeof(buf)) == 700);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK((ev[0].flags & (EV_EOF | EV_NODATA | EV_HUP)) == (EV_EOF | EV_NODATA | EV_HUP));
	CHECK(ev[0].data == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 0);
	CHECK(close(p[0]) == 0);

	/* the write end's EVFILT_READ */
	CHECK(pipe(p) == 0);
	EV_SET(&ch[0], p[1], EVFILT_READ, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(close(p[0]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].ident == (uintptr_t)p[1] && (ev[0].flags & EV_EOF) && ev[0].data == 0);
	CHECK(close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("pipe_read: ok\n");
	return 0;
}
