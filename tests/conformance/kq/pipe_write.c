/*
 * EVFILT_WRITE on the write end of a pipe (FreeBSD's pipe_kqueue tests):
 * data = the room left (simk's pipe holds 16 KiB); a full pipe reports
 * nothing, and so does one with less than PIPE_BUF (4096) bytes of room
 * (the BSD pipe's mark, kept by DragonFly and FreeBSD); once PIPE_BUF are
 * free it reports again. The reader's close: EV_EOF (with DragonFly's
 * EV_HUP). Adding EVFILT_WRITE to a pipe whose reader is already gone
 * fails with EPIPE (DragonFly and FreeBSD).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

#define CAPACITY 16384
#define MARK 4096

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

static char buf[CAPACITY];

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);

	EV_SET(&ch, p[1], EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].filter == EVFILT_WRITE && ev[0].data == CAPACITY);
	CHECK(write(p[1], buf, 100) == 100);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == CAPACITY - 100);

	/* fill it */
	size_t total = 100;
	for (;;) {
		ssize_t r = write(p[1], buf, sizeof(buf));
		if (r < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		total += (size_t)r;
	}
	CHECK(total == CAPACITY);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(read(p[0], buf, MARK - 1) == MARK - 1);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(read(p[0], buf, 1) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == MARK);

	/* the reader goes */
	CHECK(close(p[0]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK((ev[0].flags & (EV_EOF | EV_HUP)) == (EV_EOF | EV_HUP));
	CHECK(close(p[1]) == 0);

	/* registering on a pipe without a reader */
	CHECK(pipe(p) == 0);
	CHECK(close(p[0]) == 0);
	EV_SET(&ch, p[1], EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EPIPE);
	CHECK(close(p[1]) == 0);
	CHECK(close(kq) == 0);
	printf("pipe_write: ok\n");
	return 0;
}
