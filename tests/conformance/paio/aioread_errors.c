/*
 * The errors of Solaris aioread(3C) and aiowrite: EBADF for a descriptor
 * not open or not open in the right mode, EINVAL for a bad whence or a
 * negative size, EFAULT for a result block or buffer outside the
 * process's memory (an aio_result_t must be writable: the kernel stores
 * the result there). Nothing is queued: aiowait then says EINVAL.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/asynch.h>
#include <unistd.h>

#include "check.h"

static const aio_result_t read_only_result;

int main(void)
{
	int ro = open("/f", O_RDONLY | O_CREAT, 0644);
	int wo = open("/f", O_WRONLY);
	CHECK(ro >= 0 && wo >= 0);
	static char buf[16];
	aio_result_t res;
	CHECK_ERR(aioread(42, buf, 16, 0, SEEK_SET, &res), EBADF);
	CHECK_ERR(aioread(wo, buf, 16, 0, SEEK_SET, &res), EBADF);
	CHECK_ERR(aiowrite(ro, buf, 16, 0, SEEK_SET, &res), EBADF);
	CHECK_ERR(aioread(ro, buf, 16, 0, 7, &res), EINVAL);
	CHECK_ERR(aioread(ro, buf, -1, 0, SEEK_SET, &res), EINVAL);
	CHECK_ERR(aioread(ro, buf, 16, -5, SEEK_SET, &res), EINVAL);
	CHECK_ERR(aioread(ro, buf, 16, 0, SEEK_SET, (aio_result_t *)&read_only_result), EFAULT);
	CHECK_ERR(aioread(ro, NULL, 16, 0, SEEK_SET, &res), EFAULT);
	errno = 0;
	CHECK(aiowait(NULL) == (aio_result_t *)-1 && errno == EINVAL);
	return 0;
}
