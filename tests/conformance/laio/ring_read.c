/* The completion ring is readable by the program, as libaio-based
 * programs use it: io_context_t points at Linux's ring header (magic
 * 0xa10a10a1, header_length 32; io_setup(1) gets one page, so nr is 127,
 * io_setup(126) two pages and 255, io_setup(65536) 513 pages), events
 * appear at tail as requests complete, and a program may consume them
 * itself by copying io_events[head] and moving head, after which
 * io_getevents does not return them again. Mixing the two consumers
 * keeps the order. */
#include "laio_test.h"

int main(void)
{
	io_context_t big = 0;
	CHECK_IS(io_setup(126, &big), 0);
	struct simk_aio_ring *bring = (struct simk_aio_ring *)big;
	CHECK_IS(bring->nr, 255);
	CHECK_IS(io_destroy(big), 0);
	/* the largest the default fs.aio-max-nr allows: 513 pages */
	big = 0;
	CHECK_IS(io_setup(65536, &big), 0);
	CHECK_IS(((struct simk_aio_ring *)big)->nr, (513 * 4096 - 32) / 32);
	CHECK_IS(io_destroy(big), 0);

	io_context_t ctx = 0;
	CHECK_IS(io_setup(1, &ctx), 0);
	struct simk_aio_ring *ring = (struct simk_aio_ring *)ctx;
	CHECK(ring->magic == SIMK_AIO_RING_MAGIC);
	CHECK_IS(ring->header_length, 32);
	CHECK_IS(ring->nr, 127);
	CHECK_IS(ring->head, 0);
	CHECK_IS(ring->tail, 0);
	CHECK_IS(ring->incompat_features, 0);

	int fd = open("/ring", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	char buf[4][16];
	struct iocb cb[4], *list[4];
	for (int i = 0; i < 4; i++) {
		memset(buf[i], 'a' + i, sizeof(buf[i]));
		io_prep_pwrite(&cb[i], fd, buf[i], sizeof(buf[i]), 16 * i);
		cb[i].data = (void *)(long)(100 + i);
		list[i] = &cb[i];
	}
	/* buffered writes complete inside io_submit: the events are there */
	CHECK_IS(io_submit(ctx, 4, list), 4);
	CHECK_IS(ring->tail, 4);
	CHECK_IS(ring->head, 0);

	/* take two events straight from the ring */
	for (int i = 0; i < 2; i++) {
		unsigned head = ring->head;
		struct io_event ev = ring->io_events[head];
		CHECK(ev.data == (void *)(long)(100 + i));
		CHECK(ev.obj == &cb[i]);
		CHECK_IS(ev.res, 16);
		ring->head = (head + 1) % ring->nr;
	}
	/* io_getevents sees only the other two, in order */
	struct io_event ev[4];
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 4, ev, &zero), 2);
	CHECK(ev[0].data == (void *)102 && ev[1].data == (void *)103);
	CHECK_IS(ring->head, 4);
	CHECK_IS(io_getevents(ctx, 0, 4, ev, &zero), 0);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
