/*
 * EBADF (LTP aio_read 8-1, aio_write 7-1, aio_fsync 4-1): a descriptor
 * that is not open, -1, a read on a descriptor opened O_WRONLY and a write
 * on one opened O_RDONLY. simk checks at submission, as FreeBSD does:
 * -1 with EBADF, and the error stays in the block (aio_error EBADF,
 * aio_return -1 once). Solaris libc queues them and lets the worker's
 * pread fail with the same EBADF.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char buf[16];

static void check_refused(struct aiocb *cb, int (*call)(struct aiocb *))
{
	CHECK_ERR(call(cb), EBADF);
	CHECK(aio_error(cb) == EBADF);
	CHECK_ERR(aio_return(cb), EBADF);
	CHECK_ERR(aio_return(cb), EINVAL);
}

static int do_fsync(struct aiocb *cb)
{
	return aio_fsync(O_SYNC, cb);
}

int main(void)
{
	int rd = open("/f", O_RDONLY | O_CREAT, 0644);
	int wr = open("/f", O_WRONLY);
	CHECK(rd >= 0 && wr >= 0);
	int gone = dup(rd);
	CHECK(gone >= 0 && close(gone) == 0);

	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	int bad[] = {-1, gone, 200};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cb.aio_fildes = bad[i];
		check_refused(&cb, aio_read);
		check_refused(&cb, aio_write);
		check_refused(&cb, do_fsync);
	}
	cb.aio_fildes = wr;
	check_refused(&cb, aio_read);
	cb.aio_fildes = rd;
	check_refused(&cb, aio_write);
	check_refused(&cb, do_fsync); /* fsync needs a descriptor open for writing */
	return 0;
}
