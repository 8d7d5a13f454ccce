/*
 * EVFILT_AIO: POSIX AIO requests that notify a kqueue (SIGEV_KEVENT,
 * FreeBSD's aio(4) and its aio_kqueue test): each request's completion
 * is one event with ident = the aiocb's address, filter EVFILT_AIO, udata
 * = sigev_value, data = the request's error status (0), and EV_EOF
 * (simk's POSIX AIO, docs/paio.md; FreeBSD sets EV_EOF too). It comes
 * once (EV_ONESHOT); aio_return then gives the byte count. Several
 * requests on one kqueue each come once, in whatever order they finish.
 * A program cannot add EVFILT_AIO itself (EPERM).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 4

static char data[N][512];
static char back[N][512];

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	int fd = open("/aiofile", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);

	struct aiocb cb[N];
	memset(cb, 0, sizeof(cb));
	for (int i = 0; i < N; i++) {
		memset(data[i], 'a' + i, sizeof(data[i]));
		cb[i].aio_fildes = fd;
		cb[i].aio_buf = data[i];
		cb[i].aio_nbytes = sizeof(data[i]);
		cb[i].aio_offset = (off_t)(i * sizeof(data[i]));
		cb[i].aio_sigevent.sigev_notify = SIGEV_KEVENT;
		cb[i].aio_sigevent.sigev_notify_kqueue = kq;
		cb[i].aio_sigevent.sigev_value.sival_ptr = &cb[i];
		CHECK(aio_write(&cb[i]) == 0);
	}

	int seen[N] = {0};
	for (int got = 0; got < N;) {
		struct kevent ev[N];
		int n = kevent(kq, NULL, 0, ev, N, NULL);
		CHECK(n >= 1 && n <= N - got);
		for (int k = 0; k < n; k++) {
			CHECK(ev[k].filter == EVFILT_AIO);
			struct aiocb *done = (struct aiocb *)ev[k].ident;
			CHECK(done >= &cb[0] && done < &cb[N]);
			CHECK(ev[k].udata == done);
			CHECK(ev[k].data == 0);
			CHECK(ev[k].flags & EV_EOF);
			int i = (int)(done - cb);
			CHECK(seen[i]++ == 0);
			CHECK(aio_error(done) == 0);
			CHECK(aio_return(done) == (ssize_t)sizeof(data[i]));
		}
		got += n;
	}
	struct timespec zero = {0, 0};
	struct kevent ev;
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);

	/* read it back the same way */
	struct aiocb rd;
	memset(&rd, 0, sizeof(rd));
	rd.aio_fildes = fd;
	rd.aio_buf = back;
	rd.aio_nbytes = sizeof(back);
	rd.aio_sigevent.sigev_notify = SIGEV_KEVENT;
	rd.aio_sigevent.sigev_notify_kqueue = kq;
	rd.aio_sigevent.sigev_value.sival_int = 99;
	CHECK(aio_read(&rd) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
	CHECK(ev.ident == (uintptr_t)&rd && ev.filter == EVFILT_AIO && ev.data == 0);
	CHECK((intptr_t)ev.udata == 99);
	CHECK(aio_return(&rd) == (ssize_t)sizeof(back));
	CHECK(memcmp(back, data, sizeof(back)) == 0);

	struct kevent ch;
	EV_SET(&ch, (uintptr_t)&rd, EVFILT_AIO, EV_ADD, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EPERM);

	CHECK(close(fd) == 0);
	CHECK(close(kq) == 0);
	printf("aio_kevent: ok\n");
	return 0;
}
