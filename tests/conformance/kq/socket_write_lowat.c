/*
 * EVFILT_WRITE on a socket pair (data = room in the peer's receive buffer,
 * 8 KiB per direction in simk) and NOTE_LOWAT on both filters (libkqueue's
 * read/write lowat tests, FreeBSD's kqueue(2)): with NOTE_LOWAT, data in
 * the change is the low-water mark: EVFILT_READ fires only once that many
 * bytes are queued, EVFILT_WRITE only while that much room is free. The
 * peer's close: EV_EOF on the write side.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

#define SOCKBUF 8192

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

static char buf[SOCKBUF];

int main(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];

	EV_SET(&ch, sv[0], EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].filter == EVFILT_WRITE && ev[0].data == SOCKBUF);
	CHECK(send(sv[0], buf, 1000, 0) == 1000);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == SOCKBUF - 1000);

	/* room at least 7500: not now (7192 free) */
	EV_SET(&ch, sv[0], EVFILT_WRITE, EV_ADD, NOTE_LOWAT, 7500, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(recv(sv[1], buf, 400, 0) == 400);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == SOCKBUF - 600);
	EV_SET(&ch, sv[0], EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(recv(sv[1], buf, 600, 0) == 600);

	/* readable at 3 bytes, not before */
	EV_SET(&ch, sv[1], EVFILT_READ, EV_ADD, NOTE_LOWAT, 3, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(send(sv[0], "ab", 2, 0) == 2);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(send(sv[0], "c", 1, 0) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].filter == EVFILT_READ && ev[0].data == 3);
	CHECK(recv(sv[1], buf, 3, 0) == 3);
	EV_SET(&ch, sv[1], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);

	/* the peer closes: the write side ends */
	EV_SET(&ch, sv[0], EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(close(sv[1]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && (ev[0].flags & EV_EOF));
	CHECK(close(sv[0]) == 0);
	CHECK(close(kq) == 0);
	printf("socket_write_lowat: ok\n");
	return 0;
}
