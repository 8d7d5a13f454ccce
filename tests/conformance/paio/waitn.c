/*
 * Solaris aio_waitn(3C): waits until *nwait requests have completed and
 * hands back their aiocb pointers, each once, the count in *nwait;
 * requests are still reaped with aio_return. A timeout that passes first
 * is ETIME, with what completed stored; *nwait 0 polls; nothing in
 * flight is EAGAIN; *nwait above nent and nent 0 are EINVAL. Only
 * requests with SIGEV_NONE are collected (Solaris libc aio.c puts no
 * other on its done queue).
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define N 4

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	struct aiocb *out[N];
	unsigned int nwait = 1;
	CHECK_ERR(aio_waitn(out, N, &nwait, NULL), EAGAIN);

	static char bufs[N][32];
	static struct aiocb cbs[N];
	for (int i = 0; i < N; i++) {
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = 32;
		cbs[i].aio_offset = i * 32;
		cbs[i].aio_sigevent.sigev_notify = SIGEV_NONE;
		CHECK(aio_write(&cbs[i]) == 0);
	}
	nwait = N + 1;
	CHECK_ERR(aio_waitn(out, N, &nwait, NULL), EINVAL);
	nwait = 1;
	CHECK_ERR(aio_waitn(out, 0, &nwait, NULL), EINVAL);

	unsigned int seen = 0;
	int mark[N] = {0};
	while (seen < N) {
		nwait = N - seen;
		CHECK(aio_waitn(out, N, &nwait, NULL) == 0);
		CHECK(nwait >= 1 && nwait <= N - seen);
		for (unsigned int i = 0; i < nwait; i++) {
			int k = (int)(out[i] - cbs);
			CHECK(k >= 0 && k < N && !mark[k]);
			mark[k] = 1;
			CHECK(aio_error(out[i]) == 0);
			CHECK(aio_return(out[i]) == 32);
		}
		seen += nwait;
	}
	CHECK_ERR(aio_waitn(out, N, &nwait, NULL), EAGAIN);

	/* a pipe read that never completes: the timeout */
	int p[2];
	CHECK(pipe(p) == 0);
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = bufs[0];
	r.aio_nbytes = 1;
	r.aio_sigevent.sigev_notify = SIGEV_NONE; /* a zeroed sigevent is SIGEV_SIGNAL, signal 0 */
	CHECK(aio_read(&r) == 0);
	nwait = 1;
	struct timespec ts = {0, 1000 * 1000};
	CHECK_ERR(aio_waitn(out, N, &nwait, &ts), ETIME);
	CHECK(nwait == 0);
	nwait = 0;
	CHECK(aio_waitn(out, N, &nwait, NULL) == 0); /* a poll */
	CHECK(nwait == 0);
	CHECK(write(p[1], "!", 1) == 1);
	nwait = 1;
	CHECK(aio_waitn(out, N, &nwait, NULL) == 0);
	CHECK(nwait == 1 && out[0] == &r);
	CHECK(aio_return(&r) == 1);
	return 0;
}
