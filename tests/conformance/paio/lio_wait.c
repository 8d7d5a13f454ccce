/*
 * lio_listio(LIO_WAIT) returns when every entry has completed (LTP
 * lio_listio 1-1, 3-1, 7-1; FreeBSD aio_test's lio cases): a list of
 * writes, reads of bytes written before, LIO_NOP entries and NULL
 * entries (both skipped) — on return each READ/WRITE entry has aio_error
 * 0 and its full aio_return, with no aio_suspend; a LIO_NOP entry was
 * never submitted (aio_error EINVAL). The sigevent argument is ignored
 * with LIO_WAIT.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 6
#define LEN 256

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	static char old[LEN], bufs[N][LEN];
	memset(old, 'o', LEN);
	CHECK(pwrite(fd, old, LEN, 0) == LEN);
	static struct aiocb cbs[N];
	struct aiocb *list[N + 2];
	for (int i = 0; i < N; i++) {
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = LEN;
		if (i < 3) { /* writes after the first block */
			memset(bufs[i], '1' + i, LEN);
			cbs[i].aio_offset = (off_t)(i + 1) * LEN;
			cbs[i].aio_lio_opcode = LIO_WRITE;
		} else if (i < 5) { /* reads of the first block */
			cbs[i].aio_offset = 0;
			cbs[i].aio_lio_opcode = LIO_READ;
		} else {
			cbs[i].aio_lio_opcode = LIO_NOP;
		}
		list[i] = &cbs[i];
	}
	list[N] = NULL;
	list[N + 1] = NULL;
	struct sigevent ignored;
	memset(&ignored, 0, sizeof(ignored));
	ignored.sigev_notify = 12345; /* not looked at with LIO_WAIT */
	CHECK(lio_listio(LIO_WAIT, list, N + 2, &ignored) == 0);
	for (int i = 0; i < 5; i++) {
		CHECK(aio_error(&cbs[i]) == 0);
		CHECK(aio_return(&cbs[i]) == LEN);
	}
	CHECK_ERR(aio_error(&cbs[5]), EINVAL);
	CHECK(memcmp(bufs[3], old, LEN) == 0 && memcmp(bufs[4], old, LEN) == 0);
	static char back[LEN];
	for (int i = 0; i < 3; i++) {
		CHECK(pread(fd, back, LEN, (off_t)(i + 1) * LEN) == LEN);
		CHECK(memcmp(back, bufs[i], LEN) == 0);
	}
	return 0;
}
