/*
 * close(2) cancels the requests outstanding on the descriptor (Solaris
 * libc aio.c's _aio_close; POSIX leaves it to the implementation): a
 * read blocked on a pipe ends with ECANCELED when its descriptor is
 * closed, and aio_return takes that result once. A write to a regular
 * file that completes is unaffected by closing afterwards.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	static char in[8];
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	CHECK(aio_read(&r) == 0);
	usleep(1000);
	CHECK(close(p[0]) == 0);
	const struct aiocb *l[1] = {&r};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_error(&r) == ECANCELED);
	CHECK_ERR(aio_return(&r), ECANCELED);

	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	struct aiocb w;
	memset(&w, 0, sizeof(w));
	w.aio_fildes = fd;
	w.aio_buf = in;
	w.aio_nbytes = sizeof(in);
	CHECK(aio_write(&w) == 0);
	l[0] = &w;
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(close(fd) == 0);
	CHECK(aio_error(&w) == 0);
	CHECK(aio_return(&w) == (ssize_t)sizeof(in));
	return 0;
}
