/*
 * Helpers shared by the VFS unit tests (test_vfs_*.c): a simulation with a
 * block device and the filesystem mounted from the first test thread,
 * user-memory helpers, and in-thread checks.
 *
 * Checks inside simulated threads (VCHECK, VEQ) stop the run with
 * SIMK_FAIL_EXPECT and a message naming the line; the host side asserts
 * that the run passed (VT_RUN_PASS) and prints that message with the seed.
 */
#ifndef SIMK_VFS_TEST_H
#define SIMK_VFS_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "simk/syscalls.h"

#include "drivers/blkdev.h"
#include "kern/kmem.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/umem.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "vfs/file.h"
#include "vfs/fnotify.h"
#include "vfs/poll.h"
#include "vfs/vfs.h"

#define VCHECK(c)                                                                                  \
	do {                                                                                       \
		if (!(c))                                                                          \
			sim_fail(SIMK_FAIL_EXPECT, "%s:%d: check failed: %s", __FILE__, __LINE__,  \
				 #c);                                                              \
	} while (0)

#define VEQ(a, b)                                                                                  \
	do {                                                                                       \
		long long va_ = (long long)(a), vb_ = (long long)(b);                              \
		if (va_ != vb_)                                                                    \
			sim_fail(SIMK_FAIL_EXPECT, "%s:%d: %s is %lld, expected %s = %lld",        \
				 __FILE__, __LINE__, #a, va_, #b, vb_);                            \
	} while (0)

#define VT_RUN_PASS(s)                                                                             \
	do {                                                                                       \
		enum simk_outcome vt_o_ = simk_run(s);                                             \
		cr_assert_eq(                                                                      \
		    vt_o_, SIMK_PASS,                                                              \
		    "seed %llu: outcome %d: %s (rerun: build/tests/unit --filter '%s/%s')",        \
		    (unsigned long long)simk_seed(s), vt_o_, simk_failure_reason(s),               \
		    criterion_current_test->category, criterion_current_test->name);               \
	} while (0)

struct vt_config {
	struct blkdev_config dev;
	struct vfs_mount_opts mnt;
	bool mount; /* mount in vt_setup (default true) */
};

static struct vt_config vt_cfg;
static struct blkdev *vt_dev;

/* Deterministic, fast device: 512-byte sectors, 4 MiB, fixed 50 us,
 * write cache on, no reordering. */
static inline void vt_config_default(void)
{
	memset(&vt_cfg, 0, sizeof(vt_cfg));
	blkdev_config_default(&vt_cfg.dev);
	vt_cfg.dev.capacity_sectors = 8192;
	vt_cfg.dev.latency = blk_latency_fixed(50000);
	vt_cfg.dev.reorder = false;
	vfs_mount_opts_default(&vt_cfg.mnt);
	vt_cfg.mount = true;
}

/* A simulation whose running threads spend step_cost_ns per switch point
 * (the cost model; SIMK_STEP_COST_DEFAULT_NS is what users get). */
static inline struct simk *vt_sim_cost(uint64_t seed, enum simk_policy pol, uint64_t step_cost_ns)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = seed;
	o.policy = pol;
	o.stack_size = 128 * 1024;
	o.step_cost_ns = step_cost_ns;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	vt_dev = NULL;
	return s;
}

/* Exact instants: no cost model (test_engine_cost.c tests it). */
static inline struct simk *vt_sim_policy(uint64_t seed, enum simk_policy pol)
{
	return vt_sim_cost(seed, pol, 0);
}

static inline struct simk *vt_sim(uint64_t seed)
{
	return vt_sim_policy(seed, SIMK_POLICY_FIFO);
}

/* Runs fn as the one thread of one process with the default config,
 * seed 1, FIFO; the run must pass. */
#define VT_RUN1(fn)                                                                                \
	do {                                                                                       \
		vt_config_default();                                                               \
		struct simk *vt_s_ = vt_sim(1);                                                    \
		simk_thread_create(simk_proc_create(vt_s_, "p"), "t", fn, NULL);                   \
		VT_RUN_PASS(vt_s_);                                                                \
		simk_destroy(vt_s_);                                                               \
	} while (0)

/* Consistency-check tests: runs fn as the one thread (default config,
 * seed 1, FIFO); fn corrupts a structure on purpose and calls
 * vt_check_all(). The run must fail as a kernel panic whose reason
 * contains needle (the check's message). */
static inline void vt_run_expect_check_failure(simk_thread_fn fn, const char *needle)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", fn, NULL);
	enum simk_outcome o = simk_run(s);
	cr_assert_eq(o, SIMK_FAIL_PANIC, "outcome %d (%s): the check missed the corruption", o,
		     simk_failure_reason(s));
	cr_assert(strstr(simk_failure_reason(s), needle) != NULL, "reason '%s' lacks '%s'",
		  simk_failure_reason(s), needle);
	simk_destroy(s);
}

/* Every registered subsystem's consistency check, now (thread context). */
static inline void vt_check_all(void)
{
	sim_subsys_check(sim_cur());
}

/* Thread context: creates the device and (if configured) mounts. */
static inline void vt_setup(void)
{
	int r = blkdev_create(&vt_cfg.dev, &vt_dev);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "blkdev_create: %d", r);
	if (vt_cfg.mount) {
		r = vfs_mount(vt_dev, &vt_cfg.mnt);
		if (r != 0)
			sim_fail(SIMK_FAIL_EXPECT, "vfs_mount: %d", r);
	}
}

/* Another device like vt_cfg.dev, 4096 sectors, named name (thread
 * context): the device of a second filesystem. */
static inline struct blkdev *vt_mk_dev(const char *name)
{
	struct blkdev_config c = vt_cfg.dev;
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.capacity_sectors = 4096;
	struct blkdev *d = NULL;
	int r = blkdev_create(&c, &d);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "blkdev_create %s: %d", name, r);
	return d;
}

/* Mounts d at path with the default options, formatting or recovering. */
static inline int vt_mount_fmt(struct blkdev *d, const char *path, bool format)
{
	struct vfs_mount_opts o;
	vfs_mount_opts_default(&o);
	o.format = format;
	return vfs_mount_at(d, &o, path);
}

/* Remounts after a power cut (format = false). Returns vfs_mount's result. */
static inline int vt_remount(void)
{
	struct vfs_mount_opts o = vt_cfg.mnt;
	o.format = false;
	return vfs_mount(vt_dev, &o);
}

/* ---- user memory (thread context, current process) ---- */

static inline uaddr_t vt_ubuf(size_t n)
{
	uaddr_t a = umem_alloc(sim_proc_current(), n ? n : 1);
	if (a == 0)
		sim_fail(SIMK_FAIL_EXPECT, "umem_alloc(%zu) failed", n);
	return a;
}

static inline uaddr_t vt_ustr(const char *s)
{
	size_t n = strlen(s) + 1;
	uaddr_t a = vt_ubuf(n);
	if (copyout(s, a, n) != 0)
		sim_fail(SIMK_FAIL_EXPECT, "copyout of a string failed");
	return a;
}

static inline void vt_uput(uaddr_t a, const void *p, size_t n)
{
	if (copyout(p, a, n) != 0)
		sim_fail(SIMK_FAIL_EXPECT, "copyout failed");
}

static inline void vt_uget(uaddr_t a, void *p, size_t n)
{
	if (copyin(a, p, n) != 0)
		sim_fail(SIMK_FAIL_EXPECT, "copyin failed");
}

/* User buffer holding the given bytes. */
static inline uaddr_t vt_ubytes(const void *p, size_t n)
{
	uaddr_t a = vt_ubuf(n);
	vt_uput(a, p, n);
	return a;
}

static inline int vt_open(const char *path, int flags, int mode)
{
	return simk_open(vt_ustr(path), flags, mode);
}

/* Writes a string through fd (write(2)); returns the result. */
static inline ssize_t vt_write_str(int fd, const char *s)
{
	return simk_write(fd, vt_ubytes(s, strlen(s)), strlen(s));
}

/* Creates (or truncates) path holding content. */
static inline void vt_mk_file(const char *path, const char *content)
{
	int fd = vt_open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	VCHECK(fd >= 0);
	VEQ(vt_write_str(fd, content), (long long)strlen(content));
	VEQ(simk_close(fd), 0);
}

/* umem_protect on the current process; the run fails if it refuses. */
static inline void vt_protect(uaddr_t a, size_t len, int prot)
{
	int r = umem_protect(sim_proc_current(), a, len, prot);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "umem_protect(%#llx, %zu, %d): %d",
			 (unsigned long long)a, len, prot, r);
}

/* Reads up to n bytes at off into out (host); returns pread's result. */
static inline ssize_t vt_pread(int fd, void *out, size_t n, int64_t off)
{
	uaddr_t a = vt_ubuf(n);
	ssize_t r = simk_pread(fd, a, n, off);
	if (r > 0)
		vt_uget(a, out, (size_t)r);
	return r;
}

static inline ssize_t vt_pwrite(int fd, const void *p, size_t n, int64_t off)
{
	return simk_pwrite(fd, vt_ubytes(p, n), n, off);
}

static inline struct simk_stat vt_fstat(int fd)
{
	struct simk_stat st;
	memset(&st, 0, sizeof(st));
	uaddr_t a = vt_ubuf(sizeof(st));
	int r = simk_fstat(fd, a);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "fstat(%d): %d", fd, r);
	vt_uget(a, &st, sizeof(st));
	return st;
}

static inline int vt_stat(const char *path, struct simk_stat *st)
{
	uaddr_t a = vt_ubuf(sizeof(*st));
	int r = simk_stat(vt_ustr(path), a);
	if (r == 0)
		vt_uget(a, st, sizeof(*st));
	return r;
}

/* Sleeps for ns of virtual time (thread context). */
static inline void vt_sleep(uint64_t ns)
{
	struct waitq wq;
	waitq_init(&wq, "vt_sleep");
	(void)waitq_sleep(&wq, false, false, ns);
	waitq_destroy(&wq);
}

static inline void vt_fault(const char *spec)
{
	char err[128];
	if (sim_fault_enable(spec, err, sizeof(err)) != 0)
		sim_fail(SIMK_FAIL_EXPECT, "fault %s: %s", spec, err);
}

static inline struct vfs_stats vt_stats(void)
{
	struct vfs_stats vs;
	memset(&vs, 0, sizeof(vs));
	if (vfs_get_stats(&vs) != 0)
		sim_fail(SIMK_FAIL_EXPECT, "nothing mounted");
	return vs;
}

/* Power cut, then mount what is on stable media. */
static inline void vt_crash_remount(unsigned flags)
{
	vfs_power_cut(flags, NULL);
	int r = vt_remount();
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "remount after the power cut: %d", r);
}

/* Fills buf with a pattern derived from (tag, offset): byte i of a file
 * written with tag t at offset o is pattern(t, o + i). */
static inline uint8_t vt_pat(uint32_t tag, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)tag << 32 | tag);
	x ^= x >> 29;
	uint8_t b = (uint8_t)(x ^ (x >> 11) ^ (x >> 23));
	return b == 0 ? 1 : b; /* never 0: zeros mean "never written" */
}

static inline void vt_fill(uint8_t *buf, size_t n, uint32_t tag, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = vt_pat(tag, off + i);
}

#endif
