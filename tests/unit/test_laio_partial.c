/* Linux AIO: a buffered write cut short (the file-size limit, no space)
 * completes with the bytes it wrote, as pwrite(2) does, not with the error
 * the retry of the remainder met (Linux fs/aio.c, 2.6: "If we managed to
 * write some out we return that, rather than the eventual error"). */
#include "laio_test.h"

/* The largest file simfs holds with the default 4 KiB blocks. */
#define MAX_FILE ((int64_t)(12 + 4096 / 4) * 4096)

static void partial_body(void)
{
	aio_context_t ctx = lt_setup(8);
	int fd = vt_open("/big", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubytes("xyzw", 4);
	struct io_event ev[2];
	/* 4 bytes at max - 1: one fits */
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4, MAX_FILE - 1, 7);
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].data, 7);
	VEQ(ev[0].res, 1);
	VEQ(vt_fstat(fd).st_size, MAX_FILE);
	/* nothing fits: the error itself */
	cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4, MAX_FILE, 8);
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, -EFBIG);
	/* vectored: the same rule */
	struct laio_iovec iov[2] = {{buf, 2}, {buf + 2, 2}};
	cb = lt_iocb(IOCB_CMD_PWRITEV, fd, vt_ubytes(iov, sizeof(iov)), 2, MAX_FILE - 3, 9);
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, 3);
	/* a read cut short by the end of the file is a short read, as before */
	uaddr_t rb = vt_ubuf(16);
	cb = lt_iocb(IOCB_CMD_PREAD, fd, rb, 16, MAX_FILE - 2, 10);
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, 2);
	VEQ(sys_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_partial, a_write_cut_short_completes_with_the_bytes_written)
{
	lt_run(partial_body);
}
