/*
 * Solaris libc aio.c: aio_waitn collects only requests that asked for no
 * notification (SIGEV_NONE). A request notified by SIGEV_THREAD completes
 * and runs its function but is never handed out by aio_waitn, which
 * answers EAGAIN once nothing collectable is in flight; the SIGEV_NONE
 * request beside it is handed out.
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int fired;

static void note(union sigval v)
{
	(void)v;
	pthread_mutex_lock(&m);
	fired = 1;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
}

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char b1[8], b2[8];
	struct aiocb t, n;
	memset(&t, 0, sizeof(t));
	memset(&n, 0, sizeof(n));
	t.aio_fildes = n.aio_fildes = fd;
	t.aio_buf = b1;
	n.aio_buf = b2;
	t.aio_nbytes = n.aio_nbytes = 8;
	n.aio_offset = 8;
	t.aio_sigevent.sigev_notify = SIGEV_THREAD;
	t.aio_sigevent.sigev_notify_function = note;
	n.aio_sigevent.sigev_notify = SIGEV_NONE;
	CHECK(aio_write(&t) == 0);
	CHECK(aio_write(&n) == 0);
	struct aiocb *out[2];
	unsigned int nwait = 2;
	CHECK(aio_waitn(out, 2, &nwait, NULL) == 0);
	CHECK(nwait == 1 && out[0] == &n);
	pthread_mutex_lock(&m);
	while (!fired)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	nwait = 1;
	CHECK_ERR(aio_waitn(out, 2, &nwait, NULL), EAGAIN);
	CHECK(aio_return(&t) == 8 && aio_return(&n) == 8);
	return 0;
}
