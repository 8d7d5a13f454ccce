/*
 * Notifications refused with EINVAL at submission (POSIX: an invalid
 * sigevent; FreeBSD aio_read(2) documents EINVAL for it): an unknown
 * sigev_notify, SIGEV_THREAD without a function or with an address that
 * is not code, SIGEV_SIGNAL with a signal number out of range. Nothing is
 * queued. SIGEV_SIGNAL with signal 0 sends nothing and is accepted
 * (Solaris libc aio.c's rule), for a request and for a list. A LIO_WAIT
 * list's sigevent is not looked at (lio_wait.c).
 */
#include <aio.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char buf[32];
static int not_code;

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);

	cb.aio_sigevent.sigev_notify = 77;
	CHECK_ERR(aio_write(&cb), EINVAL);
	cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
	cb.aio_sigevent.sigev_notify_function = NULL;
	CHECK_ERR(aio_write(&cb), EINVAL);
	cb.aio_sigevent.sigev_notify_function = (void (*)(union sigval))(void *)&not_code;
	CHECK_ERR(aio_write(&cb), EINVAL);
	CHECK_ERR(aio_fsync(O_SYNC, &cb), EINVAL);
	cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb.aio_sigevent.sigev_signo = 65;
	CHECK_ERR(aio_read(&cb), EINVAL);
	cb.aio_sigevent.sigev_signo = -1;
	CHECK_ERR(aio_write(&cb), EINVAL);

	/* the list's own sigevent */
	struct aiocb ok;
	memset(&ok, 0, sizeof(ok));
	ok.aio_fildes = fd;
	ok.aio_buf = buf;
	ok.aio_nbytes = sizeof(buf);
	ok.aio_lio_opcode = LIO_WRITE;
	struct aiocb *list[1] = {&ok};
	struct sigevent sig;
	memset(&sig, 0, sizeof(sig));
	sig.sigev_notify = 77;
	CHECK_ERR(lio_listio(LIO_NOWAIT, list, 1, &sig), EINVAL);
	CHECK_ERR(aio_error(&ok), EINVAL); /* never queued */

	/* signal 0: nothing is sent, the requests run */
	cb.aio_sigevent.sigev_signo = 0;
	CHECK(aio_write(&cb) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));
	sig.sigev_notify = SIGEV_SIGNAL;
	sig.sigev_signo = 0;
	CHECK(lio_listio(LIO_NOWAIT, list, 1, &sig) == 0);
	l[0] = &ok;
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&ok) == (ssize_t)sizeof(buf));
	return 0;
}
