/*
 * kqueue() gives a descriptor of its own kind (checked by the BSD suites'
 * common tests): fstat says S_IFIFO with st_size = the pending events and
 * st_blksize = sizeof(struct kevent) (DragonFly kern_event.c's kqueue_stat);
 * read and write fail with ENXIO; kevent() on something that is not a
 * kqueue, or on a closed one, fails with EBADF; every kqueue is a new
 * descriptor, and closing one leaves the others alone.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	int kq2 = kqueue();
	CHECK(kq2 >= 0 && kq2 != kq);

	struct stat st;
	CHECK(fstat(kq, &st) == 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK(st.st_size == 0);
	CHECK(st.st_blksize == sizeof(struct kevent));

	/* Two user events pending: st_size counts them. */
	struct kevent ch[2];
	EV_SET(&ch[0], 1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, NULL);
	EV_SET(&ch[1], 2, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, ch, 2, NULL, 0, NULL) == 0);
	CHECK(fstat(kq, &st) == 0);
	CHECK(st.st_size == 2);

	char buf[8];
	CHECK_ERR(read(kq, buf, sizeof(buf)), ENXIO);
	CHECK_ERR(write(kq, buf, sizeof(buf)), ENXIO);

	/* Not a kqueue: a pipe, the console, a number no descriptor has. */
	int p[2];
	CHECK(pipe(p) == 0);
	struct timespec zero = {0, 0};
	struct kevent ev;
	CHECK_ERR(kevent(p[0], NULL, 0, &ev, 1, &zero), EBADF);
	CHECK_ERR(kevent(1, NULL, 0, &ev, 1, &zero), EBADF);
	CHECK_ERR(kevent(-1, NULL, 0, &ev, 1, &zero), EBADF);
	CHECK_ERR(kevent(999, NULL, 0, &ev, 1, &zero), EBADF);

	/* Closing one kqueue: it is gone, the other keeps its events. */
	CHECK(close(kq) == 0);
	CHECK_ERR(kevent(kq, NULL, 0, &ev, 1, &zero), EBADF);
	CHECK(kevent(kq2, NULL, 0, &ev, 1, &zero) == 0);
	EV_SET(&ch[0], 9, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq2, ch, 1, &ev, 1, &zero) == 1);
	CHECK(ev.ident == 9 && ev.filter == EVFILT_USER);

	CHECK(close(kq2) == 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	printf("kqueue_descriptor: ok\n");
	return 0;
}
