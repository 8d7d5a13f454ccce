/* Linux AIO on a socket pair (AF_UNIX, SOCK_STREAM), served as simk
 * serves pipes (2.6's retry-and-kick machinery, which mainline 2.6 gave
 * only a few file types: docs/laio.md "Where simk differs"): a read
 * waits for the peer's data and completes with what arrived; a write
 * completes at once when there is room; a read after the peer shut down
 * its writing side completes with 0; a read can be cancelled while it
 * waits (res -ECANCELED). */
#include <sys/socket.h>

#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	char rb[32], wb[] = "over the socket";
	struct iocb r, w, *list[2] = {&r, &w};
	struct io_event ev[2];
	struct timespec zero = {0, 0};
	io_prep_pread(&r, sv[0], rb, sizeof(rb), 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 0, 2, ev, &zero), 0);
	io_prep_pwrite(&w, sv[1], wb, sizeof(wb), 0);
	list[0] = &w;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 2, 2, ev, NULL), 2);
	for (int i = 0; i < 2; i++)
		CHECK(ev[i].res == sizeof(wb) && (ev[i].obj == &r || ev[i].obj == &w));
	CHECK(memcmp(rb, wb, sizeof(wb)) == 0);

	/* cancelled while it waits */
	io_prep_pread(&r, sv[1], rb, sizeof(rb), 0);
	list[0] = &r;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	struct io_event res;
	CHECK_IS(io_cancel(ctx, &r, &res), 0);
	CHECK_IS((long)res.res, -ECANCELED);

	/* end of stream */
	io_prep_pread(&r, sv[0], rb, sizeof(rb), 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK(shutdown(sv[1], SHUT_WR) == 0);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS(ev[0].res, 0);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);
	return 0;
}
