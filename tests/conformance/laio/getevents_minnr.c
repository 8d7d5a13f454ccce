/* min_nr and nr of io_getevents: with five completions in the ring,
 * (min 2, nr 3) returns 3, the next (0, 10) the remaining 2, in completion
 * order; (0, 10) on an empty ring with a zero timeout returns 0; events
 * are never returned twice. io_queue_wait returns 0 at once (libaio's
 * io_getevents(ctx, 0, 0, NULL, timeout)). */
#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	int fd = make_file("/m", 1024, 5, O_RDWR);
	char buf[5][8];
	struct iocb cb[5], *list[5];
	for (int i = 0; i < 5; i++) {
		io_prep_pread(&cb[i], fd, buf[i], 8, 100 * i);
		cb[i].data = (void *)(long)(i + 1);
		list[i] = &cb[i];
	}
	CHECK_IS(io_submit(ctx, 5, list), 5);
	struct io_event ev[10];
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 2, 3, ev, NULL), 3);
	for (int i = 0; i < 3; i++)
		CHECK(ev[i].data == (void *)(long)(i + 1) && ev[i].res == 8);
	CHECK_IS(io_getevents(ctx, 0, 10, ev, &zero), 2);
	CHECK(ev[0].data == (void *)4 && ev[1].data == (void *)5);
	CHECK_IS(io_getevents(ctx, 0, 10, ev, &zero), 0);
	CHECK_IS(io_queue_wait(ctx, &zero), 0);
	CHECK_IS(io_queue_wait(ctx, NULL), 0);
	for (int i = 0; i < 5; i++)
		CHECK(same_bytes(buf[i], 8, 100 * i, 5));
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
