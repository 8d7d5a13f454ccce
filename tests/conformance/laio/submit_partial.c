/* Partial submission (Linux 2.6 sys_io_submit): io_submit stops at the
 * first iocb it cannot accept and returns how many it accepted before it;
 * only when that is none does it return the error. The accepted ones
 * complete with their events; the rejected one and those after it never
 * produce one. A NULL entry after good ones stops the loop the same way. */
#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(16, &ctx), 0);
	int fd = make_file("/p", 4096, 9, O_RDWR);
	char buf[4][32];
	struct iocb cb[4], *list[4];
	for (int i = 0; i < 4; i++) {
		io_prep_pread(&cb[i], fd, buf[i], 32, 32 * i);
		cb[i].data = (void *)(long)i;
		list[i] = &cb[i];
	}
	cb[2].aio_fildes = 99;
	CHECK_IS(io_submit(ctx, 4, list), 2);
	struct io_event ev[4];
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 4, ev, &zero), 2);
	CHECK(ev[0].data == (void *)0 && ev[1].data == (void *)1);

	/* the first one bad: the error */
	CHECK_IS(io_submit(ctx, 2, &list[2]), -EBADF);
	CHECK_IS(io_getevents(ctx, 0, 4, ev, &zero), 0);

	/* a NULL entry after a good one */
	struct iocb *with_null[3] = {&cb[3], NULL, &cb[0]};
	CHECK_IS(io_submit(ctx, 3, with_null), 1);
	CHECK_IS(io_getevents(ctx, 0, 4, ev, &zero), 1);
	CHECK(ev[0].obj == &cb[3] && ev[0].res == 32);
	CHECK(same_bytes(buf[3], 32, 96, 9));

	/* a bad opcode in the middle */
	cb[2].aio_fildes = fd;
	cb[1].aio_lio_opcode = 77;
	CHECK_IS(io_submit(ctx, 3, list), 1);
	CHECK_IS(io_getevents(ctx, 0, 4, ev, &zero), 1);
	CHECK(ev[0].obj == &cb[0]);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
