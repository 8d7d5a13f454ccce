/*
 * The headers a POSIX AIO program includes, in the order many do
 * (<signal.h> and <time.h> before <aio.h>, <sys/asynch.h> after): one
 * struct sigevent for all of them, with POSIX's members
 * (sigev_notify_attributes too) and FreeBSD's SIGEV_KEVENT names; the
 * notification types and the aio_cancel / lio_listio constants with the
 * values simk's kernel uses (Solaris's for AIO_*, LIO_*); O_SYNC and
 * O_DSYNC for aio_fsync; aio_result_t and AIO_INPROGRESS of Solaris.
 * A struct sigevent built for timer_create is the same type as an
 * aiocb's.
 */
#include <signal.h>
#include <time.h>

#include <aio.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/asynch.h>

#include "check.h"

int main(void)
{
	CHECK(SIGEV_SIGNAL == 0 && SIGEV_NONE == 1 && SIGEV_THREAD == 2);
	CHECK(SIGEV_PORT == 4 && SIGEV_KEVENT == 5);
	CHECK(AIO_CANCELED == 0 && AIO_ALLDONE == 1 && AIO_NOTCANCELED == 2);
	CHECK(LIO_NOWAIT == 0 && LIO_WAIT == 1);
	CHECK(LIO_NOP == 0 && LIO_READ == 1 && LIO_WRITE == 2);
	CHECK(AIO_INPROGRESS == -2);
	CHECK(O_SYNC != O_DSYNC && (O_SYNC & O_DSYNC) == O_DSYNC);

	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = NULL;
	sev.sigev_notify_attributes = NULL;
	sev.sigev_value.sival_int = 5;
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_sigevent = sev; /* the same type everywhere */
	CHECK(cb.aio_sigevent.sigev_value.sival_int == 5);
	sev.sigev_notify_kqueue = 9;
	CHECK(sev.sigev_signo == 9);
	sigevent_t alias = sev;
	CHECK(alias.sigev_signo == 9);

	CHECK(sizeof(struct sigevent) == 32 && sizeof(struct aiocb) == 88);
	CHECK(offsetof(struct aiocb, aio_sigevent) == 32);
	CHECK(sizeof(aio_result_t) == 16 && offsetof(aio_result_t, aio_errno) == 8);
	aiocb_t *p = &cb;
	CHECK(p->aio_resultp.aio_return == 0);
	return 0;
}
