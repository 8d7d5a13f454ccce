/* Short transfers: a read that crosses the end of file returns the bytes
 * up to it and a read at or past it returns 0; a buffered write that runs
 * out of space on the (8 MiB) simulated disk completes with the bytes it
 * wrote, not with the error (Linux 2.6 aio_pwrite: "we've already written
 * some data"), and the next write at the end of the file completes with
 * res = -ENOSPC; the same for a write that crosses the largest file size
 * (then -EFBIG). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "laio_test.h"

#define CHUNK (256 * 1024)

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(4, &ctx), 0);
	int fd = make_file("/short", 1000, 1, O_RDWR);
	char buf[600];
	struct iocb cb, *list[1] = {&cb};
	struct io_event ev;
	io_prep_pread(&cb, fd, buf, sizeof(buf), 700);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 300);
	CHECK(same_bytes(buf, 300, 700, 1));
	io_prep_pread(&cb, fd, buf, sizeof(buf), 1000);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 0);
	io_prep_pread(&cb, fd, buf, sizeof(buf), 5000);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 0);

	/* Fill files a quarter megabyte at a time: each write that crosses
	 * the largest file simfs allows is short and the next one is -EFBIG;
	 * then the next file. Once the disk is full, the write that meets
	 * the end of the space is short and the next one is -ENOSPC. */
	char *big = malloc(CHUNK);
	CHECK(big != NULL);
	memset(big, 'z', CHUNK);
	int efbig = 0, enospc = 0;
	for (int f = 0; f < 64 && !enospc; f++) {
		char name[16];
		snprintf(name, sizeof(name), "/fill%d", f);
		int ffd = open(name, O_CREAT | O_RDWR, 0644);
		CHECK(ffd >= 0);
		long long off = 0;
		int shorts = 0;
		for (;;) {
			io_prep_pwrite(&cb, ffd, big, CHUNK, off);
			CHECK_IS(io_submit(ctx, 1, list), 1);
			CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
			long res = (long)ev.res;
			if (res < 0) {
				/* only right after a short write */
				CHECK_IS(shorts, 1);
				CHECK(res == -EFBIG || res == -ENOSPC);
				efbig += res == -EFBIG;
				enospc += res == -ENOSPC;
				break;
			}
			CHECK(res > 0);
			if (res < CHUNK)
				shorts++;
			off += res;
		}
		struct stat st;
		CHECK(fstat(ffd, &st) == 0 && st.st_size == off);
		CHECK(close(ffd) == 0);
	}
	CHECK(efbig >= 1);
	CHECK_IS(enospc, 1);

	free(big);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
