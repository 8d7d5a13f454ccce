/*
 * A list some of whose entries fail (LTP lio_listio 13-1; POSIX: "[EIO]
 * One or more of the individual I/O operations failed. The application
 * may check the error status for each aiocb"): an entry on a closed
 * descriptor (EBADF), an entry with an unknown opcode (EINVAL) and a
 * read on a write-only descriptor (EBADF) beside two good writes. With
 * LIO_WAIT and with LIO_NOWAIT the call is -1 with EIO; aio_error of each
 * entry tells which failed and why, and the good ones completed.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char buf[5][16];
static struct aiocb cbs[5];

static void prep(int fd, int wo)
{
	for (int i = 0; i < 5; i++) {
		memset(&cbs[i], 0, sizeof(cbs[i]));
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = buf[i];
		cbs[i].aio_nbytes = sizeof(buf[i]);
		cbs[i].aio_offset = i * 16;
		cbs[i].aio_lio_opcode = LIO_WRITE;
	}
	cbs[1].aio_fildes = 99; /* not open */
	cbs[2].aio_lio_opcode = 42;
	cbs[3].aio_fildes = wo;
	cbs[3].aio_lio_opcode = LIO_READ;
}

static void check_entries(void)
{
	const struct aiocb *l[2] = {&cbs[0], &cbs[4]};
	for (int i = 0; i < 2; i++)
		while (aio_error(l[i]) == EINPROGRESS)
			CHECK(aio_suspend(&l[i], 1, NULL) == 0);
	CHECK(aio_error(&cbs[0]) == 0 && aio_return(&cbs[0]) == 16);
	CHECK(aio_error(&cbs[4]) == 0 && aio_return(&cbs[4]) == 16);
	CHECK(aio_error(&cbs[1]) == EBADF);
	CHECK(aio_error(&cbs[2]) == EINVAL);
	CHECK(aio_error(&cbs[3]) == EBADF);
	CHECK_ERR(aio_return(&cbs[1]), EBADF);
	CHECK_ERR(aio_return(&cbs[2]), EINVAL);
	CHECK_ERR(aio_return(&cbs[3]), EBADF);
}

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	int wo = open("/f", O_WRONLY);
	CHECK(fd >= 0 && wo >= 0);
	struct aiocb *list[5] = {&cbs[0], &cbs[1], &cbs[2], &cbs[3], &cbs[4]};
	prep(fd, wo);
	CHECK_ERR(lio_listio(LIO_WAIT, list, 5, NULL), EIO);
	check_entries();
	prep(fd, wo);
	CHECK_ERR(lio_listio(LIO_NOWAIT, list, 5, NULL), EIO);
	check_entries();
	return 0;
}
