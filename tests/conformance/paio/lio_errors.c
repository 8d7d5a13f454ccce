/*
 * lio_listio's own errors (LTP lio_listio 10-1, 11-1, 12-1): a mode
 * other than LIO_WAIT or LIO_NOWAIT, nent 0 or negative, nent above
 * AIO_LISTIO_MAX are EINVAL and submit nothing (aio_error of the entry
 * stays EINVAL). sysconf(_SC_AIO_LISTIO_MAX) says AIO_LISTIO_MAX.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char buf[8];
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_lio_opcode = LIO_WRITE;
	struct aiocb *list[1] = {&cb};
	CHECK(sysconf(_SC_AIO_LISTIO_MAX) == AIO_LISTIO_MAX);
	CHECK_ERR(lio_listio(2, list, 1, NULL), EINVAL);
	CHECK_ERR(lio_listio(-1, list, 1, NULL), EINVAL);
	CHECK_ERR(lio_listio(LIO_WAIT, list, 0, NULL), EINVAL);
	CHECK_ERR(lio_listio(LIO_NOWAIT, list, -3, NULL), EINVAL);
	CHECK_ERR(lio_listio(LIO_WAIT, list, AIO_LISTIO_MAX + 1, NULL), EINVAL);
	CHECK_ERR(aio_error(&cb), EINVAL);
	CHECK(lio_listio(LIO_WAIT, list, 1, NULL) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));
	return 0;
}
