/*
 * aio_error and aio_return on a block that names no request (LTP
 * aio_error 3-1, aio_return 2-1/3-1): a zeroed aiocb never submitted,
 * and one whose result was already taken, are EINVAL; aio_cancel of
 * such a block is AIO_ALLDONE (nothing to cancel), and aio_suspend on it
 * returns at once (a block with no request in flight counts as done, as
 * Solaris libc checks aio_errno != EINPROGRESS).
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	CHECK_ERR(aio_error(&cb), EINVAL);
	CHECK_ERR(aio_return(&cb), EINVAL);
	CHECK(aio_cancel(fd, &cb) == AIO_ALLDONE);
	const struct aiocb *list[1] = {&cb};
	struct timespec zero = {0, 0};
	CHECK(aio_suspend(list, 1, &zero) == 0);

	static char buf[8];
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	CHECK(aio_write(&cb) == 0);
	CHECK(aio_suspend(list, 1, NULL) == 0);
	CHECK(aio_error(&cb) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));
	CHECK_ERR(aio_error(&cb), EINVAL);
	CHECK_ERR(aio_return(&cb), EINVAL);
	CHECK(aio_cancel(fd, &cb) == AIO_ALLDONE);
	return 0;
}
