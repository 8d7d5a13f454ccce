/*
 * Scenario operations and declarations for the kernel primitives: wait
 * queues, mutexes, condition variables, virtual time, threads, processes
 * and signals; and the constants scenarios use with them (errno names,
 * signal numbers).
 *
 * Each operation decodes its evaluated arguments and calls the primitive;
 * it returns what the primitive returns (0 or a negative errno), or a
 * documented value (trylock: 1 when acquired). The interpreter makes each
 * call a syscall: traced, with switch points at entry and exit.
 *
 * Context: every op runs in thread context on the calling scenario thread.
 */
#include <errno.h>

#include "kern/kern.h"
#include "kern/waitq.h"
#include "sim/scn.h"

/* ---- declarations ---------------------------------------------------- */

static int waitq_create(void *obj, const struct scn_decl *d, const struct scn_val *args)
{
	(void)args;
	waitq_init(obj, d->name);
	return 0;
}

static void waitq_destroy_obj(void *obj, const struct scn_decl *d, bool run_ok)
{
	(void)d;
	if (run_ok)
		waitq_destroy(obj); /* panics if a sleeper is left */
}

static const struct scn_kind kind_waitqueue = {
	.name = "waitqueue",
	.size = sizeof(struct waitq),
	.create = waitq_create,
	.destroy = waitq_destroy_obj,
	.doc = "waitqueue NAME: a wait queue (sleep / wake / wake_one)",
};

/* ---- wait queues ----------------------------------------------------- */

enum { A_WQ, A_TIMEOUT, A_INTR, A_EXCL };

static const struct scn_argspec sleep_args[] = {
	[A_WQ] = { "wq", SCN_OBJ, "waitqueue", 0, 0 },
	[A_TIMEOUT] = { "timeout", SCN_DUR, NULL, SCN_NAMED, 0 },
	[A_INTR] = { "intr", SCN_INT, NULL, SCN_NAMED, 0 },
	[A_EXCL] = { "excl", SCN_INT, NULL, SCN_NAMED, 0 },
};

static uint64_t timeout_of(const struct scn_val *v)
{
	return v->given ? (uint64_t)v->i : SIMK_FOREVER;
}

/* The naive sleep of textbooks: no condition is re-checked, so a wake that
 * comes before the sleep is lost (the lost-wakeup race). */
static int64_t op_sleep(struct scn_call *c)
{
	return waitq_sleep(c->args[A_WQ].obj, c->args[A_EXCL].i != 0, c->args[A_INTR].i != 0,
			   timeout_of(&c->args[A_TIMEOUT]));
}

static const struct scn_argspec wq_args[] = {
	{ "wq", SCN_OBJ, "waitqueue", 0, 0 },
};

static int64_t op_wake(struct scn_call *c)
{
	return waitq_wake_all(c->args[0].obj);
}

static int64_t op_wake_one(struct scn_call *c)
{
	return waitq_wake_one(c->args[0].obj);
}

/* ---- time and the CPU ------------------------------------------------ */

static const struct scn_argspec delay_args[] = {
	{ "duration", SCN_DUR, NULL, 0, 0 },
	{ "intr", SCN_INT, NULL, SCN_NAMED, 0 },
};

/* Sleeps for a span of virtual time; 0, or -EINTR when intr=1 and a
 * signal comes first. */
static int64_t op_delay(struct scn_call *c)
{
	thread_prepare_sleep("delay", c->args[1].i != 0);
	int r = thread_sleep((uint64_t)c->args[0].i);
	return r == -ETIMEDOUT ? 0 : r;
}

static const struct scn_argspec dur_args[] = {
	{ "duration", SCN_DUR, NULL, 0, 0 },
};

/* Burns CPU time: the clock moves, no other thread runs meanwhile. */
static int64_t op_compute(struct scn_call *c)
{
	sim_advance((uint64_t)c->args[0].i);
	return 0;
}

static int64_t op_yield(struct scn_call *c)
{
	(void)c;
	sched_yield();
	return 0;
}

static int64_t op_now(struct scn_call *c)
{
	(void)c;
	return (int64_t)sim_now();
}

static int64_t op_gettid(struct scn_call *c)
{
	(void)c;
	return sim_thread_current()->tid;
}

static int64_t op_getpid(struct scn_call *c)
{
	(void)c;
	return sim_proc_current()->pid;
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct scn_op kern_ops[] = {
	{ "sleep", sleep_args, N(sleep_args), op_sleep,
	  "sleep on a wait queue without re-checking anything; 0, -ETIMEDOUT or -EINTR" },
	{ "wake", wq_args, N(wq_args), op_wake, "wake every sleeper of a wait queue; the number woken" },
	{ "wake_one", wq_args, N(wq_args), op_wake_one,
	  "wake one exclusive sleeper (and every non-exclusive one); the number woken" },
	{ "delay", delay_args, N(delay_args), op_delay,
	  "sleep for a duration of virtual time; 0, or -EINTR with intr=1" },
	{ "compute", dur_args, N(dur_args), op_compute,
	  "spend a duration of CPU time (the clock moves, nobody else runs); 0" },
	{ "yield", NULL, 0, op_yield, "offer the CPU to another runnable thread; 0" },
	{ "now", NULL, 0, op_now, "the virtual time in ns" },
	{ "gettid", NULL, 0, op_gettid, "the calling thread's id" },
	{ "getpid", NULL, 0, op_getpid, "the calling process's id" },
};

/* ---- constants ------------------------------------------------------- */

/* errno names, positive, as in <errno.h>: `expect r == -EINTR`. */
static const struct scn_const errno_consts[] = {
	{ "EPERM", EPERM },         { "ENOENT", ENOENT },       { "ESRCH", ESRCH },
	{ "EINTR", EINTR },         { "EIO", EIO },             { "ENXIO", ENXIO },
	{ "E2BIG", E2BIG },         { "ENOEXEC", ENOEXEC },     { "EBADF", EBADF },
	{ "ECHILD", ECHILD },       { "EAGAIN", EAGAIN },       { "EWOULDBLOCK", EWOULDBLOCK },
	{ "ENOMEM", ENOMEM },       { "EACCES", EACCES },       { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY },         { "EEXIST", EEXIST },       { "EXDEV", EXDEV },
	{ "ENODEV", ENODEV },       { "ENOTDIR", ENOTDIR },     { "EISDIR", EISDIR },
	{ "EINVAL", EINVAL },       { "ENFILE", ENFILE },       { "EMFILE", EMFILE },
	{ "ENOTTY", ENOTTY },       { "EFBIG", EFBIG },         { "ENOSPC", ENOSPC },
	{ "ESPIPE", ESPIPE },       { "EROFS", EROFS },         { "EMLINK", EMLINK },
	{ "EPIPE", EPIPE },         { "EDOM", EDOM },           { "ERANGE", ERANGE },
	{ "EDEADLK", EDEADLK },     { "ENAMETOOLONG", ENAMETOOLONG }, { "ENOSYS", ENOSYS },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ELOOP", ELOOP },         { "ENOMSG", ENOMSG },
	{ "EIDRM", EIDRM },         { "ENODATA", ENODATA },     { "ETIME", ETIME },
	{ "EBADMSG", EBADMSG },     { "EOVERFLOW", EOVERFLOW }, { "EBADFD", EBADFD },
	{ "ENOTSOCK", ENOTSOCK },   { "EMSGSIZE", EMSGSIZE },   { "ENOTSUP", ENOTSUP },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTCONN", ENOTCONN }, { "ECONNRESET", ECONNRESET },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EALREADY", EALREADY },   { "EINPROGRESS", EINPROGRESS },
	{ "ECANCELED", ECANCELED },
};

void scn_ops_kern_register(void)
{
	scn_register_kind(&kind_waitqueue);
	scn_register_ops(kern_ops, N(kern_ops));
	scn_register_consts(errno_consts, N(errno_consts));
}
