/* io_getevents's errors (LTP io_getevents01/02, Linux 2.6
 * sys_io_getevents): min_nr > nr, a negative min_nr or nr are -EINVAL; an
 * unknown context is -EINVAL; an events array that cannot be written when
 * there is an event to store is -EFAULT (the event is consumed, as on
 * Linux); a timeout that must be read because the call would wait is
 * -EFAULT when unreadable and -EINVAL when tv_nsec is out of range or a
 * field is negative; nr 0 returns 0 without looking at events. */
#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	struct io_event ev[2];
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 2, 1, ev, &zero), -EINVAL);
	CHECK_IS(io_getevents(ctx, -1, 1, ev, &zero), -EINVAL);
	CHECK_IS(io_getevents(ctx, 0, -1, ev, &zero), -EINVAL);
	CHECK_IS(io_getevents(ctx, 0, 0, NULL, NULL), 0);
	CHECK_IS(io_getevents(ctx, 0, 0, (struct io_event *)-1, (struct timespec *)-1), 0);

	/* nothing in the ring, so the timeout is read */
	CHECK_IS(io_getevents(ctx, 1, 1, ev, (struct timespec *)-1), -EFAULT);
	struct timespec bad = {0, 1000000000};
	CHECK_IS(io_getevents(ctx, 1, 1, ev, &bad), -EINVAL);
	bad.tv_nsec = -1;
	CHECK_IS(io_getevents(ctx, 1, 1, ev, &bad), -EINVAL);
	bad = (struct timespec){-1, 0};
	CHECK_IS(io_getevents(ctx, 1, 1, ev, &bad), -EINVAL);

	/* one event, nowhere to put it */
	int fd = make_file("/g", 64, 4, O_RDWR);
	char buf[16];
	struct iocb cb, *list[1] = {&cb};
	io_prep_pread(&cb, fd, buf, sizeof(buf), 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, NULL, NULL), -EFAULT);
	CHECK_IS(io_getevents(ctx, 0, 1, ev, &zero), 0);

	/* with an event there, a bad timeout is never read */
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, (struct timespec *)-1), 1);
	CHECK(ev[0].obj == &cb && ev[0].res == 16);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
