/*
 * NOTE_LOWAT on a pipe's read end (FreeBSD's kqueue(2): "data contains
 * the low-water mark"), and the end of a pipe under EV_CLEAR (FreeBSD's
 * pipe_kqueue tests): with a mark of 100 bytes the read knote stays quiet
 * at 99 and fires at 100, data = all bytes buffered; a writer's close
 * fires it whatever the mark (EOF is always reported). With EV_CLEAR, the
 * close is reported once even though bytes are still buffered.
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

static char buf[256];

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	struct kevent ch, ev[2];

	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, NOTE_LOWAT, 100, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], buf, 99) == 99);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(write(p[1], buf, 1) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 100);
	CHECK(read(p[0], buf, 50) == 50);
	CHECK(poll_kq(kq, ev, 2) == 0); /* 50 < 100 */
	/* a modification changes the mark */
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, NOTE_LOWAT, 10, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 50);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, NOTE_LOWAT, 1000, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(close(p[1]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK((ev[0].flags & EV_EOF) && ev[0].data == 50);
	CHECK(close(p[0]) == 0);

	/* EV_CLEAR: the close once */
	CHECK(pipe(p) == 0);
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(p[1], buf, 10) == 10);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 10 && !(ev[0].flags & EV_EOF));
	CHECK(close(p[1]) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && (ev[0].flags & EV_EOF) && ev[0].data == 10);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(close(p[0]) == 0);
	CHECK(close(kq) == 0);
	printf("pipe_lowat_eof: ok\n");
	return 0;
}
