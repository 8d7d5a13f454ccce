/* Linux AIO: io_submit's argument checks, exactly as the reference, and
 * its behaviour under allocation failures. */
#include "laio_test.h"

static aio_context_t g_ctx;
static int g_fd;
static uaddr_t g_buf;

static void common_setup(void)
{
	g_ctx = lt_setup(8);
	g_fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(g_fd >= 0);
	g_buf = vt_ubuf(4096);
}

static void common_teardown(void)
{
	VEQ(simk_close(g_fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
	struct laio_stats st = lt_stats();
	VEQ(st.submitted, st.ended_event + st.ended_cancel + st.ended_torn);
}

/* ---- the call itself ---- */

static void call_checks_body(void)
{
	common_setup();
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	uaddr_t arr = vt_ubytes(&cb, sizeof(cb));
	VEQ(simk_io_submit(g_ctx, -1, arr), -EINVAL);
	VEQ(simk_io_submit(g_ctx, 0, 0), 0);		  /* nothing to do */
	VEQ(simk_io_submit(g_ctx + 4096, 0, 0), -EINVAL); /* but the ctx is checked */
	VEQ(simk_io_submit(0, 1, arr), -EINVAL);
	/* iocbpp past the top of user space / wrapping: EFAULT before the ctx */
	VEQ(simk_io_submit(0, 2, (1ULL << 47) - 8), -EFAULT);
	VEQ(simk_io_submit(g_ctx, 1L << 61, arr), -EFAULT);
	/* iocbpp unmapped, or an unmapped iocb */
	VEQ(simk_io_submit(g_ctx, 1, 0x1000), -EFAULT);
	uint64_t bad = 0x2000;
	VEQ(simk_io_submit(g_ctx, 1, vt_ubytes(&bad, 8)), -EFAULT);
	/* the second pointer is bad: the first is submitted, 1 returned */
	uint64_t two[2] = {cb, 0x2000};
	VEQ(simk_io_submit(g_ctx, 2, vt_ubytes(two, 16)), 1);
	struct io_event ev[2];
	VEQ(lt_getevents(g_ctx, 1, 2, ev, 0), 1);
	VEQ(ev[0].res, 4);
	/* the second array slot unmapped (array ends at a page boundary) */
	uaddr_t page = vt_ubuf(4096);
	vt_uput(page + 4096 - 8, &cb, 8);
	VEQ(simk_io_submit(g_ctx, 2, page + 4096 - 8), 1);
	VEQ(lt_getevents(g_ctx, 1, 2, ev, 0), 1);
	common_teardown();
}

Test(laio_submit, call_level_checks)
{
	lt_run(call_checks_body);
}

/* ---- each iocb ---- */

static long submit_modified(uaddr_t cb, void (*mod)(struct iocb *))
{
	struct iocb c = lt_iocb_get(cb);
	mod(&c);
	lt_iocb_put(cb, &c);
	return lt_submit1(g_ctx, cb);
}

static void m_res1(struct iocb *c)
{
	c->aio_reserved1 = 1;
}
static void m_res2(struct iocb *c)
{
	c->aio_reserved2 = 1;
}
static void m_neg(struct iocb *c)
{
	c->aio_nbytes = (uint64_t)-1;
}
static void m_badfd(struct iocb *c)
{
	c->aio_fildes = 77;
}
static void m_hugefd(struct iocb *c)
{
	c->aio_fildes = 0x80000000u;
}
static void m_op(struct iocb *c)
{
	c->aio_lio_opcode = 99;
}
static void m_noop(struct iocb *c)
{
	c->aio_lio_opcode = IOCB_CMD_NOOP;
}
static void m_4(struct iocb *c)
{
	c->aio_lio_opcode = 4;
}
static void m_topbuf(struct iocb *c)
{
	c->aio_buf = (1ULL << 47) - 2;
}

static void iocb_checks_body(void)
{
	common_setup();
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	uint64_t submitted = lt_stats().submitted;
	VEQ(submit_modified(cb, m_res1), -EINVAL);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_res2), -EINVAL);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_neg), -EINVAL);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_badfd), -EBADF);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_hugefd), -EBADF);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_op), -EINVAL);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_noop), -EINVAL);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_4), -EINVAL);
	/* the buffer range runs past the top of user space */
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_topbuf), -EFAULT);
	cb = lt_iocb(IOCB_CMD_PREAD, g_fd, g_buf, 4, 0, 1);
	VEQ(submit_modified(cb, m_topbuf), -EFAULT);
	/* an unmapped buffer below the top passes (access_ok only checks the
	 * range): the transfer fails in the event */
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, 0x3000, 4, 0, 7);
	VEQ(lt_submit1(g_ctx, cb), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, -EFAULT);
	VEQ(ev[0].data, 7);
	/* nothing of the rejected ones was submitted or leaked */
	VEQ(lt_stats().submitted, submitted + 1);
	VEQ(lt_stats().reqs_live, 0);
	common_teardown();
}

Test(laio_submit, iocb_checks_einval_ebadf_efault)
{
	lt_run(iocb_checks_body);
}

static void access_mode_body(void)
{
	common_setup();
	int ro = vt_open("/f", O_RDONLY, 0);
	int wo = vt_open("/f", O_WRONLY, 0);
	VCHECK(ro >= 0 && wo >= 0);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, ro, g_buf, 4, 0, 0)), -EBADF);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, wo, g_buf, 4, 0, 0)), -EBADF);
	uaddr_t iov = vt_ubuf(16);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITEV, ro, iov, 1, 0, 0)), -EBADF);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREADV, wo, iov, 1, 0, 0)), -EBADF);
	/* fsync needs no access mode */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FSYNC, ro, 0, 0, 0, 0)), 1);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FDSYNC, wo, 0, 0, 0, 0)), 1);
	struct io_event ev[2];
	VEQ(lt_getevents(g_ctx, 2, 2, ev, 0), 2);
	VEQ(ev[0].res, 0);
	VEQ(ev[1].res, 0);
	VEQ(simk_close(ro), 0);
	VEQ(simk_close(wo), 0);
	common_teardown();
}

Test(laio_submit, wrong_access_mode_is_ebadf)
{
	lt_run(access_mode_body);
}

static void unsupported_body(void)
{
	common_setup();
	int fds[2];
	lt_pipe(fds, 0);
	int efd = simk_eventfd(0, 0);
	VCHECK(efd >= 0);
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), 0);
	int dfd = vt_open("/d", O_RDONLY, 0);
	VCHECK(dfd >= 0);
	/* a pipe cannot fsync; an eventfd does no AIO reads or writes; a
	 * directory has no read/write */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FSYNC, fds[1], 0, 0, 0, 0)), -EINVAL);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FDSYNC, fds[0], 0, 0, 0, 0)), -EINVAL);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, efd, g_buf, 8, 0, 0)), -EINVAL);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, efd, g_buf, 8, 0, 0)), -EINVAL);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FSYNC, efd, 0, 0, 0, 0)), -EINVAL);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, dfd, g_buf, 8, 0, 0)), -EINVAL);
	/* a directory can be fsynced */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FSYNC, dfd, 0, 0, 0, 0)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, 0);
	VEQ(lt_stats().reqs_live, 0);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);
	VEQ(simk_close(efd), 0);
	VEQ(simk_close(dfd), 0);
	common_teardown();
}

Test(laio_submit, opcode_the_file_does_not_support_is_einval)
{
	lt_run(unsupported_body);
}

static void vectored_checks_body(void)
{
	common_setup();
	struct laio_iovec v[3] = {{g_buf, 2}, {g_buf + 100, 3}, {g_buf + 200, 5}};
	uaddr_t iov = vt_ubytes(v, sizeof(v));
	/* more than UIO_MAXIOV vectors */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITEV, g_fd, iov, 1025, 0, 0)), -EINVAL);
	/* the array is unreadable */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITEV, g_fd, 0x1000, 2, 0, 0)), -EFAULT);
	uaddr_t page = vt_ubuf(4096);
	vt_uput(page + 4096 - sizeof(v), v, sizeof(v));
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITEV, g_fd, page + 4096 - sizeof(v), 4, 0, 0)),
	    -EFAULT);
	/* a negative length, a sum that overflows */
	struct laio_iovec neg[2] = {{g_buf, 1}, {g_buf, (uint64_t)-5}};
	VEQ(lt_submit1(g_ctx,
		       lt_iocb(IOCB_CMD_PWRITEV, g_fd, vt_ubytes(neg, sizeof(neg)), 2, 0, 0)),
	    -EINVAL);
	struct laio_iovec big[2] = {{g_buf, 1}, {g_buf, (uint64_t)INT64_MAX}};
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREADV, g_fd, vt_ubytes(big, sizeof(big)), 2, 0, 0)),
	    -EINVAL);
	/* a huge length fails access_ok */
	struct laio_iovec huge[1] = {{g_buf, 1ULL << 62}};
	VEQ(lt_submit1(g_ctx,
		       lt_iocb(IOCB_CMD_PREADV, g_fd, vt_ubytes(huge, sizeof(huge)), 1, 0, 0)),
	    -EFAULT);
	/* a vector past the top of user space */
	struct laio_iovec top[1] = {{(1ULL << 47) - 1, 2}};
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREADV, g_fd, vt_ubytes(top, sizeof(top)), 1, 0, 0)),
	    -EFAULT);
	VEQ(lt_stats().reqs_live, 0);
	/* and a good one: 10 bytes gathered from three places */
	vt_uput(g_buf, "ab", 2);
	vt_uput(g_buf + 100, "cde", 3);
	vt_uput(g_buf + 200, "fghij", 5);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITEV, g_fd, iov, 3, 0, 0)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, 10);
	char out[16] = {0};
	VEQ(vt_pread(g_fd, out, 10, 0), 10);
	VCHECK(memcmp(out, "abcdefghij", 10) == 0);
	/* zero vectors: a transfer of nothing */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREADV, g_fd, iov, 0, 0, 0)), 1);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, 0);
	common_teardown();
}

Test(laio_submit, vectored_checks)
{
	lt_run(vectored_checks_body);
}

static void resfd_checks_body(void)
{
	common_setup();
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 0);
	lt_iocb_resfd(cb, 99);
	VEQ(lt_submit1(g_ctx, cb), -EBADF);
	cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 0);
	lt_iocb_resfd(cb, g_fd); /* not an eventfd */
	VEQ(lt_submit1(g_ctx, cb), -EINVAL);
	VEQ(lt_stats().reqs_live, 0);
	common_teardown();
}

Test(laio_submit, resfd_must_be_an_eventfd)
{
	lt_run(resfd_checks_body);
}

static void key_body(void)
{
	common_setup();
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 0);
	struct iocb c = lt_iocb_get(cb);
	c.aio_key = 0xdeadbeef;
	lt_iocb_put(cb, &c);
	VEQ(lt_submit1(g_ctx, cb), 1);
	VEQ(lt_iocb_get(cb).aio_key, KIOCB_KEY); /* io_submit writes the key */
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	common_teardown();
}

Test(laio_submit, writes_the_key_into_the_iocb)
{
	lt_run(key_body);
}

/* The first iocb fails: its error. A later one fails: the count so far. */
static void partial_body(void)
{
	common_setup();
	uaddr_t good = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 0);
	uaddr_t bad = lt_iocb(IOCB_CMD_PWRITE, 55, g_buf, 4, 0, 0);
	uaddr_t cbs[4] = {good, good, bad, good};
	VEQ(lt_submit(g_ctx, cbs, 4), 2);
	VEQ(lt_submit(g_ctx, cbs + 2, 2), -EBADF);
	struct io_event ev[4];
	VEQ(lt_getevents(g_ctx, 0, 4, ev, 0), 2);
	common_teardown();
}

Test(laio_submit, returns_the_count_so_far_or_the_first_error)
{
	lt_run(partial_body);
}

/* kmem/alloc/enomem at each allocation of io_submit: the kiocb's gives
 * -EAGAIN (the reference), the iovec array's -ENOMEM; nothing leaks, every
 * accepted request still ends. */
static void enomem_body(void)
{
	common_setup();
	struct laio_iovec v[2] = {{g_buf, 2}, {g_buf + 8, 2}};
	uaddr_t iov = vt_ubytes(v, sizeof(v));
	uaddr_t cbw = lt_iocb(IOCB_CMD_PWRITE, g_fd, g_buf, 4, 0, 0);
	uaddr_t cbv = lt_iocb(IOCB_CMD_PWRITEV, g_fd, iov, 2, 0, 0);
	uaddr_t arr = vt_ubytes(&cbw, 8);
	uaddr_t arrv = vt_ubytes(&cbv, 8);
	uaddr_t evs = vt_ubuf(sizeof(struct io_event));
	/* the kiocb is the first allocation of io_submit; it is tried twice
	 * (after running the deferred file releases), as the reference does */
	lt_fault_next("kmem/alloc/enomem", 1);
	VEQ(simk_io_submit(g_ctx, 1, arr), 1);
	VEQ(simk_io_getevents(g_ctx, 1, 1, evs, 0), 1);
	vt_fault("kmem/alloc/enomem:p=1");
	VEQ(simk_io_submit(g_ctx, 1, arr), -EAGAIN);
	lt_fault_off("kmem/alloc/enomem");
	/* the iovec array is the second for PWRITEV */
	lt_fault_next("kmem/alloc/enomem", 2);
	VEQ(simk_io_submit(g_ctx, 1, arrv), -ENOMEM);
	lt_fault_off("kmem/alloc/enomem");
	VEQ(lt_stats().reqs_live, 0);
	/* every later allocation (the filesystem's) fails or not: the
	 * request is submitted and its result is 4 or an error, never lost */
	for (uint64_t k = 2; k <= 12; k++) {
		lt_fault_next("kmem/alloc/enomem", k);
		long r = simk_io_submit(g_ctx, 1, arr);
		lt_fault_off("kmem/alloc/enomem");
		VEQ(r, 1);
		VEQ(simk_io_getevents(g_ctx, 1, 1, evs, 0), 1);
		struct io_event ev;
		vt_uget(evs, &ev, sizeof(ev));
		VCHECK(ev.res == 4 || ev.res == -ENOMEM || ev.res == -ENOSPC || ev.res == -EIO);
	}
	common_teardown();
}

Test(laio_submit, allocation_failures_are_eagain_or_enomem)
{
	lt_run(enomem_body);
}
