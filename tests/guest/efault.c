/* NULL, freed and wild pointers make a call fail with EFAULT; they never
 * crash simk. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* Hidden from the compiler, which would warn about the bad calls. */
static void *volatile null_ptr;
static char *volatile freed;

int main(void)
{
	int fd = open("/f", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "data", 4) == 4);
	CHECK_ERR(write(fd, null_ptr, 4), EFAULT);
	CHECK_ERR(pread(fd, null_ptr, 4, 0), EFAULT);
	char *h = malloc(64);
	CHECK(h != NULL);
	CHECK(pread(fd, h, 4, 0) == 4 && memcmp(h, "data", 4) == 0);
	freed = h;
	free(h);
	CHECK_ERR(pread(fd, freed, 4, 0), EFAULT); /* freed */
	CHECK_ERR(write(fd, freed, 4), EFAULT);
	CHECK_ERR(pread(fd, (void *)0x1000, 4, 0), EFAULT); /* wild */
	CHECK_ERR(pread(fd, (void *)~0UL, 4, 0), EFAULT);
	CHECK_ERR(open(null_ptr, O_RDONLY), EFAULT);
	CHECK_ERR(stat("/f", null_ptr), EFAULT);
	CHECK_ERR(fstat(fd, (struct stat *)0x10), EFAULT);
	CHECK_ERR(pipe(null_ptr), EFAULT);
	static const char ro[8] = "const";
	CHECK_ERR(pread(fd, (void *)ro, 4, 0), EFAULT); /* read-only data */
	CHECK(close(fd) == 0);
	puts("efault ok");
	return 0;
}
