/*
 * aio_write then aio_read of the same bytes on a regular file: while a
 * request runs aio_error says EINPROGRESS, afterwards 0; aio_return gives
 * the byte count once and EINVAL after it was taken (the request is gone);
 * aio_suspend with a NULL timeout returns once the request is done; the
 * file offset is not moved (the requests use aio_offset, like pread and
 * pwrite). What LTP's aio_write 1-1/1-2 and aio_read 1-1 check.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void wait_for(struct aiocb *cb)
{
	const struct aiocb *list[1] = {cb};
	while (aio_error(cb) == EINPROGRESS)
		CHECK(aio_suspend(list, 1, NULL) == 0);
}

int main(void)
{
	int fd = open("/data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	char out[512], in[512];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)('a' + i % 26);

	struct aiocb w;
	memset(&w, 0, sizeof(w));
	w.aio_fildes = fd;
	w.aio_buf = out;
	w.aio_nbytes = sizeof(out);
	w.aio_offset = 100;
	w.aio_sigevent.sigev_notify = SIGEV_NONE;
	CHECK(aio_write(&w) == 0);
	int e = aio_error(&w);
	CHECK(e == EINPROGRESS || e == 0);
	wait_for(&w);
	CHECK(aio_error(&w) == 0);
	CHECK(aio_return(&w) == (ssize_t)sizeof(out));
	CHECK_ERR(aio_return(&w), EINVAL); /* taken once */
	CHECK_ERR(aio_error(&w), EINVAL);  /* no request any more */
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);
	CHECK(lseek(fd, 0, SEEK_END) == 100 + (off_t)sizeof(out));

	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = fd;
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	r.aio_offset = 100;
	CHECK(aio_read(&r) == 0);
	wait_for(&r);
	CHECK(aio_return(&r) == (ssize_t)sizeof(in));
	CHECK(memcmp(in, out, sizeof(in)) == 0);

	/* a read past the end moves nothing */
	r.aio_offset = 10000;
	CHECK(aio_read(&r) == 0);
	wait_for(&r);
	CHECK(aio_error(&r) == 0);
	CHECK(aio_return(&r) == 0);
	CHECK(close(fd) == 0);
	return 0;
}
