/* The ring is the limit (Linux 2.6 aio_get_req): io_setup(1) makes a
 * 127-event ring, of which one slot always stays empty, so 126 requests
 * can be in flight however small maxevents was; the next io_submit is
 * -EAGAIN, and one of several in a batch is cut there (the count of those
 * accepted). Events waiting in the ring also hold their slots: taking
 * events out makes room again. */
#include "laio_test.h"

#define N 126

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(1, &ctx), 0);
	CHECK_IS(((struct simk_aio_ring *)ctx)->nr, 127);
	int fd = make_file("/r", 64, 8, O_RDWR);
	static char buf[N + 4][4];
	static struct iocb cb[N + 4];
	static struct iocb *list[N + 4];
	for (int i = 0; i < N + 4; i++) {
		io_prep_pread(&cb[i], fd, buf[i], 4, 0);
		list[i] = &cb[i];
	}
	/* buffered reads complete inside io_submit: their events fill the ring */
	CHECK_IS(io_submit(ctx, N - 2, list), N - 2);
	CHECK_IS(io_submit(ctx, 4, &list[N - 2]), 2);
	CHECK_IS(io_submit(ctx, 1, &list[N]), -EAGAIN);

	struct io_event ev[3];
	CHECK_IS(io_getevents(ctx, 3, 3, ev, NULL), 3);
	CHECK(ev[0].obj == &cb[0] && ev[2].obj == &cb[2]);
	CHECK_IS(io_submit(ctx, 4, &list[N]), 3);
	CHECK_IS(io_submit(ctx, 1, &list[N + 3]), -EAGAIN);

	static struct io_event all[N];
	CHECK_IS(io_getevents(ctx, N, N, all, NULL), N);
	for (int i = 0; i < N; i++)
		CHECK(all[i].obj == &cb[i + 3] && all[i].res == 4);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
