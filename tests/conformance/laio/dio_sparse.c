/* O_DIRECT writes into holes and past the end (LTP aiodio's dio_sparse
 * and aiodio_append ideas): writes at scattered offsets of an empty file
 * complete with their counts; the file's size is the end of the last
 * one; the holes read back as zeros and the written blocks with their
 * bytes, through O_DIRECT AIO reads; an append-style series of writes at
 * the growing end leaves a file of exactly their total. */
#define _GNU_SOURCE /* O_DIRECT */
#include <stdlib.h>
#include <sys/stat.h>

#include "laio_test.h"

#define BLOCK 4096

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(16, &ctx), 0);
	int fd = open("/sparse", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	char *w = aligned_alloc(BLOCK, BLOCK), *r = aligned_alloc(BLOCK, 8 * BLOCK);
	CHECK(w != NULL && r != NULL);
	memset(w, 0x77, BLOCK);
	long long offs[3] = {BLOCK, 5 * BLOCK, 2 * BLOCK};
	struct iocb cb[3], *list[3];
	for (int i = 0; i < 3; i++) {
		io_prep_pwrite(&cb[i], fd, w, BLOCK, offs[i]);
		list[i] = &cb[i];
	}
	CHECK_IS(io_submit(ctx, 3, list), 3);
	struct io_event ev[3];
	CHECK_IS(io_getevents(ctx, 3, 3, ev, NULL), 3);
	for (int i = 0; i < 3; i++)
		CHECK_IS(ev[i].res, BLOCK);
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	CHECK_IS(st.st_size, 6 * BLOCK);

	io_prep_pread(&cb[0], fd, r, 8 * BLOCK, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS(ev[0].res, 6 * BLOCK);
	for (int b = 0; b < 6; b++) {
		int written = b == 1 || b == 2 || b == 5;
		for (int i = 0; i < BLOCK; i += 512)
			CHECK(r[b * BLOCK + i] == (written ? 0x77 : 0));
	}

	int app = open("/append", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(app >= 0);
	for (int i = 0; i < 5; i++) {
		CHECK(fstat(app, &st) == 0);
		io_prep_pwrite(&cb[0], app, w, 512, st.st_size);
		CHECK_IS(io_submit(ctx, 1, list), 1);
		CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
		CHECK_IS(ev[0].res, 512);
	}
	CHECK(fstat(app, &st) == 0);
	CHECK_IS(st.st_size, 5 * 512);

	free(w);
	free(r);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0 && close(app) == 0);
	return 0;
}
