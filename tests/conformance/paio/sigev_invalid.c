/*
 * Notification types that are refused with EINVAL at submission: an
 * unknown sigev_notify, SIGEV_THREAD without a function or with an
 * address that is not code, and, in simk, SIGEV_SIGNAL with a signal
 * number (guest programs cannot catch signals yet, so the default action
 * would end the process; FreeBSD's aio_read(2) documents EINVAL for a
 * notification method that is not supported). SIGEV_SIGNAL with signal 0
 * sends nothing and is accepted (Solaris libc's rule). A LIO_NOWAIT list
 * whose sigevent or one of whose entries asks for a signal is refused
 * whole, before any entry is queued.
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
	cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb.aio_sigevent.sigev_signo = SIGUSR1;
	CHECK_ERR(aio_write(&cb), EINVAL);
	CHECK_ERR(aio_read(&cb), EINVAL);
	CHECK_ERR(aio_fsync(O_SYNC, &cb), EINVAL);

	/* lists */
	struct aiocb ok;
	memset(&ok, 0, sizeof(ok));
	ok.aio_fildes = fd;
	ok.aio_buf = buf;
	ok.aio_nbytes = sizeof(buf);
	ok.aio_lio_opcode = LIO_WRITE;
	cb.aio_lio_opcode = LIO_WRITE;
	struct aiocb *list[2] = {&ok, &cb};
	CHECK_ERR(lio_listio(LIO_NOWAIT, list, 2, NULL), EINVAL);
	CHECK_ERR(aio_error(&ok), EINVAL); /* never queued */
	struct sigevent sig;
	memset(&sig, 0, sizeof(sig));
	sig.sigev_notify = SIGEV_SIGNAL;
	sig.sigev_signo = SIGUSR2;
	CHECK_ERR(lio_listio(LIO_NOWAIT, list, 1, &sig), EINVAL);
	CHECK_ERR(aio_error(&ok), EINVAL);

	/* signal 0: nothing is sent, the request runs */
	cb.aio_sigevent.sigev_signo = 0;
	CHECK(aio_write(&cb) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));
	return 0;
}
