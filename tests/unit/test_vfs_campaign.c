/*
 * VFS fault campaign: for every device fault point and kmem/alloc/enomem,
 * and each k in 1..20, fail the k-th hit during a fixed workload. Every
 * call must return its result or one of its documented errnos; a read
 * hit by blk/read/eio, a direct write hit by blk/write/eio and an fsync
 * hit by blk/flush/eio must report -EIO; nothing leaks (the run's kmem
 * check); every device request of the filesystem ends exactly once
 * (queued == done, device in_flight 0); and the run is deterministic
 * (same trace hash twice).
 */
#include <stdarg.h>

#include "vfs_test.h"

static const char *points[] = {
    "blk/read/eio",	  "blk/write/eio",     "blk/flush/eio",	 "blk/write/torn",
    "blk/complete/delay", "blk/complete/lost", "blk/queue/full", "kmem/alloc/enomem",
};
#define NPOINTS (sizeof(points) / sizeof(points[0]))
#define KMAX 20

static const char *cur_point;
static int cur_k;
static int errors_seen, calls;

/* r must be >= 0 or minus one of the listed errnos (0-terminated). */
static long chk_(int line, const char *what, long r, ...)
{
	calls++;
	if (r >= 0)
		return r;
	errors_seen++;
	va_list ap;
	va_start(ap, r);
	for (int e = va_arg(ap, int); e != 0; e = va_arg(ap, int)) {
		if (r == -e) {
			va_end(ap);
			return r;
		}
	}
	va_end(ap);
	sim_fail(SIMK_FAIL_EXPECT, "line %d: %s returned %ld under %s nth=%d", line, what, r,
		 cur_point, cur_k);
}
#define CHK(what, r, ...) chk_(__LINE__, what, (long)(r), __VA_ARGS__, 0)

/* Runs call; if point was injected meanwhile, the result must be -EIO. */
#define MUST_EIO_IF(point, what, expr, ...)                                                        \
	({                                                                                         \
		uint64_t inj_ = sim_fault_injected(point);                                         \
		long r_ = CHK(what, (expr), __VA_ARGS__);                                          \
		if (sim_fault_injected(point) != inj_ && strcmp(cur_point, point) == 0 &&          \
		    r_ != -EIO)                                                                    \
			sim_fail(SIMK_FAIL_EXPECT, "line %d: %s hit by %s returned %ld", __LINE__, \
				 what, point, r_);                                                 \
		r_;                                                                                \
	})

static struct {
	int calls;
	ssize_t res;
	struct waitq wq;
} ad;

static void adone(struct kaio_req *r, ssize_t res)
{
	(void)r;
	ad.calls++;
	ad.res = res;
	waitq_wake_all(&ad.wq);
}

static bool ad_done(void *arg)
{
	(void)arg;
	return ad.calls > 0;
}

static void workload(void *arg)
{
	(void)arg;
	errors_seen = calls = 0;
	int r = blkdev_create(&vt_cfg.dev, &vt_dev);
	VEQ(r, 0);
	/* user memory first: umem_alloc is a kmem allocation too */
	struct simk_proc *p = sim_proc_current();
	static uint8_t buf[16384];
	vt_fill(buf, sizeof(buf), 9, 0);
	uaddr_t ub = vt_ubytes(buf, sizeof(buf));
	uaddr_t rb = vt_ubuf(sizeof(buf));
	uaddr_t pf = vt_ubuf(8);
	uaddr_t pw = vt_ustr("/w"), pa = vt_ustr("/w/a"), pb = vt_ustr("/w/b"),
		pd = vt_ustr("/w/d");
	char err[128];
	char spec[64];
	snprintf(spec, sizeof(spec), "%s:nth=%d", cur_point, cur_k);
	VEQ(sim_fault_enable(spec, err, sizeof(err)), 0);
	if (CHK("mount", vfs_mount(vt_dev, &vt_cfg.mnt), EIO, ENOMEM) != 0)
		return;
	CHK("mkdir", simk_mkdir(pw, 0755), ENOMEM);
	int a = (int)CHK("open a", simk_open(pa, O_CREAT | O_RDWR, 0644), ENOMEM, ENOENT);
	CHK("pwrite a", simk_pwrite(a, ub, 10000, 0), ENOMEM, EBADF);
	MUST_EIO_IF("blk/flush/eio", "fsync a", simk_fsync(a), EIO, EBADF);
	/* power cut and remount: the reads below miss the cache */
	vfs_power_cut(0, NULL);
	CHK("close a", simk_close(a), EBADF);
	struct vfs_mount_opts o = vt_cfg.mnt;
	o.format = false;
	if (CHK("remount", vfs_mount(vt_dev, &o), EIO, ENOMEM, EUCLEAN) != 0)
		return;
	a = (int)CHK("reopen a", simk_open(pa, O_RDWR, 0), ENOMEM, ENOENT);
	for (int64_t off = 0; off < 12288; off += 4096)
		MUST_EIO_IF("blk/read/eio", "pread a", simk_pread(a, rb, 4096, off), EIO, ENOMEM,
			    EBADF);
	CHK("pwrite a2", simk_pwrite(a, ub + 100, 3000, 5000), ENOMEM, EBADF, EIO);
	MUST_EIO_IF("blk/flush/eio", "fdatasync a", simk_fdatasync(a), EIO, EBADF);
	CHK("ftruncate a", simk_ftruncate(a, 7000), EIO, ENOMEM, EBADF);
	MUST_EIO_IF("blk/flush/eio", "fsync a2", simk_fsync(a), EIO, EBADF);
	int d =
	    (int)CHK("open d", simk_open(pd, O_CREAT | O_RDWR | O_DIRECT, 0644), ENOMEM, ENOENT);
	MUST_EIO_IF("blk/write/eio", "direct pwrite", simk_pwrite(d, ub, 8192, 0), EIO, ENOMEM,
		    EBADF);
	MUST_EIO_IF("blk/read/eio", "direct pread", simk_pread(d, rb, 8192, 0), EIO, ENOMEM, EBADF);
	struct file *fp;
	if (fd_get(p, d, &fp) == 0) {
		struct uio_vec v = {ub, 4096};
		struct kaio_req kr = {.op = KAIO_WRITE,
				      .proc = p,
				      .iov = &v,
				      .iovcnt = 1,
				      .offset = 8192,
				      .done = adone};
		ad.calls = 0;
		waitq_init(&ad.wq, "ad");
		if (CHK("aio submit", file_aio_submit(fp, &kr), ENOMEM, EIO) == 0) {
			waitq_wait(&ad.wq, false, false, SIMK_FOREVER, ad_done, NULL);
			VEQ(ad.calls, 1);
			CHK("aio result", ad.res, EIO);
		}
		waitq_destroy(&ad.wq);
		file_put(fp);
	}
	MUST_EIO_IF("blk/flush/eio", "fsync d", simk_fsync(d), EIO, EBADF);
	MUST_EIO_IF("blk/read/eio", "pread d", simk_pread(d, rb, 12288, 0), EIO, ENOMEM, EBADF);
	if (CHK("pipe", simk_pipe(pf), ENOMEM) == 0) {
		int fds[2];
		vt_uget(pf, fds, sizeof(fds));
		CHK("pipe write", simk_write(fds[1], ub, 100), ENOMEM);
		CHK("pipe read", simk_read(fds[0], rb, 100), ENOMEM);
		CHK("close", simk_close(fds[0]), 0);
		CHK("close", simk_close(fds[1]), 0);
	}
	CHK("rename", simk_rename(pa, pb), ENOMEM, ENOENT);
	CHK("unlink", simk_unlink(pb), ENOENT);
	CHK("close a", simk_close(a), EBADF);
	CHK("close d", simk_close(d), EBADF);
	/* every request of the filesystem ended exactly once */
	struct vfs_stats vs = vt_stats();
	VEQ(vs.ios_submitted, vs.ios_done);
	struct blkdev_stats bs;
	blkdev_get_stats(vt_dev, &bs);
	VEQ(bs.in_flight, 0);
	VEQ(bs.submitted, bs.completed);
}

static uint64_t run_once(const char *point, int k, int *errs)
{
	cur_point = point;
	cur_k = k;
	vt_config_default();
	vt_cfg.mnt.flush_delay_ns = 1000000000ull; /* commits come from fsync only */
	vt_cfg.dev.timeout_ns = 2000000;
	struct simk *s = vt_sim(77);
	simk_thread_create(simk_proc_create(s, "p"), "w", workload, NULL);
	enum simk_outcome o = simk_run(s);
	cr_assert_eq(o, SIMK_PASS, "%s nth=%d: outcome %d: %s", point, k, o,
		     simk_failure_reason(s));
	uint64_t h = simk_trace_hash(s);
	*errs = errors_seen;
	simk_destroy(s);
	return h;
}

static void campaign(const char *point)
{
	int with_errors = 0;
	for (int k = 1; k <= KMAX; k++) {
		int e1, e2;
		uint64_t h1 = run_once(point, k, &e1);
		uint64_t h2 = run_once(point, k, &e2);
		cr_assert_eq(h1, h2, "%s nth=%d: not deterministic", point, k);
		cr_assert_eq(e1, e2);
		with_errors += e1 > 0;
	}
	fprintf(stderr, "campaign %-20s runs with errors at the caller: %d/%d\n", point,
		with_errors, KMAX);
	if (strstr(point, "eio") != NULL || strstr(point, "enomem") != NULL)
		cr_assert_gt(with_errors, 0, "%s never reached a caller", point);
}

Test(vfs_campaign, blk_read_eio)
{
	campaign(points[0]);
}
Test(vfs_campaign, blk_write_eio)
{
	campaign(points[1]);
}
Test(vfs_campaign, blk_flush_eio)
{
	campaign(points[2]);
}
Test(vfs_campaign, blk_write_torn)
{
	campaign(points[3]);
}
Test(vfs_campaign, blk_complete_delay)
{
	campaign(points[4]);
}
Test(vfs_campaign, blk_complete_lost)
{
	campaign(points[5]);
}
Test(vfs_campaign, blk_queue_full)
{
	campaign(points[6]);
}
Test(vfs_campaign, kmem_alloc_enomem)
{
	campaign(points[7]);
}

Test(vfs_campaign, no_fault_workload_has_no_errors)
{
	int e;
	sim_fault_declare("none/point"); /* declared, but nothing hits it */
	(void)run_once("none/point", 1, &e);
	cr_assert_eq(e, 0);
	cr_assert(NPOINTS == 8);
}
