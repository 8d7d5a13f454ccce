/* io_submit's checks, in Linux 2.6 fs/aio.c's order (LTP io_submit01-03,
 * libaio's harness case 3): nr < 0 is -EINVAL, nr 0 is 0; an unreadable
 * iocb array or iocb pointer (NULL, all ones, a NULL entry) is -EFAULT;
 * aio_rw_flags (2.6's aio_reserved1) or the reserved u.c.__pad3 set, and
 * an nbytes that is negative as a ssize_t, are -EINVAL; a descriptor that
 * is not open is -EBADF; a read on a write-only descriptor and a write on
 * a read-only one are -EBADF; a buffer range past the top of user space
 * is -EFAULT; an opcode 2.6 does not know (4, NOOP, POLL, 9, 100) or one
 * the file does not support (reads of an eventfd) is -EINVAL. */
#include <stdint.h>
#include <sys/eventfd.h>

#include "laio_test.h"

static io_context_t ctx;

static int submit_one(struct iocb *cb)
{
	struct iocb *list[1] = {cb};
	return io_submit(ctx, 1, list);
}

int main(void)
{
	CHECK_IS(io_setup(8, &ctx), 0);
	int rw = make_file("/rw", 512, 0, O_RDWR);
	int ro = open("/rw", O_RDONLY);
	int wo = open("/rw", O_WRONLY);
	CHECK(ro >= 0 && wo >= 0);
	char buf[64];
	struct iocb cb, *list[2] = {&cb, &cb};

	io_prep_pread(&cb, rw, buf, sizeof(buf), 0);
	CHECK_IS(io_submit(ctx, -1, list), -EINVAL);
	CHECK_IS(io_submit(ctx, 0, list), 0);
	CHECK_IS(io_submit(ctx, 0, NULL), 0);
	CHECK_IS(io_submit(ctx, 1, NULL), -EFAULT);
	CHECK_IS(io_submit(ctx, 1, (struct iocb **)-1), -EFAULT);
	struct iocb *null_first[2] = {NULL, &cb};
	CHECK_IS(io_submit(ctx, 2, null_first), -EFAULT);
	struct iocb *wild[1] = {(struct iocb *)(uintptr_t)0xffff880000000000ull};
	CHECK_IS(io_submit(ctx, 1, wild), -EFAULT);

	io_prep_pread(&cb, rw, buf, sizeof(buf), 0);
	cb.aio_rw_flags = 1;
	CHECK_IS(submit_one(&cb), -EINVAL);
	io_prep_pread(&cb, rw, buf, sizeof(buf), 0);
	cb.u.c.__pad3 = 1;
	CHECK_IS(submit_one(&cb), -EINVAL);
	io_prep_pread(&cb, rw, buf, (size_t)-1, 0);
	CHECK_IS(submit_one(&cb), -EINVAL);

	io_prep_pread(&cb, 77, buf, sizeof(buf), 0);
	CHECK_IS(submit_one(&cb), -EBADF);
	io_prep_pread(&cb, -1, buf, sizeof(buf), 0);
	CHECK_IS(submit_one(&cb), -EBADF);
	io_prep_pread(&cb, wo, buf, sizeof(buf), 0);
	CHECK_IS(submit_one(&cb), -EBADF);
	io_prep_pwrite(&cb, ro, buf, sizeof(buf), 0);
	CHECK_IS(submit_one(&cb), -EBADF);

	io_prep_pread(&cb, rw, (void *)(uintptr_t)((1ull << 47) - 16), 64, 0);
	CHECK_IS(submit_one(&cb), -EFAULT);

	int bad_ops[] = {4, IO_CMD_NOOP, IO_CMD_POLL, 9, 100};
	for (unsigned i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		io_prep_pread(&cb, rw, buf, sizeof(buf), 0);
		cb.aio_lio_opcode = (short)bad_ops[i];
		CHECK_IS(submit_one(&cb), -EINVAL);
	}
	CHECK_IS(io_poll(ctx, &cb, NULL, rw, 1), -EINVAL);
	int efd = eventfd(0, 0);
	CHECK(efd >= 0);
	uint64_t v;
	io_prep_pread(&cb, efd, &v, sizeof(v), 0);
	CHECK_IS(submit_one(&cb), -EINVAL);

	/* nothing was submitted by any of these */
	struct io_event ev;
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	/* and a good one still goes through */
	io_prep_pread(&cb, ro, buf, sizeof(buf), 0);
	CHECK_IS(submit_one(&cb), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 64);
	CHECK(same_bytes(buf, 64, 0, 0));

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(rw) == 0 && close(ro) == 0 && close(wo) == 0 && close(efd) == 0);
	return 0;
}
