/* Buffers that are not the program's memory (Linux 2.6 checks only the
 * range with access_ok at io_submit): a read into NULL, into read-only
 * data or into freed memory is accepted and completes with res = -EFAULT
 * in its event; a write from NULL likewise; the file is unchanged by the
 * failed write. A vectored read whose vector points nowhere also
 * completes with -EFAULT. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "laio_test.h"

static const char ro[64] = "read-only";

static long one(io_context_t ctx, struct iocb *cb)
{
	struct iocb *list[1] = {cb};
	struct io_event ev;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK(ev.obj == cb);
	return (long)ev.res;
}

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(4, &ctx), 0);
	int fd = make_file("/b", 64, 3, O_RDWR);
	struct iocb cb;
	io_prep_pread(&cb, fd, NULL, 16, 0);
	CHECK_IS(one(ctx, &cb), -EFAULT);
	io_prep_pread(&cb, fd, (void *)ro, 16, 0);
	CHECK_IS(one(ctx, &cb), -EFAULT);
	CHECK(strcmp(ro, "read-only") == 0);
	char *block = malloc(32);
	CHECK(block != NULL);
	volatile uintptr_t gone = (uintptr_t)block;
	free(block);
	io_prep_pread(&cb, fd, (void *)gone, 16, 0);
	CHECK_IS(one(ctx, &cb), -EFAULT);
	io_prep_pwrite(&cb, fd, NULL, 16, 0);
	CHECK_IS(one(ctx, &cb), -EFAULT);
	struct iovec v[1] = {{(void *)16, 8}};
	io_prep_preadv(&cb, fd, v, 1, 0);
	CHECK_IS(one(ctx, &cb), -EFAULT);

	char back[64];
	CHECK(pread(fd, back, sizeof(back), 0) == 64 && same_bytes(back, 64, 0, 3));
	/* read-only data is fine as the source of a write */
	io_prep_pwrite(&cb, fd, (void *)ro, 9, 0);
	CHECK_IS(one(ctx, &cb), 9);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
