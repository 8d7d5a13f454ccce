/*
 * aio_fsync completes only after every write queued before it: "all
 * currently queued I/O operations shall be completed as if by a call to
 * fsync()" (POSIX; LTP aio_fsync 2-1, FreeBSD aio_test's fsync case).
 * Twelve writes spread over the worker pool, then an aio_fsync: when it
 * reports done, every write before it has ended with its full count and
 * the bytes are in the file.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 12
#define LEN 512

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	static char bufs[N][LEN];
	static struct aiocb w[N];
	for (int i = 0; i < N; i++) {
		memset(bufs[i], 'a' + i, LEN);
		w[i].aio_fildes = fd;
		w[i].aio_buf = bufs[i];
		w[i].aio_nbytes = LEN;
		w[i].aio_offset = (off_t)i * LEN;
		CHECK(aio_write(&w[i]) == 0);
	}
	struct aiocb s;
	memset(&s, 0, sizeof(s));
	s.aio_fildes = fd;
	CHECK(aio_fsync(O_SYNC, &s) == 0);
	const struct aiocb *l[1] = {&s};
	while (aio_error(&s) == EINPROGRESS)
		CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&s) == 0);
	for (int i = 0; i < N; i++) {
		CHECK(aio_error(&w[i]) == 0);
		CHECK(aio_return(&w[i]) == LEN);
	}
	static char back[N * LEN];
	CHECK(pread(fd, back, sizeof(back), 0) == (ssize_t)sizeof(back));
	for (int i = 0; i < N * LEN; i++)
		CHECK(back[i] == 'a' + i / LEN);
	return 0;
}
