/*
 * aio_cancel answers AIO_ALLDONE when there is nothing left to cancel
 * (LTP aio_cancel 7-1): a request that has completed (its result still
 * untaken, and still intact afterwards), a block never submitted, and
 * aio_cancel(fd, NULL) on a descriptor with no requests. The values are
 * Solaris's (AIO_CANCELED 0, AIO_ALLDONE 1, AIO_NOTCANCELED 2).
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK(AIO_CANCELED == 0 && AIO_ALLDONE == 1 && AIO_NOTCANCELED == 2);
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char buf[100];
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	CHECK(aio_write(&cb) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_cancel(fd, &cb) == AIO_ALLDONE);
	CHECK(aio_cancel(fd, NULL) == AIO_ALLDONE);
	CHECK(aio_error(&cb) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));

	struct aiocb fresh;
	memset(&fresh, 0, sizeof(fresh));
	fresh.aio_fildes = fd;
	CHECK(aio_cancel(fd, &fresh) == AIO_ALLDONE);
	int other = open("/g", O_RDWR | O_CREAT, 0644);
	CHECK(aio_cancel(other, NULL) == AIO_ALLDONE);
	return 0;
}
