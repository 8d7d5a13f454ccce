/*
 * aio_fsync (LTP aio_fsync 2-1, 4-1, 5-1, 8-x): op must be O_SYNC or
 * O_DSYNC (EINVAL otherwise); the descriptor must be open for writing
 * (EBADF); only aio_fildes and aio_sigevent are read — POSIX says the
 * other members are ignored, so an aio_reqprio of -1, a negative
 * aio_offset, a huge aio_nbytes and a NULL aio_buf do not matter; the
 * request ends with aio_error 0 and aio_return 0.
 */
#include <aio.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void run_fsync(int fd, int op)
{
	struct aiocb cb;
	memset(&cb, 0x5a, sizeof(cb)); /* garbage everywhere but... */
	cb.aio_fildes = fd;
	cb.aio_reqprio = -1;
	cb.aio_offset = -4096;
	cb.aio_nbytes = SIZE_MAX;
	cb.aio_buf = NULL;
	memset(&cb.aio_sigevent, 0, sizeof(cb.aio_sigevent));
	cb.aio_sigevent.sigev_notify = SIGEV_NONE;
	CHECK(aio_fsync(op, &cb) == 0);
	const struct aiocb *l[1] = {&cb};
	while (aio_error(&cb) == EINPROGRESS)
		CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_error(&cb) == 0);
	CHECK(aio_return(&cb) == 0);
}

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "data", 4) == 4);
	run_fsync(fd, O_SYNC);
	run_fsync(fd, O_DSYNC);

	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	CHECK_ERR(aio_fsync(0, &cb), EINVAL);
	CHECK_ERR(aio_fsync(O_RDWR, &cb), EINVAL);
	CHECK_ERR(aio_fsync(-1, &cb), EINVAL);
	int ro = open("/f", O_RDONLY);
	CHECK(ro >= 0);
	cb.aio_fildes = ro;
	CHECK_ERR(aio_fsync(O_SYNC, &cb), EBADF);
	cb.aio_fildes = 55;
	CHECK_ERR(aio_fsync(O_DSYNC, &cb), EBADF);
	return 0;
}
