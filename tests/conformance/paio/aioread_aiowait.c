/*
 * Solaris aioread(3C), aiowrite and aiowait(3C): the result block reads
 * AIO_INPROGRESS in aio_return until the request ends; aiowait hands out
 * the address of a finished aio_result_t, each once, with aio_return the
 * byte count and aio_errno 0; aiowait with a zero timeval polls and
 * returns 0 when nothing finished; with nothing in flight it fails with
 * EINVAL; a timeval with tv_usec out of range is EINVAL. whence SEEK_CUR
 * and SEEK_END are resolved at submission against the file offset and
 * size, which the requests do not move.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/asynch.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	errno = 0;
	CHECK(aiowait(NULL) == (aio_result_t *)-1 && errno == EINVAL);

	static char out[100], in[100];
	memset(out, 'k', sizeof(out));
	aio_result_t wr, rd;
	CHECK(aiowrite(fd, out, sizeof(out), 0, SEEK_SET, &wr) == 0);
	aio_result_t *done = aiowait(NULL);
	CHECK(done == &wr);
	CHECK(wr.aio_return == (ssize_t)sizeof(out) && wr.aio_errno == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);

	/* SEEK_END - 40: the last 40 bytes */
	CHECK(aioread(fd, in, 40, -40, SEEK_END, &rd) == 0);
	CHECK(aiowait(NULL) == &rd);
	CHECK(rd.aio_return == 40 && memcmp(in, out, 40) == 0);
	/* SEEK_CUR from a file offset of 90: 10 bytes before the end */
	CHECK(lseek(fd, 90, SEEK_SET) == 90);
	CHECK(aioread(fd, in, 40, 0, SEEK_CUR, &rd) == 0);
	CHECK(aiowait(NULL) == &rd);
	CHECK(rd.aio_return == 10);
	CHECK(lseek(fd, 0, SEEK_CUR) == 90);

	/* a read on an empty pipe: in progress, the poll finds nothing */
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(aioread(p[0], in, 5, 0, SEEK_SET, &rd) == 0);
	CHECK(rd.aio_return == AIO_INPROGRESS);
	struct timeval zero = {0, 0};
	CHECK(aiowait(&zero) == NULL);
	struct timeval bad = {0, 1000000};
	errno = 0;
	CHECK(aiowait(&bad) == (aio_result_t *)-1 && errno == EINVAL);
	CHECK(write(p[1], "12345", 5) == 5);
	struct timeval sec = {1, 0};
	CHECK(aiowait(&sec) == &rd);
	CHECK(rd.aio_return == 5 && rd.aio_errno == 0 && memcmp(in, "12345", 5) == 0);
	errno = 0;
	CHECK(aiowait(&zero) == (aio_result_t *)-1 && errno == EINVAL);
	return 0;
}
