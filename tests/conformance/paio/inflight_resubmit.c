/*
 * An aiocb is one request at a time: submitting a block whose request
 * has not ended is EINVAL and leaves that request untouched (Solaris
 * libc aio.c's hash insert; POSIX: "simultaneous asynchronous operations
 * using the same aiocb produce undefined results"). Once it ended the
 * block may be submitted again, even before aio_return (the old result
 * is discarded).
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
	static char in[4];
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	CHECK(aio_read(&r) == 0);
	CHECK_ERR(aio_read(&r), EINVAL);
	CHECK_ERR(aio_write(&r), EINVAL);
	CHECK(aio_error(&r) == EINPROGRESS);
	CHECK(write(p[1], "1234", 4) == 4);
	const struct aiocb *l[1] = {&r};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_error(&r) == 0);
	/* ended, not reaped: a new submission replaces it */
	CHECK(aio_read(&r) == 0);
	CHECK(aio_error(&r) == EINPROGRESS);
	CHECK(write(p[1], "56", 2) == 2);
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&r) == 2);
	CHECK(memcmp(in, "56", 2) == 0);
	return 0;
}
