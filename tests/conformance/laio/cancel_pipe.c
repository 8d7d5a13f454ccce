/* io_cancel of a request that is waiting (a read of an empty pipe; Linux
 * 2.6's retry-based AIO): it returns 0 and the request's event in the
 * result — data and obj of the iocb, res -ECANCELED because no byte moved
 * — and no event for it ever reaches the ring; cancelling it again is
 * -EINVAL (no such active request). A second pending read is untouched
 * and completes when data arrives. */
#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	int p[2];
	CHECK(pipe(p) == 0);
	char a[4], b[4];
	struct iocb ca, cb, *list[2] = {&ca, &cb};
	io_prep_pread(&ca, p[0], a, sizeof(a), 0);
	io_prep_pread(&cb, p[0], b, sizeof(b), 0);
	ca.data = (void *)11;
	cb.data = (void *)22;
	CHECK_IS(io_submit(ctx, 2, list), 2);

	struct io_event res;
	memset(&res, 0, sizeof(res));
	CHECK_IS(io_cancel(ctx, &ca, &res), 0);
	CHECK(res.data == (void *)11 && res.obj == &ca);
	CHECK_IS((long)res.res, -ECANCELED);
	CHECK_IS(io_cancel(ctx, &ca, &res), -EINVAL);

	CHECK(write(p[1], "hey", 3) == 3);
	struct io_event ev[2];
	CHECK_IS(io_getevents(ctx, 1, 2, ev, NULL), 1);
	CHECK(ev[0].data == (void *)22 && ev[0].res == 3 && memcmp(b, "hey", 3) == 0);
	struct timespec ms = {0, 1000000};
	CHECK_IS(io_getevents(ctx, 1, 2, ev, &ms), 0);
	/* completed: nothing to cancel */
	CHECK_IS(io_cancel(ctx, &cb, &res), -EINVAL);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
