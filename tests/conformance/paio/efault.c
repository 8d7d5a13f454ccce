/*
 * Bad addresses are EFAULT, never a crash: an aio_read into a NULL or
 * read-only buffer, an aio_write from a NULL buffer, an aiocb the kernel
 * cannot write its result into (a const object), an aio_suspend list or
 * timeout at a wild address, an aio_waitn count at NULL. A NULL aiocb
 * names no request: EINVAL (Solaris libc).
 */
#include <aio.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char read_only[64] = "constant";
static const struct aiocb const_cb;
static volatile uintptr_t wild_addr = 16; /* a page nobody maps */

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_nbytes = 10;
	cb.aio_buf = NULL;
	CHECK_ERR(aio_read(&cb), EFAULT);
	CHECK_ERR(aio_write(&cb), EFAULT);
	cb.aio_buf = (void *)read_only;
	CHECK_ERR(aio_read(&cb), EFAULT);
	CHECK(read_only[0] == 'c');
	CHECK_ERR(aio_read((struct aiocb *)&const_cb), EFAULT);
	CHECK_ERR(aio_error(NULL), EINVAL);
	CHECK_ERR(aio_read(NULL), EINVAL);

	const struct aiocb *const *wild = (const void *)wild_addr;
	struct timespec ts = {0, 1000};
	CHECK_ERR(aio_suspend(wild, 1, &ts), EFAULT);
	const struct aiocb *l[1] = {&cb};
	CHECK_ERR(aio_suspend(l, 1, (const struct timespec *)(wild_addr + 8)), EFAULT);
	struct aiocb *out[1];
	CHECK_ERR(aio_waitn(out, 1, NULL, NULL), EINVAL);
	return 0;
}
