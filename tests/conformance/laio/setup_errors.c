/* io_setup's errors, as LTP io_setup01/02 and libaio's harness case 2
 * check them (Linux 2.6 fs/aio.c sys_io_setup): a ctxp that is not
 * writable memory is -EFAULT; maxevents 0 or negative is -EINVAL and
 * leaves *ctxp alone; a ctxp that already holds a context is -EINVAL;
 * io_queue_init with maxevents <= 0 is -EINVAL; a failed call sets no
 * errno (libaio's convention). */
#include "laio_test.h"

static const io_context_t read_only = 0;

int main(void)
{
	io_context_t ctx = NULL;
	errno = 0;
	CHECK_IS(io_setup(1, NULL), -EFAULT);
	CHECK_IS(io_setup(1, (io_context_t *)&read_only), -EFAULT);
	CHECK_IS(io_setup(1, (io_context_t *)8), -EFAULT);
	CHECK_IS(io_setup(-1000, NULL), -EFAULT);
	CHECK_IS(errno, 0);

	CHECK_IS(io_setup(0, &ctx), -EINVAL);
	CHECK_IS(io_setup(-1, &ctx), -EINVAL);
	CHECK_IS(io_setup(-1000, &ctx), -EINVAL);
	CHECK(ctx == NULL);
	CHECK_IS(io_queue_init(0, &ctx), -EINVAL);
	CHECK_IS(io_queue_init(-5, &ctx), -EINVAL);
	CHECK(ctx == NULL);
	CHECK_IS(errno, 0);

	CHECK_IS(io_setup(1, &ctx), 0);
	CHECK(ctx != NULL);
	io_context_t first = ctx;
	CHECK_IS(io_setup(1, &ctx), -EINVAL);
	CHECK(ctx == first);
	/* the context from the first call still works */
	struct io_event ev;
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	CHECK_IS(io_destroy(ctx), 0);

	/* io_queue_init clears *ctxp itself */
	ctx = (io_context_t)1;
	CHECK_IS(io_queue_init(4, &ctx), 0);
	CHECK(ctx != NULL && ctx != (io_context_t)1);
	CHECK_IS(io_queue_release(ctx), 0);
	return 0;
}
