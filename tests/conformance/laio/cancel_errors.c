/* io_cancel's errors (LTP io_cancel01/02, Linux 2.6 sys_io_cancel): an
 * iocb that cannot be read is -EFAULT, before the context is even looked
 * up (so io_cancel(0, NULL, NULL) is -EFAULT); an unknown context is
 * -EINVAL; an iocb that was never submitted, or whose request already
 * completed (buffered I/O completes inside io_submit), is -EINVAL; an
 * O_DIRECT write on its way to the device cannot be cancelled: -EAGAIN,
 * and its event still comes (simk follows the 2.6 rule that a request
 * without a cancel method answers -EAGAIN). */
#define _GNU_SOURCE /* O_DIRECT */
#include <stdlib.h>

#include "laio_test.h"

int main(void)
{
	struct io_event res;
	CHECK_IS(io_cancel(NULL, NULL, NULL), -EFAULT);
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	CHECK_IS(io_cancel(ctx, NULL, &res), -EFAULT);
	CHECK_IS(io_cancel(ctx, (struct iocb *)-1, &res), -EFAULT);

	int fd = make_file("/c", 8192, 6, O_RDWR | O_DIRECT);
	void *buf = NULL;
	CHECK(posix_memalign(&buf, 512, 4096) == 0);
	struct iocb cb, never, *list[1] = {&cb};
	io_prep_pread(&never, fd, buf, 512, 0);
	CHECK_IS(io_cancel(ctx, &never, &res), -EINVAL);
	CHECK_IS(io_cancel((io_context_t)-1, &never, &res), -EINVAL);

	/* a direct write past the end goes to the device */
	memset(buf, 'w', 4096);
	io_prep_pwrite(&cb, fd, buf, 4096, 8192);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_cancel(ctx, &cb, &res), -EAGAIN);
	struct io_event ev;
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK(ev.obj == &cb && ev.res == 4096);
	CHECK_IS(io_cancel(ctx, &cb, &res), -EINVAL);

	int plain = open("/c", O_RDONLY);
	CHECK(plain >= 0);
	io_prep_pread(&cb, plain, buf, 100, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_cancel(ctx, &cb, &res), -EINVAL);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK(ev.res == 100);

	CHECK_IS(io_destroy(ctx), 0);
	free(buf);
	CHECK(close(fd) == 0 && close(plain) == 0);
	return 0;
}
