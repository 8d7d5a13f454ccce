/* <stdlib.h>'s heap: malloc, calloc, realloc, aligned allocations, string
 * copies; blocks are zeroed and their bytes past the request are not the
 * program's (EFAULT for a system call). With argument "double" it frees a
 * block twice, with "assert" an assertion fails: each fails the run with
 * its line. */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static char *volatile keep;
/* hidden from the compiler, which would warn about the bad calls */
static volatile size_t huge = SIZE_MAX / 2, sixteen = 16;

int main(int argc, char **argv)
{
	int *a = malloc(10 * sizeof(int));
	CHECK(a != NULL);
	for (int i = 0; i < 10; i++)
		CHECK(a[i] == 0); /* zeroed in every run: deterministic */
	a = realloc(a, 1000 * sizeof(int));
	CHECK(a != NULL && a[0] == 0);
	a[999] = 7;
	free(a);
	int *c = calloc(4, sizeof(int));
	CHECK(c != NULL && c[3] == 0);
	free(c);
	CHECK(calloc(huge, 4) == NULL && errno == ENOMEM);
	void *p = NULL;
	CHECK(posix_memalign(&p, 256, 100) == 0 && ((uintptr_t)p & 255) == 0);
	free(p);
	CHECK(posix_memalign(&p, 3, 100) == EINVAL);
	void *q = aligned_alloc(64, 128);
	CHECK(q != NULL && ((uintptr_t)q & 63) == 0);
	free(q);
	char *d = strdup("copy");
	char *n = strndup("copy", 2);
	CHECK(d != NULL && n != NULL && strcmp(d, "copy") == 0 && strcmp(n, "co") == 0);
	free(d);
	free(n);
	free(NULL);

	/* the bytes past a block's request are not the program's */
	char *b = malloc(8);
	int fd = open("/h", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && write(fd, "0123456789abcdef", 16) == 16);
	CHECK(pread(fd, b, 8, 0) == 8);
	CHECK_ERR(pread(fd, b, sixteen, 0), EFAULT);
	CHECK(close(fd) == 0);
	free(b);

	if (argc > 1 && strcmp(argv[1], "double") == 0) {
		keep = malloc(16);
		free(keep);
		free(keep); /* fails the run here */
	}
	if (argc > 1 && strcmp(argv[1], "assert") == 0)
		assert(argc == 1); /* fails the run here */
	puts("heap ok");
	return 0;
}
