/*
 * EVFILT_EXCEPT with NOTE_OOB on a stream socket (DragonFly's and Darwin's
 * filter; FreeBSD has none; the number is Darwin's -15, NOTE_OOB
 * DragonFly's 0x1, docs/kq.md): quiet
 * while only ordinary data arrives; an urgent byte (send with MSG_OOB)
 * fires it with fflags NOTE_OOB; once the byte is taken (recv MSG_OOB) it
 * is quiet again. The end of the stream fires it with EV_EOF. EVFILT_EXCEPT
 * on a kqueue descriptor is EOPNOTSUPP.
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
	char c;

	EV_SET(&ch, sv[0], EVFILT_EXCEPT, EV_ADD, NOTE_OOB, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(send(sv[1], "plain", 5, 0) == 5);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(send(sv[1], "!", 1, MSG_OOB) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].filter == EVFILT_EXCEPT && (ev[0].fflags & NOTE_OOB));
	CHECK(recv(sv[0], &c, 1, MSG_OOB) == 1 && c == '!');
	CHECK(poll_kq(kq, ev, 2) == 0);

	CHECK(close(sv[1]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && (ev[0].flags & EV_EOF));

	int kq2 = kqueue();
	CHECK(kq2 >= 0);
	EV_SET(&ch, kq2, EVFILT_EXCEPT, EV_ADD, NOTE_OOB, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EOPNOTSUPP);

	CHECK(close(kq2) == 0);
	CHECK(close(sv[0]) == 0);
	CHECK(close(kq) == 0);
	printf("except_oob: ok\n");
	return 0;
}
