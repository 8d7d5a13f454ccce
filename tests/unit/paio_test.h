/*
 * Helpers shared by the POSIX AIO unit tests (test_paio_*.c), on top of the
 * VFS helpers: control blocks in user memory, waiting, settings.
 */
#ifndef SIMK_PAIO_TEST_H
#define SIMK_PAIO_TEST_H

#include "vfs_test.h"

#include <stdlib.h>

#include "syscalls/posix_aio/paio.h"

/* Runs s, asserts it passed; with PT_TRACE set, prints the trace of a
 * failed run. */
#define PT_RUN_PASS(s)                                                                             \
	do {                                                                                       \
		enum simk_outcome pt_o_ = simk_run(s);                                             \
		if (pt_o_ != SIMK_PASS && getenv("PT_TRACE") != NULL)                              \
			simk_trace_print(s, stderr);                                               \
		cr_assert_eq(                                                                      \
		    pt_o_, SIMK_PASS,                                                              \
		    "seed %llu: outcome %d: %s (rerun: build/tests/unit --filter '%s/%s')",        \
		    (unsigned long long)simk_seed(s), pt_o_, simk_failure_reason(s),               \
		    criterion_current_test->category, criterion_current_test->name);               \
	} while (0)

/* An aiocb in the current process's user memory. */
static inline uaddr_t pt_cb(int fd, uaddr_t buf, uint64_t nbytes, int64_t off)
{
	struct simk_aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = nbytes;
	cb.aio_offset = off;
	cb.aio_sigevent.sigev_notify = SIMK_SIGEV_NONE;
	return vt_ubytes(&cb, sizeof(cb));
}

static inline struct simk_aiocb pt_get(uaddr_t a)
{
	struct simk_aiocb cb;
	vt_uget(a, &cb, sizeof(cb));
	return cb;
}

static inline void pt_put(uaddr_t a, const struct simk_aiocb *cb)
{
	vt_uput(a, cb, sizeof(*cb));
}

/* Sets the aiocb's sigevent. */
static inline void pt_sigev(uaddr_t a, int notify, int signo, uint64_t value, uint64_t fn)
{
	struct simk_aiocb cb = pt_get(a);
	cb.aio_sigevent.sigev_notify = notify;
	cb.aio_sigevent.sigev_signo = signo;
	cb.aio_sigevent.sigev_value = value;
	cb.aio_sigevent.sigev_function = fn;
	pt_put(a, &cb);
}

static inline void pt_opcode(uaddr_t a, int op)
{
	struct simk_aiocb cb = pt_get(a);
	cb.aio_lio_opcode = op;
	pt_put(a, &cb);
}

/* A list of aiocb addresses in user memory. */
static inline uaddr_t pt_list(const uaddr_t *cbs, int n)
{
	uint64_t v[64];
	for (int i = 0; i < n && i < 64; i++)
		v[i] = cbs[i];
	return vt_ubytes(v, (size_t)n * sizeof(uint64_t));
}

static inline uaddr_t pt_timespec(int64_t sec, int64_t nsec)
{
	struct simk_timespec ts = {sec, nsec};
	return vt_ubytes(&ts, sizeof(ts));
}

/* Waits (aio_suspend, no timeout) until cb's request ended; returns
 * aio_error's answer. */
static inline int pt_wait(uaddr_t cb)
{
	uaddr_t l = pt_list(&cb, 1);
	for (int i = 0; i < 1000; i++) {
		int e = simk_aio_error(cb);
		if (e != EINPROGRESS)
			return e;
		int r = simk_aio_suspend(l, 1, 0);
		if (r != 0)
			sim_fail(SIMK_FAIL_EXPECT, "aio_suspend: %d", r);
	}
	sim_fail(SIMK_FAIL_EXPECT, "request never ended");
}

/* Waits for cb and returns aio_return. */
static inline ssize_t pt_result(uaddr_t cb)
{
	(void)pt_wait(cb);
	return simk_aio_return(cb);
}

static inline struct paio_stats pt_stats(void)
{
	struct paio_stats st;
	paio_get_stats(sim_proc_current(), &st);
	return st;
}

static inline void pt_config(int min_workers, int max_workers, int min_workload)
{
	struct paio_config c;
	paio_config_default(&c);
	c.min_workers = min_workers;
	c.max_workers = max_workers;
	c.min_workload = min_workload;
	cr_assert_eq(paio_configure(&c), 0);
}

/* Pipe: fds[0] read end, fds[1] write end. */
static inline void pt_pipe(int fds[2])
{
	uaddr_t a = vt_ubuf(8);
	int r = simk_pipe(a);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "pipe: %d", r);
	int32_t v[2];
	vt_uget(a, v, sizeof(v));
	fds[0] = v[0];
	fds[1] = v[1];
}

/* Runs fn on a fresh simulation (fifo unless pol) with the filesystem
 * mounted, in one process, and asserts the run passed. */
static inline struct simk *pt_sim(uint64_t seed, enum simk_policy pol)
{
	vt_config_default();
	struct simk *s = vt_sim_policy(seed, pol);
	if (getenv("PT_TRACE") != NULL)
		s->trace.keep = 1; /* debugging: PT_TRACE=1 prints failed runs */
	return s;
}

#endif
