/* libaio's callback style (io_queue_init, io_set_callback, io_queue_run,
 * io_queue_release; libaio's harness and LTP aio-stress use it):
 * io_queue_run calls each completed request's callback once with the
 * context, the iocb and res/res2, in completion order, and returns 0 when
 * the ring is empty; the io_fsync / io_fdsync helpers submit with a
 * callback in one call. A callback may submit more work, which a later
 * io_queue_run picks up. */
#include "laio_test.h"

static int calls;
static long total;
static struct iocb *seen[8];
static io_context_t the_ctx;
static struct iocb again;
static char again_buf[10];

static void done(io_context_t ctx, struct iocb *iocb, long res, long res2)
{
	CHECK(ctx == the_ctx);
	CHECK_IS(res2, 0);
	seen[calls++] = iocb;
	total += res;
}

static void resubmit(io_context_t ctx, struct iocb *iocb, long res, long res2)
{
	done(ctx, iocb, res, res2);
	io_prep_pread(&again, iocb->aio_fildes, again_buf, sizeof(again_buf), 0);
	io_set_callback(&again, done);
	struct iocb *list[1] = {&again};
	CHECK_IS(io_submit(ctx, 1, list), 1);
}

int main(void)
{
	CHECK_IS(io_queue_init(16, &the_ctx), 0);
	int fd = make_file("/q", 256, 7, O_RDWR);
	char buf[3][20];
	struct iocb cb[3], *list[3];
	for (int i = 0; i < 3; i++) {
		io_prep_pread(&cb[i], fd, buf[i], 20, 20 * i);
		io_set_callback(&cb[i], done);
		list[i] = &cb[i];
	}
	CHECK_IS(io_submit(the_ctx, 3, list), 3);
	CHECK_IS(io_queue_run(the_ctx), 0);
	CHECK_IS(calls, 3);
	CHECK_IS(total, 60);
	for (int i = 0; i < 3; i++)
		CHECK(seen[i] == &cb[i] && same_bytes(buf[i], 20, 20 * i, 7));
	CHECK_IS(io_queue_run(the_ctx), 0);
	CHECK_IS(calls, 3);

	struct iocb fs, fds;
	CHECK_IS(io_fsync(the_ctx, &fs, done, fd), 1);
	CHECK_IS(io_fdsync(the_ctx, &fds, done, fd), 1);
	CHECK_IS(io_queue_run(the_ctx), 0);
	CHECK_IS(calls, 5);
	CHECK(seen[3] == &fs && seen[4] == &fds);
	CHECK_IS(total, 60);

	io_prep_pread(&cb[0], fd, buf[0], 5, 0);
	io_set_callback(&cb[0], resubmit);
	CHECK_IS(io_submit(the_ctx, 1, list), 1);
	CHECK_IS(io_queue_run(the_ctx), 0);
	/* the callback's own request completed inside its io_submit, so the
	 * same io_queue_run found its event too */
	CHECK_IS(calls, 7);
	CHECK(seen[6] == &again && same_bytes(again_buf, 10, 0, 7));
	CHECK_IS(io_queue_release(the_ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
