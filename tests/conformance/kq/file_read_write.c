/*
 * EVFILT_READ and EVFILT_WRITE on a regular file (FreeBSD's kqueue(2),
 * DragonFly's filt_fileread): a file is always writable (data 0 in simk,
 * as DragonFly); it is readable while the offset is before the end, data =
 * the bytes from the offset to the end, evaluated at each call while the
 * knote is queued. lseek is no event (as on BSD): a knote that left the
 * queue at the end of the file stays quiet after a seek back until the
 * next write, by any descriptor, reports the count from the offset.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

int main(void)
{
	int fd = open("/data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch[2], ev[2];
	char buf[64];

	EV_SET(&ch[0], fd, EVFILT_READ, EV_ADD, 0, 0, NULL);
	EV_SET(&ch[1], fd, EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, ch, 2, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1); /* empty: only writable */
	CHECK(ev[0].filter == EVFILT_WRITE);
	EV_SET(&ch[0], fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, ch, 1, NULL, 0, NULL) == 0);

	int w = open("/data", O_WRONLY);
	CHECK(w >= 0);
	CHECK(write(w, "0123456789", 10) == 10);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].filter == EVFILT_READ && ev[0].data == 10);
	CHECK(read(fd, buf, 4) == 4);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 6);
	CHECK(lseek(fd, 0, SEEK_END) == 10);
	CHECK(poll_kq(kq, ev, 2) == 0);
	/* seeking back is no event: the knote left the queue at the end */
	CHECK(lseek(fd, 2, SEEK_SET) == 2);
	CHECK(poll_kq(kq, ev, 2) == 0);
	/* the next write is, and the count is from the offset */
	CHECK(write(w, "abcde", 5) == 5);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 13);

	CHECK(close(w) == 0);
	CHECK(close(fd) == 0);
	CHECK(close(kq) == 0);
	printf("file_read_write: ok\n");
	return 0;
}
