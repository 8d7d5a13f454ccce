/*
 * SIGEV_KEVENT (FreeBSD aio_read(2), tests/sys/aio aio_kqueue_test and
 * lio_kqueue_test): sigev_notify_kqueue names a kqueue; the completion
 * is one EVFILT_AIO event with ident the aiocb and udata sigev_value,
 * retrieved once (EV_ONESHOT), after which aio_return gives the result.
 * A LIO_NOWAIT list's sigevent posts one EVFILT_AIO event whose ident is
 * the list's address (simk's kqueue has no EVFILT_LIO) after every entry
 * ended. A kqueue descriptor that is not open is EBADF.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/event.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define N 3

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char bufs[N][100];
	static struct aiocb cbs[N];
	for (int i = 0; i < N; i++) {
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = 100;
		cbs[i].aio_offset = i * 100;
		cbs[i].aio_sigevent.sigev_notify = SIGEV_KEVENT;
		cbs[i].aio_sigevent.sigev_notify_kqueue = kq;
		cbs[i].aio_sigevent.sigev_value.sival_ptr = &cbs[i];
		CHECK(aio_write(&cbs[i]) == 0);
	}
	int seen[N] = {0};
	for (int got = 0; got < N;) {
		struct kevent ev;
		int n = kevent(kq, NULL, 0, &ev, 1, NULL);
		CHECK(n == 1);
		CHECK(ev.filter == EVFILT_AIO);
		struct aiocb *cb = (struct aiocb *)ev.ident;
		int k = (int)(cb - cbs);
		CHECK(k >= 0 && k < N && !seen[k]);
		CHECK(ev.udata == cb);
		seen[k] = 1;
		CHECK(aio_error(cb) == 0);
		CHECK(aio_return(cb) == 100);
		got++;
	}
	struct kevent ev;
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0); /* each once */

	/* the list's own event */
	struct aiocb *list[N];
	for (int i = 0; i < N; i++) {
		memset(&cbs[i].aio_sigevent, 0, sizeof(cbs[i].aio_sigevent));
		cbs[i].aio_sigevent.sigev_notify = SIGEV_NONE;
		cbs[i].aio_lio_opcode = LIO_READ;
		list[i] = &cbs[i];
	}
	struct sigevent sig;
	memset(&sig, 0, sizeof(sig));
	sig.sigev_notify = SIGEV_KEVENT;
	sig.sigev_notify_kqueue = kq;
	sig.sigev_value.sival_int = 99;
	CHECK(lio_listio(LIO_NOWAIT, list, N, &sig) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
	CHECK(ev.filter == EVFILT_AIO);
	CHECK(ev.ident == (uintptr_t)list);
	CHECK((intptr_t)ev.udata == 99);
	for (int i = 0; i < N; i++) {
		CHECK(aio_error(&cbs[i]) == 0);
		CHECK(aio_return(&cbs[i]) == 100);
	}
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);

	cbs[0].aio_sigevent.sigev_notify = SIGEV_KEVENT;
	cbs[0].aio_sigevent.sigev_notify_kqueue = 77;
	CHECK_ERR(aio_read(&cbs[0]), EBADF);
	return 0;
}
