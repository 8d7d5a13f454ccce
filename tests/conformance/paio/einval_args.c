/*
 * EINVAL for the arguments POSIX names (LTP aio_read 9-1..11-2, aio_write
 * 8-1/8-2): a negative aio_offset, a negative aio_reqprio, an aio_nbytes
 * above SSIZE_MAX, an unknown sigev_notify. simk refuses them at
 * submission (-1, EINVAL) and also stores the error in the block, so
 * aio_error says EINVAL and aio_return gives -1 once, as FreeBSD does;
 * Solaris libc would queue them and fail later, with the same errno.
 */
#include <aio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char buf[64];

static void prep(struct aiocb *cb, int fd)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = fd;
	cb->aio_buf = buf;
	cb->aio_nbytes = sizeof(buf);
	cb->aio_sigevent.sigev_notify = SIGEV_NONE;
}

static void refused(struct aiocb *cb, int write)
{
	if (write)
		CHECK_ERR(aio_write(cb), EINVAL);
	else
		CHECK_ERR(aio_read(cb), EINVAL);
	CHECK(aio_error(cb) == EINVAL);
	CHECK_ERR(aio_return(cb), EINVAL);
}

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	struct aiocb cb;
	for (int w = 0; w < 2; w++) {
		prep(&cb, fd);
		cb.aio_offset = -1;
		refused(&cb, w);
		prep(&cb, fd);
		cb.aio_reqprio = -1;
		refused(&cb, w);
		prep(&cb, fd);
		cb.aio_nbytes = (size_t)SSIZE_MAX + 1;
		refused(&cb, w);
		prep(&cb, fd);
		cb.aio_sigevent.sigev_notify = 99;
		refused(&cb, w);
	}
	/* a positive priority is accepted (POSIX: it may only lower it) */
	prep(&cb, fd);
	cb.aio_reqprio = 1;
	CHECK(aio_read(&cb) == 0);
	const struct aiocb *l[1] = {&cb};
	while (aio_error(&cb) == EINPROGRESS)
		CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));
	/* NULL aiocb */
	CHECK_ERR(aio_read(NULL), EINVAL);
	CHECK_ERR(aio_write(NULL), EINVAL);
	return 0;
}
