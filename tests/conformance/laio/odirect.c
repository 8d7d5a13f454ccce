/* O_DIRECT through Linux AIO: sector-aligned reads and writes (buffers
 * from posix_memalign) go to the device and complete later, in order of
 * the device, each with its byte count; the data written reads back with
 * an ordinary read; a misaligned buffer, length or offset is accepted by
 * io_submit and completes with res = -EINVAL, as Linux 2.6's
 * generic direct I/O answers from the retry (libaio harness's O_DIRECT
 * cases). */
#define _GNU_SOURCE /* O_DIRECT */
#include <stdlib.h>

#include "laio_test.h"

int main(void)
{
	int fd = make_file("/d", 8192, 3, O_RDWR | O_DIRECT);
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	void *rb = NULL, *wb = NULL;
	CHECK(posix_memalign(&rb, 4096, 4096) == 0);
	CHECK(posix_memalign(&wb, 4096, 4096) == 0);
	memset(wb, 0x5a, 4096);

	struct iocb r, w, *list[2] = {&r, &w};
	io_prep_pread(&r, fd, rb, 4096, 0);
	io_prep_pwrite(&w, fd, wb, 1024, 4096);
	CHECK_IS(io_submit(ctx, 2, list), 2);
	struct io_event ev[2];
	CHECK_IS(io_getevents(ctx, 2, 2, ev, NULL), 2);
	for (int i = 0; i < 2; i++) {
		if (ev[i].obj == &r)
			CHECK_IS(ev[i].res, 4096);
		else
			CHECK(ev[i].obj == &w && ev[i].res == 1024);
	}
	CHECK(same_bytes(rb, 4096, 0, 3));
	char check[1024];
	int plain = open("/d", O_RDONLY);
	CHECK(plain >= 0);
	CHECK(pread(plain, check, sizeof(check), 4096) == 1024);
	CHECK(memcmp(check, wb, 1024) == 0);

	/* misaligned: buffer, length, offset */
	io_prep_pread(&r, fd, (char *)rb + 1, 512, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS((long)ev[0].res, -EINVAL);
	io_prep_pread(&r, fd, rb, 100, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS((long)ev[0].res, -EINVAL);
	io_prep_pread(&r, fd, rb, 512, 7);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS((long)ev[0].res, -EINVAL);

	/* a read that crosses the end of file stops there */
	io_prep_pread(&r, fd, rb, 4096, 6144);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS(ev[0].res, 2048);

	CHECK_IS(io_destroy(ctx), 0);
	free(rb);
	free(wb);
	CHECK(close(fd) == 0 && close(plain) == 0);
	return 0;
}
