/*
 * POSIX AIO: scenario declarations, operations and constants (scn/scn.h).
 * The language side is documented in docs/paio.md ("Scenarios").
 *
 * Declarations (host context, before any thread runs):
 *   aiocb NAME [size=4096] [proc=PROCESS]
 *       a struct aiocb, the port_notify_t it may point to, and a data
 *       buffer of size bytes (page aligned, so O_DIRECT works), all in the
 *       user memory of PROCESS (default main): forked children see them at
 *       the same addresses.
 *   aiolist NAME N [proc=PROCESS]
 *       an array of N aiocb addresses (all 0) for lio_listio,
 *       aio_suspend and aio_waitn.
 *   aio_pool NAME [min_workers=4] [max_workers=256] [min_workload=2]
 *                 [max_requests=1024] [kaio=1]
 *       the run's POSIX AIO settings (at most one per scenario).
 *
 * Operations build the control block from their arguments and call the
 * system call; results are the system call's (>= 0, or -errno).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "simk/paio.h"

#include "kern/proc.h"
#include "scn/scn.h"
#include "syscalls/posix_aio/paio_priv.h"

#define CB_PN_OFF 128	 /* the port_notify_t inside the object's region */
#define CB_DATA_OFF 4096 /* the data buffer, page aligned */

struct scn_aiocb_obj {
	struct simk_proc *proc;
	uaddr_t base; /* the aiocb */
	int64_t size; /* data bytes */
};

struct scn_aiolist_obj {
	struct simk_proc *proc;
	uaddr_t base;
	int64_t n;
};

/* ---- declarations --------------------------------------------------------- */

enum { A_SIZE, A_PROC };
static const struct scn_argspec aiocb_args[] = {
    [A_SIZE] = {"size", SCN_INT, NULL, SCN_NAMED, 4096},
    [A_PROC] = {"proc", SCN_OBJ, "process", SCN_NAMED, 0},
};

static int aiocb_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	(void)d;
	struct scn_aiocb_obj *o = obj;
	if (a[A_SIZE].i < 0 || a[A_SIZE].i > (1 << 24))
		return -EINVAL;
	o->proc = scn_proc_arg(&a[A_PROC]);
	if (o->proc == NULL)
		return -ESRCH;
	o->size = a[A_SIZE].i;
	o->base = umem_alloc(o->proc, CB_DATA_OFF + (size_t)o->size);
	if (o->base == 0)
		return -ENOMEM;
	struct simk_aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = -1;
	cb.aio_sigevent.sigev_notify = SIMK_SIGEV_NONE;
	return copyout_proc(o->proc, &cb, o->base, sizeof(cb));
}

static const struct scn_kind kind_aiocb = {
    .name = "aiocb",
    .size = sizeof(struct scn_aiocb_obj),
    .args = aiocb_args,
    .nargs = SCN_NARGS(aiocb_args),
    .create = aiocb_create,
    .doc = "aiocb NAME [size=4096] [proc=PROCESS]: a struct aiocb with its own data buffer "
	   "in user memory",
};

enum { L_N, L_PROC };
static const struct scn_argspec aiolist_args[] = {
    [L_N] = {"n", SCN_INT, NULL, 0, 0},
    [L_PROC] = {"proc", SCN_OBJ, "process", SCN_NAMED, 0},
};

static int aiolist_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	(void)d;
	struct scn_aiolist_obj *o = obj;
	if (a[L_N].i < 1 || a[L_N].i > AIO_LISTIO_MAX)
		return -EINVAL;
	o->proc = scn_proc_arg(&a[L_PROC]);
	if (o->proc == NULL)
		return -ESRCH;
	o->n = a[L_N].i;
	o->base = umem_alloc(o->proc, (size_t)o->n * sizeof(uint64_t));
	return o->base == 0 ? -ENOMEM : 0;
}

static const struct scn_kind kind_aiolist = {
    .name = "aiolist",
    .size = sizeof(struct scn_aiolist_obj),
    .args = aiolist_args,
    .nargs = SCN_NARGS(aiolist_args),
    .create = aiolist_create,
    .doc = "aiolist NAME N [proc=PROCESS]: an array of N aiocb addresses (all 0)",
};

enum { P_MIN, P_MAX, P_LOAD, P_REQS, P_KAIO };
static const struct scn_argspec pool_args[] = {
    [P_MIN] = {"min_workers", SCN_INT, NULL, SCN_NAMED, 4},
    [P_MAX] = {"max_workers", SCN_INT, NULL, SCN_NAMED, 256},
    [P_LOAD] = {"min_workload", SCN_INT, NULL, SCN_NAMED, 2},
    [P_REQS] = {"max_requests", SCN_INT, NULL, SCN_NAMED, 1024},
    [P_KAIO] = {"kaio", SCN_INT, NULL, SCN_NAMED, 1},
};

static int pool_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	(void)obj;
	(void)d;
	struct paio_config c;
	paio_config_default(&c);
	c.min_workers = (int)a[P_MIN].i;
	c.max_workers = (int)a[P_MAX].i;
	c.min_workload = (int)a[P_LOAD].i;
	c.max_requests = (int)a[P_REQS].i;
	c.kaio = a[P_KAIO].i != 0;
	return paio_configure(&c);
}

static const struct scn_kind kind_pool = {
    .name = "aio_pool",
    .size = 1,
    .args = pool_args,
    .nargs = SCN_NARGS(pool_args),
    .create = pool_create,
    .doc = "aio_pool NAME [min_workers=4] [max_workers=256] [min_workload=2] "
	   "[max_requests=1024] [kaio=1]: the run's POSIX AIO settings",
};

/* ---- building control blocks ------------------------------------------------ */

/* SIGEV_THREAD in scenarios: the notification runs a thread declaration's
 * body in the new thread. */
static void run_thread_body(int64_t sigval, void *ctx)
{
	(void)sigval;
	struct scn_thread_obj *o = ctx;
	scn_thread_started(o, sim_thread_current());
	o->fn(o->arg);
}

/* The notification arguments (aio_notify, lio_listio): target is the
 * signal number (SIGEV_SIGNAL), the port descriptor (SIGEV_PORT) or the
 * kqueue descriptor (SIGEV_KEVENT); value the sigval / port user value /
 * kevent udata; thread the body SIGEV_THREAD runs. */
#define SIGEV_ARGS(flags)                                                                          \
	{"notify", SCN_INT, NULL, flags, SIMK_SIGEV_NONE},                                         \
	    {"target", SCN_INT, NULL, SCN_NAMED, 0}, {"value", SCN_INT, NULL, SCN_NAMED, 0},       \
	{                                                                                          \
		"thread", SCN_OBJ, "thread", SCN_NAMED, 0                                          \
	}
enum { S_NOTIFY, S_TARGET, S_VALUE, S_THREAD, S_COUNT };

/* Fills a sigevent from the arguments at a (S_* order). SIGEV_PORT needs
 * a port_notify_t: it goes at pn_addr in p's user memory. */
static void fill_sigev(struct simk_sigevent *se, const struct scn_val *a, struct simk_proc *p,
		       uaddr_t pn_addr)
{
	memset(se, 0, sizeof(*se));
	se->sigev_notify = (int32_t)a[S_NOTIFY].i;
	se->sigev_signo = (int32_t)a[S_TARGET].i;
	se->sigev_value = (uint64_t)a[S_VALUE].i;
	if (se->sigev_notify == SIMK_SIGEV_PORT) {
		struct simk_aio_port_notify pn = {(int32_t)a[S_TARGET].i, 0,
						  (uint64_t)a[S_VALUE].i};
		(void)copyout_proc(p, &pn, pn_addr, sizeof(pn));
		se->sigev_signo = 0;
		se->sigev_value = pn_addr;
	} else if (se->sigev_notify == SIMK_SIGEV_THREAD && a[S_THREAD].given) {
		se->sigev_function = paio_sigev_fn_lookup(run_thread_body, a[S_THREAD].obj);
	}
}

static const struct scn_argspec notify_args[] = {
    {"cb", SCN_OBJ, "aiocb", 0, 0},
    SIGEV_ARGS(0),
};

/* Sets the aiocb's sigevent (kept by later submissions of the aiocb). */
static int64_t op_aio_notify(struct scn_call *c)
{
	struct scn_aiocb_obj *o = c->args[0].obj;
	struct simk_sigevent se;
	fill_sigev(&se, &c->args[1], o->proc, o->base + CB_PN_OFF);
	return copyout_proc(o->proc, &se, o->base + offsetof(struct simk_aiocb, aio_sigevent),
			    sizeof(se));
}

enum { R_CB, R_FD, R_LEN, R_OFF, R_PRIO };

/* Writes the aiocb of o: fd, its own buffer (len -1: all of it), offset,
 * priority, opcode; the sigevent stays as aio_notify left it. */
static void prep(struct scn_aiocb_obj *o, int64_t fd, int64_t len, int64_t off, int64_t prio,
		 int opcode)
{
	struct simk_aiocb cb;
	memset(&cb, 0, sizeof(cb));
	(void)copyin_proc(o->proc, o->base, &cb, sizeof(cb));
	cb.aio_fildes = (int32_t)fd;
	cb.aio_buf = o->base + CB_DATA_OFF;
	cb.aio_nbytes = len < 0 ? (uint64_t)o->size : (uint64_t)len;
	cb.aio_offset = off;
	cb.aio_reqprio = (int32_t)prio;
	cb.aio_lio_opcode = opcode;
	(void)copyout_proc(o->proc, &cb, o->base, sizeof(cb));
}

static const struct scn_argspec rw_args[] = {
    [R_CB] = {"cb", SCN_OBJ, "aiocb", 0, 0},
    [R_FD] = {"fd", SCN_INT, NULL, 0, 0},
    [R_LEN] = {"len", SCN_INT, NULL, SCN_NAMED, -1},
    [R_OFF] = {"off", SCN_INT, NULL, SCN_NAMED, 0},
    [R_PRIO] = {"prio", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_rw(struct scn_call *c, int opcode)
{
	struct scn_val *a = c->args;
	struct scn_aiocb_obj *o = a[R_CB].obj;
	prep(o, a[R_FD].i, a[R_LEN].i, a[R_OFF].i, a[R_PRIO].i, opcode);
	return opcode == LIO_READ ? simk_aio_read(o->base) : simk_aio_write(o->base);
}

static int64_t op_aio_read(struct scn_call *c)
{
	return op_rw(c, LIO_READ);
}

static int64_t op_aio_write(struct scn_call *c)
{
	return op_rw(c, LIO_WRITE);
}

enum { PR_CB, PR_FD, PR_OP, PR_LEN, PR_OFF, PR_PRIO };
static const struct scn_argspec prep_args[] = {
    [PR_CB] = {"cb", SCN_OBJ, "aiocb", 0, 0},
    [PR_FD] = {"fd", SCN_INT, NULL, 0, 0},
    [PR_OP] = {"op", SCN_INT, NULL, 0, 0},
    [PR_LEN] = {"len", SCN_INT, NULL, SCN_NAMED, -1},
    [PR_OFF] = {"off", SCN_INT, NULL, SCN_NAMED, 0},
    [PR_PRIO] = {"prio", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_aio_prep(struct scn_call *c)
{
	struct scn_val *a = c->args;
	struct scn_aiocb_obj *o = a[PR_CB].obj;
	prep(o, a[PR_FD].i, a[PR_LEN].i, a[PR_OFF].i, a[PR_PRIO].i, (int)a[PR_OP].i);
	return 0;
}

static const struct scn_argspec fsync_args[] = {
    {"cb", SCN_OBJ, "aiocb", 0, 0},
    {"fd", SCN_INT, NULL, 0, 0},
    {"op", SCN_INT, NULL, SCN_NAMED, O_SYNC},
    {"prio", SCN_INT, NULL, SCN_NAMED, 0},
};

/* prio= fills a member aio_fsync must ignore (the other fields: 0). */
static int64_t op_aio_fsync(struct scn_call *c)
{
	struct scn_aiocb_obj *o = c->args[0].obj;
	prep(o, c->args[1].i, 0, 0, c->args[3].i, LIO_NOP);
	return simk_aio_fsync((int)c->args[2].i, o->base);
}

static const struct scn_argspec cb_args[] = {
    {"cb", SCN_OBJ, "aiocb", 0, 0},
};

static int64_t op_aio_error(struct scn_call *c)
{
	return simk_aio_error(((struct scn_aiocb_obj *)c->args[0].obj)->base);
}

static int64_t op_aio_return(struct scn_call *c)
{
	return simk_aio_return(((struct scn_aiocb_obj *)c->args[0].obj)->base);
}

static int64_t op_aio_addr(struct scn_call *c)
{
	return (int64_t)((struct scn_aiocb_obj *)c->args[0].obj)->base;
}

static int64_t op_aio_resaddr(struct scn_call *c)
{
	return (int64_t)(((struct scn_aiocb_obj *)c->args[0].obj)->base +
			 offsetof(struct simk_aiocb, aio_resultp));
}

static const struct scn_argspec cancel_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"cb", SCN_OBJ, "aiocb", SCN_OPTIONAL, 0},
};

static int64_t op_aio_cancel(struct scn_call *c)
{
	uaddr_t cb = c->args[1].given ? ((struct scn_aiocb_obj *)c->args[1].obj)->base : 0;
	return simk_aio_cancel((int)c->args[0].i, cb);
}

static const struct scn_argspec state_args[] = {
    {"cb", SCN_OBJ, "aiocb", 0, 0},
    {"ret", SCN_OUT, NULL, SCN_NAMED, 0},
    {"err", SCN_OUT, NULL, SCN_NAMED, 0},
};

/* The aiocb as the program sees it: aio_state, and the stored result. */
static int64_t op_aio_state(struct scn_call *c)
{
	struct scn_aiocb_obj *o = c->args[0].obj;
	struct simk_aiocb cb;
	if (copyin_proc(o->proc, o->base, &cb, sizeof(cb)) != 0)
		return -EFAULT;
	scn_out(&c->args[1], cb.aio_resultp.aio_return);
	scn_out(&c->args[2], cb.aio_resultp.aio_errno);
	return cb.aio_state;
}

static const struct scn_argspec fill_args[] = {
    {"cb", SCN_OBJ, "aiocb", 0, 0},
    {"byte", SCN_INT, NULL, 0, 0},
    {"len", SCN_INT, NULL, SCN_NAMED, -1},
};

static uint8_t *data_of(struct scn_aiocb_obj *o, int64_t len)
{
	if (len < 0 || len > o->size)
		len = o->size;
	return umem_map_kernel(o->proc, o->base + CB_DATA_OFF, (size_t)(len > 0 ? len : 1));
}

static int64_t op_aio_buf_fill(struct scn_call *c)
{
	struct scn_aiocb_obj *o = c->args[0].obj;
	uint8_t *d = data_of(o, -1);
	if (d == NULL)
		return -EFAULT;
	memset(d, (int)(c->args[1].i & 0xff), (size_t)o->size);
	return 0;
}

/* How many of the first len bytes of the buffer equal byte. */
static int64_t op_aio_buf_count(struct scn_call *c)
{
	struct scn_aiocb_obj *o = c->args[0].obj;
	int64_t len = c->args[2].i < 0 || c->args[2].i > o->size ? o->size : c->args[2].i;
	uint8_t *d = data_of(o, len);
	if (d == NULL)
		return -EFAULT;
	int64_t n = 0;
	for (int64_t i = 0; i < len; i++)
		n += d[i] == (uint8_t)c->args[1].i;
	return n;
}

/* ---- lists -------------------------------------------------------------------- */

static const struct scn_argspec lset_args[] = {
    {"list", SCN_OBJ, "aiolist", 0, 0},
    {"index", SCN_INT, NULL, 0, 0},
    {"cb", SCN_OBJ, "aiocb", SCN_OPTIONAL, 0},
};

static int64_t op_aiolist_set(struct scn_call *c)
{
	struct scn_aiolist_obj *l = c->args[0].obj;
	int64_t i = c->args[1].i;
	if (i < 0 || i >= l->n)
		return -EINVAL;
	uint64_t v = c->args[2].given ? ((struct scn_aiocb_obj *)c->args[2].obj)->base : 0;
	return copyout_proc(l->proc, &v, l->base + (uaddr_t)i * 8, 8);
}

static const struct scn_argspec lget_args[] = {
    {"list", SCN_OBJ, "aiolist", 0, 0},
    {"index", SCN_INT, NULL, 0, 0},
};

static int64_t op_aiolist_get(struct scn_call *c)
{
	struct scn_aiolist_obj *l = c->args[0].obj;
	int64_t i = c->args[1].i;
	uint64_t v;
	if (i < 0 || i >= l->n || copyin_proc(l->proc, l->base + (uaddr_t)i * 8, &v, 8) != 0)
		return -EINVAL;
	return (int64_t)v;
}

static int list_n(const struct scn_aiolist_obj *l, int64_t n)
{
	return n < 0 ? (int)l->n : (int)n;
}

enum { LI_MODE, LI_LIST, LI_N, LI_SIG };
static const struct scn_argspec lio_args[] = {
    [LI_MODE] = {"mode", SCN_INT, NULL, 0, 0},
    [LI_LIST] = {"list", SCN_OBJ, "aiolist", 0, 0},
    [LI_N] = {"n", SCN_INT, NULL, SCN_NAMED, -1},
    SIGEV_ARGS(SCN_NAMED),
};
_Static_assert(SCN_NARGS(lio_args) == LI_SIG + S_COUNT, "lio_args layout");

/* The list's sigevent (and its port_notify_t) go in a small region of the
 * list's process for the call. */
static int64_t op_lio_listio(struct scn_call *c)
{
	struct scn_val *a = c->args;
	struct scn_aiolist_obj *l = a[LI_LIST].obj;
	uaddr_t sig = 0;
	if (a[LI_SIG + S_NOTIFY].given) {
		sig = umem_alloc(l->proc, 64);
		if (sig == 0)
			return -ENOMEM;
		struct simk_sigevent se;
		fill_sigev(&se, &a[LI_SIG], l->proc, sig + 32);
		(void)copyout_proc(l->proc, &se, sig, sizeof(se));
	}
	int r = simk_lio_listio((int)a[LI_MODE].i, l->base, list_n(l, a[LI_N].i), sig);
	if (sig != 0)
		(void)umem_free(l->proc, sig); /* the kernel copied what it needs */
	return r;
}

static uaddr_t timeout_arg(struct simk_proc *p, const struct scn_val *v)
{
	if (!v->given)
		return 0;
	uaddr_t ts = umem_alloc(p, sizeof(struct simk_timespec));
	struct simk_timespec t = {v->i / SIMK_NSEC_PER_SEC, v->i % SIMK_NSEC_PER_SEC};
	if (ts != 0)
		(void)copyout_proc(p, &t, ts, sizeof(t));
	return ts;
}

static const struct scn_argspec suspend_args[] = {
    {"list", SCN_OBJ, "aiolist", 0, 0},
    {"n", SCN_INT, NULL, SCN_NAMED, -1},
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
};

static int64_t op_aio_suspend(struct scn_call *c)
{
	struct scn_aiolist_obj *l = c->args[0].obj;
	struct simk_proc *p = sim_proc_current();
	uaddr_t ts = timeout_arg(p, &c->args[2]);
	int r = simk_aio_suspend(l->base, list_n(l, c->args[1].i), ts);
	if (ts != 0)
		(void)umem_free(p, ts);
	return r;
}

static const struct scn_argspec waitn_args[] = {
    {"list", SCN_OBJ, "aiolist", 0, 0},
    {"nwait", SCN_INT, NULL, 0, 0},
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    {"got", SCN_OUT, NULL, SCN_NAMED, 0},
};

/* aio_waitn into the list (its size is nent); got= receives *nwait. */
static int64_t op_aio_waitn(struct scn_call *c)
{
	struct scn_aiolist_obj *l = c->args[0].obj;
	struct simk_proc *p = sim_proc_current();
	uaddr_t nw = umem_alloc(p, sizeof(uint32_t));
	if (nw == 0)
		return -ENOMEM;
	uint32_t want = (uint32_t)c->args[1].i;
	(void)copyout_proc(p, &want, nw, sizeof(want));
	uaddr_t ts = timeout_arg(p, &c->args[2]);
	int r = simk_aio_waitn(l->base, (uint32_t)l->n, nw, ts);
	uint32_t got = 0;
	(void)copyin_proc(p, nw, &got, sizeof(got));
	scn_out(&c->args[3], got);
	if (ts != 0)
		(void)umem_free(p, ts);
	(void)umem_free(p, nw);
	return r;
}

/* ---- the Solaris interface ------------------------------------------------------ */

enum { SR_FD, SR_CB, SR_LEN, SR_OFF, SR_WHENCE };
static const struct scn_argspec srw_args[] = {
    [SR_FD] = {"fd", SCN_INT, NULL, 0, 0},
    [SR_CB] = {"cb", SCN_OBJ, "aiocb", 0, 0},
    [SR_LEN] = {"len", SCN_INT, NULL, SCN_NAMED, -1},
    [SR_OFF] = {"off", SCN_INT, NULL, SCN_NAMED, 0},
    [SR_WHENCE] = {"whence", SCN_INT, NULL, SCN_NAMED, 0},
};

/* aioread / aiowrite with the aiocb's buffer and its aio_resultp as the
 * aio_result_t (aiowait returns that address: see aio_resaddr). */
static int64_t op_srw(struct scn_call *c, bool wr)
{
	struct scn_val *a = c->args;
	struct scn_aiocb_obj *o = a[SR_CB].obj;
	int64_t len = a[SR_LEN].i < 0 ? o->size : a[SR_LEN].i;
	uaddr_t buf = o->base + CB_DATA_OFF;
	uaddr_t res = o->base + offsetof(struct simk_aiocb, aio_resultp);
	return wr ? simk_aiowrite((int)a[SR_FD].i, buf, (int)len, a[SR_OFF].i, (int)a[SR_WHENCE].i,
				  res)
		  : simk_aioread((int)a[SR_FD].i, buf, (int)len, a[SR_OFF].i, (int)a[SR_WHENCE].i,
				 res);
}

static int64_t op_aioread(struct scn_call *c)
{
	return op_srw(c, false);
}

static int64_t op_aiowrite(struct scn_call *c)
{
	return op_srw(c, true);
}

static int64_t op_aiocancel(struct scn_call *c)
{
	struct scn_aiocb_obj *o = c->args[0].obj;
	return simk_aiocancel(o->base + offsetof(struct simk_aiocb, aio_resultp));
}

static const struct scn_argspec aiowait_args[] = {
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
};

static int64_t op_aiowait(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t tv = 0;
	if (c->args[0].given) {
		tv = umem_alloc(p, sizeof(struct simk_timeval));
		if (tv == 0)
			return -ENOMEM;
		struct simk_timeval t = {c->args[0].i / SIMK_NSEC_PER_SEC,
					 (c->args[0].i % SIMK_NSEC_PER_SEC) / 1000};
		(void)copyout_proc(p, &t, tv, sizeof(t));
	}
	int64_t r = simk_aiowait(tv);
	if (tv != 0)
		(void)umem_free(p, tv);
	return r;
}

/* ---- inspection ----------------------------------------------------------------- */

static const struct scn_argspec stats_args[] = {
    {"workers", SCN_OUT, NULL, SCN_NAMED, 0}, {"idle", SCN_OUT, NULL, SCN_NAMED, 0},
    {"created", SCN_OUT, NULL, SCN_NAMED, 0}, {"outstanding", SCN_OUT, NULL, SCN_NAMED, 0},
    {"live", SCN_OUT, NULL, SCN_NAMED, 0},
};

static const struct scn_argspec counts_args[] = {
    {"submitted", SCN_OUT, NULL, SCN_NAMED, 0}, {"ended", SCN_OUT, NULL, SCN_NAMED, 0},
    {"canceled", SCN_OUT, NULL, SCN_NAMED, 0},	{"sent", SCN_OUT, NULL, SCN_NAMED, 0},
    {"dropped", SCN_OUT, NULL, SCN_NAMED, 0},
};

/* The pool and the requests of the caller's process, now. */
static int64_t op_aio_stats(struct scn_call *c)
{
	struct paio_stats st;
	paio_get_stats(sim_proc_current(), &st);
	int64_t v[] = {st.workers, st.workers_idle, st.workers_created, st.outstanding,
		       st.requests_live};
	scn_outs(c->args, v, SCN_NARGS(v));
	return 0;
}

/* Counters of the caller's process since its first request. */
static int64_t op_aio_counts(struct scn_call *c)
{
	struct paio_stats st;
	paio_get_stats(sim_proc_current(), &st);
	int64_t v[] = {(int64_t)st.submitted, (int64_t)st.ended, (int64_t)st.canceled,
		       (int64_t)st.notes_sent, (int64_t)st.notes_dropped};
	scn_outs(c->args, v, SCN_NARGS(v));
	return 0;
}

static const struct scn_op paio_ops[] = {
    SCN_SYSCALL_OP(
	"aio_read", rw_args, op_aio_read,
	"aio_read CB FD [len=] [off=] [prio=]: into the aiocb's buffer (len -1: all); 0 or -errno"),
    SCN_SYSCALL_OP("aio_write", rw_args, op_aio_write,
		   "aio_write CB FD [len=] [off=] [prio=]: from the aiocb's buffer; 0 or -errno"),
    SCN_OP("aio_prep", prep_args, op_aio_prep,
	   "aio_prep CB FD LIO_READ|LIO_WRITE|LIO_NOP [len=] [off=] [prio=]: fill the aiocb for "
	   "lio_listio"),
    SCN_SYSCALL_OP("aio_fsync", fsync_args, op_aio_fsync,
		   "aio_fsync CB FD [op=O_SYNC|O_DSYNC] [prio=]: 0 or -errno (prio= is ignored)"),
    SCN_OP("aio_notify", notify_args, op_aio_notify,
	   "aio_notify CB SIGEV_* [target=SIGNO|PORT|KQ] [value=] [thread=T]: the aiocb's sigevent "
	   "(SIGEV_NONE initially)"),
    SCN_SYSCALL_OP("aio_error", cb_args, op_aio_error,
		   "aio_error CB: 0, EINPROGRESS, the request's errno, or -EINVAL"),
    SCN_SYSCALL_OP("aio_return", cb_args, op_aio_return,
		   "aio_return CB: bytes, or -errno of the request; once, then -EINVAL"),
    SCN_SYSCALL_OP("aio_cancel", cancel_args, op_aio_cancel,
		   "aio_cancel FD [CB]: AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE or -errno"),
    SCN_SYSCALL_OP("aio_suspend", suspend_args, op_aio_suspend,
		   "aio_suspend LIST [n=] [timeout=DUR]: 0, -EAGAIN (timeout), -EINTR"),
    SCN_SYSCALL_OP(
	"lio_listio", lio_args, op_lio_listio,
	"lio_listio LIO_WAIT|LIO_NOWAIT LIST [n=] [notify=] [target=] [value=] [thread=]: 0, "
	"-EIO, -EAGAIN, -EINVAL, -EINTR"),
    SCN_SYSCALL_OP(
	"aio_waitn", waitn_args, op_aio_waitn,
	"aio_waitn LIST NWAIT [timeout=DUR] [got=VAR]: completed aiocbs into LIST; 0, -ETIME, "
	"-EAGAIN, -EINTR"),
    SCN_OP("aiolist_set", lset_args, op_aiolist_set,
	   "aiolist_set LIST I [CB]: entry I (0 without CB)"),
    SCN_OP("aiolist_get", lget_args, op_aiolist_get, "aiolist_get LIST I: entry I"),
    SCN_OP("aio_addr", cb_args, op_aio_addr, "aio_addr CB: the aiocb's user address"),
    SCN_OP("aio_resaddr", cb_args, op_aio_resaddr,
	   "aio_resaddr CB: the address of its aio_resultp (the aio_result_t of aioread)"),
    SCN_OP("aio_state", state_args, op_aio_state,
	   "aio_state CB [ret=VAR] [err=VAR]: aio_state as stored in the aiocb; the stored result"),
    {"aio_buf_fill", fill_args, 2, op_aio_buf_fill, "aio_buf_fill CB BYTE: fill its buffer", 0,
     __FILE__ ":op_aio_buf_fill"}, /* two of fill_args' three: no len= */
    SCN_OP("aio_buf_count", fill_args, op_aio_buf_count,
	   "aio_buf_count CB BYTE [len=]: how many bytes of its buffer equal BYTE"),
    SCN_SYSCALL_OP(
	"aioread", srw_args, op_aioread,
	"aioread FD CB [len=] [off=] [whence=SEEK_SET]: Solaris aioread into CB's buffer"),
    SCN_SYSCALL_OP("aiowrite", srw_args, op_aiowrite,
		   "aiowrite FD CB [len=] [off=] [whence=]: Solaris aiowrite from CB's buffer"),
    SCN_SYSCALL_OP("aiocancel", cb_args, op_aiocancel, "aiocancel CB: 0, -EACCES or -EINVAL"),
    SCN_SYSCALL_OP(
	"aiowait", aiowait_args, op_aiowait,
	"aiowait [timeout=DUR]: the aio_result_t address of a finished aioread/aiowrite, 0 on "
	"timeout, or -errno"),
    SCN_OP("paio_stats", stats_args, op_aio_stats,
	   "paio_stats [workers=V] [idle=V] [created=V] [outstanding=V] [live=V]: the pool and "
	   "requests of the caller's process now; 0"),
    SCN_OP("paio_counts", counts_args, op_aio_counts,
	   "paio_counts [submitted=V] [ended=V] [canceled=V] [sent=V] [dropped=V]: counters of the "
	   "caller's process; 0"),
};

static const struct scn_const paio_consts[] = {
    {"SIGEV_NONE", SIMK_SIGEV_NONE},
    {"SIGEV_SIGNAL", SIMK_SIGEV_SIGNAL},
    {"SIGEV_THREAD", SIMK_SIGEV_THREAD},
    {"SIGEV_PORT", SIMK_SIGEV_PORT},
    {"SIGEV_KEVENT", SIMK_SIGEV_KEVENT},
    SCN_CONST(AIO_CANCELED),
    SCN_CONST(AIO_NOTCANCELED),
    SCN_CONST(AIO_ALLDONE),
    SCN_CONST(LIO_WAIT),
    SCN_CONST(LIO_NOWAIT),
    SCN_CONST(LIO_READ),
    SCN_CONST(LIO_WRITE),
    SCN_CONST(LIO_NOP),
    SCN_CONST(AIO_INPROGRESS),
    SCN_CONST(AIO_LISTIO_MAX),
    SCN_CONST(AIOCB_NONE),
    SCN_CONST(AIOCB_QUEUED),
    SCN_CONST(AIOCB_INPROGRESS),
    SCN_CONST(AIOCB_KAIO),
    SCN_CONST(AIOCB_DONE),
    SCN_CONST(AIOCB_FAILED),
    SCN_CONST(AIOCB_RETURNED),
    {"AIO_EV_READ", PAIO_EV_READ},
    {"AIO_EV_WRITE", PAIO_EV_WRITE},
    {"AIO_EV_FSYNC", PAIO_EV_FSYNC},
    {"AIO_EV_LIO", PAIO_EV_LIO},
};

void paio_scn_register(void)
{
	scn_register_kind(&kind_aiocb);
	scn_register_kind(&kind_aiolist);
	scn_register_kind(&kind_pool);
	scn_register_ops(paio_ops, SCN_NARGS(paio_ops));
	scn_register_consts(paio_consts, SCN_NARGS(paio_consts));
}
