/*
 * EVFILT_READ on an AF_UNIX stream socket pair (libkqueue's read tests):
 * data = bytes queued; EV_CLEAR fires once per arrival, and a partial read
 * or traffic in the other direction does not report again; the peer's
 * shutdown(SHUT_WR) gives EV_EOF alone (a half close), its close gives
 * EV_EOF with EV_HUP (DragonFly's flag: completely disconnected).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/socket.h>
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
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];
	char buf[64];

	EV_SET(&ch, sv[0], EVFILT_READ, EV_ADD, 0, 0, &sv[0]);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(send(sv[1], "0123456789", 10, 0) == 10);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].ident == (uintptr_t)sv[0] && ev[0].data == 10 && ev[0].udata == &sv[0]);
	CHECK(recv(sv[0], buf, 4, 0) == 4);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 6);
	CHECK(recv(sv[0], buf, 6, 0) == 6);
	CHECK(poll_kq(kq, ev, 2) == 0);

	/* edge-triggered */
	EV_SET(&ch, sv[0], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	EV_SET(&ch, sv[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(send(sv[1], "a", 1, 0) == 1);
	CHECK(send(sv[1], "b", 1, 0) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 2);
	CHECK(recv(sv[0], buf, 1, 0) == 1);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(send(sv[0], "back", 4, 0) == 4); /* the other direction */
	CHECK(recv(sv[1], buf, 4, 0) == 4);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(send(sv[1], "c", 1, 0) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 2);
	CHECK(recv(sv[0], buf, 2, 0) == 2);

	/* half close, then close */
	CHECK(shutdown(sv[1], SHUT_WR) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK((ev[0].flags & EV_EOF) && !(ev[0].flags & EV_HUP) && ev[0].data == 0);
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == 0);
	CHECK(close(sv[1]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK((ev[0].flags & (EV_EOF | EV_HUP)) == (EV_EOF | EV_HUP));

	CHECK(close(sv[0]) == 0);
	CHECK(close(kq) == 0);
	printf("socket_read: ok\n");
	return 0;
}
