/*
 * Helpers shared by the Linux AIO unit tests (test_laio_*.c), on top of the
 * VFS test helpers: a simulation with a mounted filesystem, user-memory
 * iocbs, and wrappers over the io_* system calls (simk_io_*, which take
 * the switch points of a real system call, so race tests interleave there).
 */
#ifndef SIMK_LAIO_TEST_H
#define SIMK_LAIO_TEST_H

#include "syscalls/eventfd/eventfd.h"
#include "syscalls/linux_aio/laio.h"
#include "vfs_test.h"

/* ---- system calls ---- */

/* io_setup into a fresh user word; returns the context (fails the run on
 * error). */
static inline aio_context_t lt_setup(unsigned nr)
{
	uaddr_t a = vt_ubuf(sizeof(aio_context_t));
	int r = simk_io_setup(nr, a);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "io_setup(%u): %d", nr, r);
	aio_context_t ctx;
	vt_uget(a, &ctx, sizeof(ctx));
	return ctx;
}

/* io_setup's raw result (the context, if any, in *ctx). */
static inline int lt_setup_r(unsigned nr, aio_context_t *ctx)
{
	uaddr_t a = vt_ubuf(sizeof(aio_context_t));
	int r = simk_io_setup(nr, a);
	*ctx = 0;
	if (r == 0)
		vt_uget(a, ctx, sizeof(*ctx));
	return r;
}

/* A struct iocb in user memory; returns its address. */
static inline uaddr_t lt_iocb(uint16_t op, int fd, uaddr_t buf, uint64_t nbytes, int64_t off,
			      uint64_t data)
{
	struct iocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = op;
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = nbytes;
	cb.aio_offset = off;
	cb.aio_data = data;
	return vt_ubytes(&cb, sizeof(cb));
}

static inline struct iocb lt_iocb_get(uaddr_t a)
{
	struct iocb cb;
	vt_uget(a, &cb, sizeof(cb));
	return cb;
}

static inline void lt_iocb_put(uaddr_t a, const struct iocb *cb)
{
	vt_uput(a, cb, sizeof(*cb));
}

static inline void lt_iocb_resfd(uaddr_t a, int efd)
{
	struct iocb cb = lt_iocb_get(a);
	cb.aio_flags |= IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)efd;
	lt_iocb_put(a, &cb);
}

/* Submits n iocbs (user addresses); returns io_submit's result. */
static inline long lt_submit(aio_context_t ctx, const uaddr_t *cbs, long n)
{
	uaddr_t arr = vt_ubuf((size_t)(n > 0 ? n : 1) * sizeof(uint64_t));
	if (n > 0)
		vt_uput(arr, cbs, (size_t)n * sizeof(uint64_t));
	return simk_io_submit(ctx, n, arr);
}

static inline long lt_submit1(aio_context_t ctx, uaddr_t cb)
{
	return lt_submit(ctx, &cb, 1);
}

/* io_getevents into host memory; timeout_ns < 0 means none (wait forever). */
static inline long lt_getevents(aio_context_t ctx, long min_nr, long nr, struct io_event *out,
				int64_t timeout_ns)
{
	uaddr_t evs = vt_ubuf((size_t)(nr > 0 ? nr : 1) * sizeof(struct io_event));
	uaddr_t to = 0;
	if (timeout_ns >= 0) {
		struct laio_timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
		to = vt_ubytes(&ts, sizeof(ts));
	}
	long r = simk_io_getevents(ctx, min_nr, nr, evs, to);
	if (r > 0)
		vt_uget(evs, out, (size_t)r * sizeof(struct io_event));
	return r;
}

/* io_cancel; the event (if any) in *ev. */
static inline int lt_cancel(aio_context_t ctx, uaddr_t cb, struct io_event *ev)
{
	uaddr_t res = vt_ubuf(sizeof(struct io_event));
	int r = simk_io_cancel(ctx, cb, res);
	if (r == 0 && ev != NULL)
		vt_uget(res, ev, sizeof(*ev));
	return r;
}

static inline int lt_destroy(aio_context_t ctx)
{
	return simk_io_destroy(ctx);
}

/* The ring header as user space sees it. */
static inline struct aio_ring lt_ring(aio_context_t ctx)
{
	struct aio_ring r;
	vt_uget(ctx, &r, sizeof(r));
	return r;
}

/* A pipe: fds[0] read end, fds[1] write end. */
static inline void lt_pipe(int fds[2], int flags)
{
	uaddr_t a = vt_ubuf(2 * sizeof(int));
	int r = simk_pipe2(a, flags);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "pipe2: %d", r);
	vt_uget(a, fds, 2 * sizeof(int));
}

/* An O_DIRECT file of the mounted filesystem. */
static inline int lt_open_direct(const char *path)
{
	int fd = vt_open(path, O_CREAT | O_RDWR | O_DIRECT, 0644);
	if (fd < 0)
		sim_fail(SIMK_FAIL_EXPECT, "open %s: %d", path, fd);
	return fd;
}

/* Makes the k-th next hit of a fault point fail (k >= 1). */
static inline void lt_fault_next(const char *point, uint64_t k)
{
	char spec[96];
	snprintf(spec, sizeof(spec), "%s:off", point);
	vt_fault(spec);
	snprintf(spec, sizeof(spec), "%s:nth=%llu", point,
		 (unsigned long long)(sim_fault_hits(point) + k));
	vt_fault(spec);
}

static inline void lt_fault_off(const char *point)
{
	char spec[96];
	snprintf(spec, sizeof(spec), "%s:off", point);
	vt_fault(spec);
}

static inline struct laio_stats lt_stats(void)
{
	struct laio_stats st;
	laio_get_stats(&st);
	return st;
}

/* ---- running a test body in a simulation ---- */

typedef void (*lt_body_fn)(void);
static lt_body_fn lt_body_cur;

static inline void lt_main(void *arg)
{
	(void)arg;
	vt_setup();
	lt_body_cur();
}

/* Runs body in a process "app" on a mounted filesystem; asserts a pass. */
static inline void lt_run_policy(lt_body_fn body, uint64_t seed, enum simk_policy pol)
{
	lt_body_cur = body;
	struct simk *s = vt_sim_policy(seed, pol);
	struct simk_proc *p = simk_proc_create(s, "app");
	simk_thread_create(p, "main", lt_main, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static inline void lt_run(lt_body_fn body)
{
	vt_config_default();
	lt_run_policy(body, 1, SIMK_POLICY_FIFO);
}

/* Spawns another thread of the current process running fn(arg). */
static inline struct simk_thread *lt_spawn(const char *name, simk_thread_fn fn, void *arg)
{
	struct simk_thread *t = kthread_create(sim_proc_current(), name, fn, arg, false);
	if (t == NULL)
		sim_fail(SIMK_FAIL_EXPECT, "kthread_create %s failed", name);
	return t;
}

static inline void lt_join(struct simk_thread *t)
{
	int r = kthread_join(t, NULL);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "join: %d", r);
}

#endif
