/*
 * Scenario operations, declarations and constants of Linux AIO and eventfd
 * (docs/laio.md, "In scenarios").
 *
 *   aio_sysctl NAME [max_nr=N]          the run's aio_max_nr (declaration)
 *   io_setup NR                         the context id, or -errno
 *   io_destroy CTX
 *   iocb OP FD [len=] [off=] [buf=] [data=] [resfd=] [nvec=]
 *                                       a new struct iocb in the caller's
 *                                       memory (and a buffer unless buf=);
 *                                       its user address
 *   io_submit CTX CB... [nr=N]         the iocbs (values, or an array); io_submit's result
 *   io_getevents CTX MIN NR [timeout=]  the count; the events are kept
 *   io_cancel CTX CB                    0 (the event is kept) or -errno
 *   io_reap CTX [MAX]                   the user-level reaper: the count
 *   ev_res I / ev_data I / ev_obj I     fields of the calling thread's
 *                                       latest events (0-based)
 *   eventfd INIT [FLAGS]                a descriptor
 *   eventfd_read FD / eventfd_write FD V
 *   aio_max_nr [N] / aio_nr             the limit (set when N is given;
 *                                       the previous value) / the sum
 *   aio_stat "NAME"                     a counter of struct laio_stats
 *   aio_fault "SPEC"                    sim_fault_enable from a thread
 *
 * Events are kept per thread (by tid) in host memory of the run, at most
 * LAIO_SCN_EVENTS of them: io_getevents with a larger NR still consumes
 * what it returns, the rest of the copy is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "simk/laio.h"
#include "simk/eventfd.h"
#include "simk/vfs.h"

#include "sim/fault.h"
#include "scn/scn.h"
#include "syscalls/eventfd/eventfd.h"
#include "syscalls/linux_aio/laio_priv.h"
#include "vfs/vfs.h"

#define LAIO_SCN_EVENTS 64
/* io_submit's nr= beyond its list: pointer slots made (zeros) at most */
#define LAIO_SCN_SUBMIT_ROOM_MAX 4096

struct scn_events {
	int n;
	struct io_event ev[LAIO_SCN_EVENTS];
};

/* The calling thread's event store (host memory, freed with the run). */
static struct scn_events *thread_events(void)
{
	return scn_thread_table_get(&laio_sys()->scn_events, sim_thread_current()->tid,
				    sizeof(struct scn_events));
}

static void keep_events(const struct io_event *ev, long n)
{
	struct scn_events *se = thread_events();
	se->n = n < 0 ? 0 : n > LAIO_SCN_EVENTS ? LAIO_SCN_EVENTS : (int)n;
	if (se->n > 0)
		memcpy(se->ev, ev, (size_t)se->n * sizeof(*ev));
}

/* User memory for an operation's arguments; 0 when it runs out (an
 * injected kmem/alloc/enomem), and the operation returns -ENOMEM. */
static uaddr_t ualloc(size_t n)
{
	return umem_alloc(sim_proc_current(), n ? n : 1);
}

static void ufree(uaddr_t a)
{
	if (a != 0)
		umem_free(sim_proc_current(), a);
}

/* ---- declarations --------------------------------------------------------- */

static const struct scn_argspec sysctl_args[] = {
    {"max_nr", SCN_INT, NULL, SCN_NAMED, (int64_t)AIO_MAX_NR_DEFAULT},
};

static int sysctl_create(void *obj, const struct scn_decl *d, const struct scn_val *a)
{
	(void)obj;
	(void)d;
	if (a[0].i < 0)
		return -EINVAL;
	laio_set_max_nr((uint64_t)a[0].i);
	return 0;
}

static const struct scn_kind kind_sysctl = {
    .name = "aio_sysctl",
    .size = 1,
    .args = sysctl_args,
    .nargs = SCN_NARGS(sysctl_args),
    .create = sysctl_create,
    .doc = "aio_sysctl NAME [max_nr=65536]: the run's Linux AIO limit (fs.aio-max-nr)",
};

/* ---- contexts --------------------------------------------------------------- */

static const struct scn_argspec setup_args[] = {
    {"nr", SCN_INT, NULL, 0, 0},
};

static int64_t op_io_setup(struct scn_call *c)
{
	uaddr_t a = ualloc(sizeof(aio_context_t));
	if (a == 0)
		return -ENOMEM;
	int64_t nr = c->args[0].i;
	int r = simk_io_setup(nr < 0 || nr > UINT32_MAX ? UINT32_MAX : (unsigned)nr, a);
	aio_context_t ctx = 0;
	if (r == 0 && copyin(a, &ctx, sizeof(ctx)) != 0)
		r = -EFAULT;
	umem_free(sim_proc_current(), a);
	return r == 0 ? (int64_t)ctx : r;
}

static const struct scn_argspec ctx_args[] = {
    {"ctx", SCN_INT, NULL, 0, 0},
};

static int64_t op_io_destroy(struct scn_call *c)
{
	return simk_io_destroy((aio_context_t)c->args[0].i);
}

/* ---- iocbs ---------------------------------------------------------------------- */

enum { I_OP, I_FD, I_LEN, I_OFF, I_BUF, I_DATA, I_RESFD, I_NVEC };

static const struct scn_argspec iocb_args[] = {
    [I_OP] = {"op", SCN_INT, "iocb_op", 0, 0},
    [I_FD] = {"fd", SCN_INT, "fd", 0, 0},
    [I_LEN] = {"len", SCN_INT, NULL, SCN_NAMED, 4096},
    [I_OFF] = {"off", SCN_INT, NULL, SCN_NAMED, 0},
    [I_BUF] = {"buf", SCN_INT, NULL, SCN_NAMED, 0},
    [I_DATA] = {"data", SCN_INT, NULL, SCN_NAMED, 0},
    [I_RESFD] = {"resfd", SCN_INT, NULL, SCN_NAMED, -1},
    [I_NVEC] = {"nvec", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_iocb(struct scn_call *c)
{
	const struct scn_val *a = c->args;
	int64_t len = a[I_LEN].i, nvec = a[I_NVEC].i;
	if (len < 0 || len > (1 << 24))
		scn_call_fail(c, SIMK_FAIL_PANIC, "iocb: len must be in 0..16 MiB");
	if (nvec < 0 || nvec > 64)
		scn_call_fail(c, SIMK_FAIL_PANIC, "iocb: nvec must be in 0..64");
	uaddr_t own = a[I_BUF].given ? 0 : ualloc((size_t)len);
	if (!a[I_BUF].given && own == 0)
		return -ENOMEM;
	uaddr_t buf = a[I_BUF].given ? (uaddr_t)a[I_BUF].i : own;
	struct iocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = (uint16_t)a[I_OP].i;
	cb.aio_fildes = (uint32_t)a[I_FD].i;
	cb.aio_buf = buf;
	cb.aio_nbytes = (uint64_t)len;
	cb.aio_offset = a[I_OFF].i;
	cb.aio_data = (uint64_t)a[I_DATA].i;
	if (a[I_RESFD].i >= 0) {
		cb.aio_flags = IOCB_FLAG_RESFD;
		cb.aio_resfd = (uint32_t)a[I_RESFD].i;
	}
	if (nvec > 0) {
		/* the buffer in nvec vectors; the iocb points at the array */
		struct laio_iovec v[64];
		for (int64_t i = 0; i < nvec; i++) {
			int64_t s = len * i / nvec, e = len * (i + 1) / nvec;
			v[i].iov_base = buf + (uint64_t)s;
			v[i].iov_len = (uint64_t)(e - s);
		}
		uaddr_t va = ualloc((size_t)nvec * sizeof(v[0]));
		if (va == 0) {
			ufree(own);
			return -ENOMEM;
		}
		if (copyout(v, va, (size_t)nvec * sizeof(v[0])) != 0)
			scn_call_fail(c, SIMK_FAIL_PANIC, "iocb: copyout failed");
		cb.aio_buf = va;
		cb.aio_nbytes = (uint64_t)nvec;
	}
	uaddr_t u = ualloc(sizeof(cb));
	if (u == 0) {
		if (nvec > 0)
			ufree(cb.aio_buf);
		ufree(own);
		return -ENOMEM;
	}
	if (copyout(&cb, u, sizeof(cb)) != 0)
		scn_call_fail(c, SIMK_FAIL_PANIC, "iocb: copyout failed");
	return (int64_t)u;
}

static const struct scn_argspec submit_args[] = {
    {"ctx", SCN_INT, NULL, 0, 0},
    {"cb", SCN_LIST, NULL, 0, 0},
    {"nr", SCN_INT, NULL, SCN_NAMED, -1},
};

/* The iocb pointers in the caller's memory; nr= (default: the list's
 * length) may claim more than the list: the extra pointers are 0. */
static int64_t op_io_submit(struct scn_call *c)
{
	const struct scn_val *cbs = &c->args[1];
	int64_t nr = c->args[2].given ? c->args[2].i : cbs->n;
	int64_t room = nr > cbs->n && nr <= LAIO_SCN_SUBMIT_ROOM_MAX ? nr : cbs->n;
	uaddr_t arr = ualloc((size_t)room * sizeof(uint64_t));
	if (arr == 0)
		return -ENOMEM;
	for (int64_t i = 0; i < room; i++) {
		uint64_t ptr = i < cbs->n ? (uint64_t)cbs->list[i] : 0;
		if (copyout(&ptr, arr + (uaddr_t)i * sizeof(ptr), sizeof(ptr)) != 0)
			scn_call_fail(c, SIMK_FAIL_PANIC, "io_submit: copyout failed");
	}
	long r = simk_io_submit((aio_context_t)c->args[0].i, (long)nr, arr);
	umem_free(sim_proc_current(), arr);
	return r;
}

/* ---- events --------------------------------------------------------------------- */

static const struct scn_argspec getevents_args[] = {
    {"ctx", SCN_INT, NULL, 0, 0},
    {"min", SCN_INT, NULL, 0, 0},
    {"nr", SCN_INT, NULL, 0, 0},
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
};

static int64_t op_io_getevents(struct scn_call *c)
{
	int64_t nr = c->args[2].i;
	size_t room = nr > 0 && nr <= 4096 ? (size_t)nr : 1;
	uaddr_t evs = ualloc(room * sizeof(struct io_event));
	if (evs == 0)
		return -ENOMEM;
	uaddr_t to = 0;
	if (c->args[3].given) {
		int64_t ns = c->args[3].i;
		struct laio_timespec ts = {ns / 1000000000, ns % 1000000000};
		to = ualloc(sizeof(ts));
		if (to == 0) {
			ufree(evs);
			return -ENOMEM;
		}
		if (copyout(&ts, to, sizeof(ts)) != 0)
			scn_call_fail(c, SIMK_FAIL_PANIC, "io_getevents: copyout failed");
	}
	long r = simk_io_getevents((aio_context_t)c->args[0].i, c->args[1].i,
				   nr > (int64_t)room ? (long)room : (long)nr, evs, to);
	struct io_event kept[LAIO_SCN_EVENTS];
	long k = r > LAIO_SCN_EVENTS ? LAIO_SCN_EVENTS : r;
	if (k > 0 && copyin(evs, kept, (size_t)k * sizeof(kept[0])) != 0)
		scn_call_fail(c, SIMK_FAIL_PANIC, "io_getevents: copyin failed");
	keep_events(kept, k);
	umem_free(sim_proc_current(), evs);
	if (to != 0)
		umem_free(sim_proc_current(), to);
	return r;
}

static const struct scn_argspec cancel_args[] = {
    {"ctx", SCN_INT, NULL, 0, 0},
    {"cb", SCN_INT, NULL, 0, 0},
};

static int64_t op_io_cancel(struct scn_call *c)
{
	uaddr_t res = ualloc(sizeof(struct io_event));
	if (res == 0)
		return -ENOMEM;
	int r = simk_io_cancel((aio_context_t)c->args[0].i, (uaddr_t)c->args[1].i, res);
	struct io_event ev;
	memset(&ev, 0, sizeof(ev));
	if (r == 0 && copyin(res, &ev, sizeof(ev)) != 0)
		scn_call_fail(c, SIMK_FAIL_PANIC, "io_cancel: copyin failed");
	keep_events(&ev, r == 0 ? 1 : 0);
	umem_free(sim_proc_current(), res);
	return r;
}

static const struct scn_argspec reap_args[] = {
    {"ctx", SCN_INT, NULL, 0, 0},
    {"max", SCN_INT, NULL, SCN_OPTIONAL, LAIO_SCN_EVENTS},
};

static int64_t op_io_reap(struct scn_call *c)
{
	int64_t max = c->args[1].i;
	if (max < 0 || max > LAIO_SCN_EVENTS)
		scn_call_fail(c, SIMK_FAIL_PANIC, "io_reap: max must be in 0..%d", LAIO_SCN_EVENTS);
	struct io_event ev[LAIO_SCN_EVENTS];
	int n = laio_user_reap(sim_proc_current(), (aio_context_t)c->args[0].i, ev, (int)max);
	keep_events(ev, n);
	return n;
}

static const struct scn_argspec ring_head_args[] = {
    {"ctx", SCN_INT, NULL, 0, 0},
    {"set", SCN_INT, NULL, SCN_NAMED, 0},
};

/* User code: reads, and with set= writes, the head of its own ring, as a
 * program holding a pointer to the ring may (a buggy one included: the
 * kernel must not trust what it finds there). The old head, or -EFAULT. */
static int64_t op_io_ring_head(struct scn_call *c)
{
	uaddr_t at = (uaddr_t)c->args[0].i + offsetof(struct aio_ring, head);
	uint32_t old;
	if (copyin(at, &old, sizeof(old)) != 0)
		return -EFAULT;
	if (c->args[1].given) {
		uint32_t v = (uint32_t)c->args[1].i;
		if (copyout(&v, at, sizeof(v)) != 0)
			return -EFAULT;
	}
	return old;
}

static const struct scn_argspec ev_args[] = {
    {"i", SCN_INT, NULL, 0, 0},
};

static const struct io_event *event_at(struct scn_call *c)
{
	struct scn_events *se = thread_events();
	int64_t i = c->args[0].i;
	if (i >= 0 && i < se->n)
		return &se->ev[i];
	scn_call_fail(c, SIMK_FAIL_PANIC, "%s %lld: the thread holds %d event(s)", c->op->name,
		      (long long)i, se->n);
}

static int64_t op_ev_res(struct scn_call *c)
{
	return event_at(c)->res;
}

static int64_t op_ev_data(struct scn_call *c)
{
	return (int64_t)event_at(c)->data;
}

static int64_t op_ev_obj(struct scn_call *c)
{
	return (int64_t)event_at(c)->obj;
}

/* ---- eventfd and sysctls --------------------------------------------------------- */

static const struct scn_argspec eventfd_args[] = {
    {"init", SCN_INT, NULL, 0, 0},
    {"flags", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_eventfd(struct scn_call *c)
{
	return simk_eventfd((unsigned)c->args[0].i, (int)c->args[1].i);
}

static const struct scn_argspec fd_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
};

static int64_t op_eventfd_read(struct scn_call *c)
{
	uaddr_t a = ualloc(8);
	if (a == 0)
		return -ENOMEM;
	ssize_t r = simk_read((int)c->args[0].i, a, 8);
	uint64_t v = 0;
	if (r == 8 && copyin(a, &v, 8) != 0)
		r = -EFAULT;
	umem_free(sim_proc_current(), a);
	if (r != 8)
		return r < 0 ? r : -EIO;
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static const struct scn_argspec fd_val_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"value", SCN_INT, NULL, 0, 0},
};

static int64_t op_eventfd_write(struct scn_call *c)
{
	uint64_t v = (uint64_t)c->args[1].i;
	uaddr_t a = ualloc(8);
	if (a == 0)
		return -ENOMEM;
	ssize_t r = copyout(&v, a, 8) != 0 ? -EFAULT : simk_write((int)c->args[0].i, a, 8);
	umem_free(sim_proc_current(), a);
	return r;
}

static const struct scn_argspec max_nr_args[] = {
    {"n", SCN_INT, NULL, SCN_OPTIONAL, -1},
};

static int64_t op_aio_max_nr(struct scn_call *c)
{
	uint64_t old = laio_max_nr();
	if (c->args[0].given && c->args[0].i >= 0)
		laio_set_max_nr((uint64_t)c->args[0].i);
	return old > INT64_MAX ? INT64_MAX : (int64_t)old;
}

static int64_t op_aio_nr(struct scn_call *c)
{
	(void)c;
	return (int64_t)laio_aio_nr();
}

static const struct scn_argspec stat_args[] = {
    {"name", SCN_STR, NULL, 0, 0},
};

/* A counter of struct laio_stats by name. */
static int64_t op_aio_stat(struct scn_call *c)
{
	struct laio_stats st;
	laio_get_stats(&st);
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
	    {"contexts_live", offsetof(struct laio_stats, contexts_live)},
	    {"reqs_live", offsetof(struct laio_stats, reqs_live)},
	    {"submitted", offsetof(struct laio_stats, submitted)},
	    {"ended_event", offsetof(struct laio_stats, ended_event)},
	    {"ended_cancel", offsetof(struct laio_stats, ended_cancel)},
	    {"ended_torn", offsetof(struct laio_stats, ended_torn)},
	    {"kicks", offsetof(struct laio_stats, kicks)},
	    {"kicks_running", offsetof(struct laio_stats, kicks_running)},
	    {"retries", offsetof(struct laio_stats, retries)},
	    {"deferred_fputs", offsetof(struct laio_stats, deferred_fputs)},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, c->args[0].str) == 0)
			return (int64_t) * (const uint64_t *)((const char *)&st + fields[i].off);
	scn_call_fail(c, SIMK_FAIL_PANIC, "aio_stat: no counter \"%s\"", c->args[0].str);
}

/* Turns a fault point on from a thread: the `fault` option of a scenario
 * applies from the start, mount and mkfs included; this one from now on. */
static int64_t op_aio_fault(struct scn_call *c)
{
	char err[160];
	if (sim_fault_enable(c->args[0].str, err, sizeof(err)) != 0)
		scn_call_fail(c, SIMK_FAIL_PANIC, "aio_fault: %s", err);
	return 0;
}

static const struct scn_op laio_ops[] = {
    SCN_SYSCALL_OP("io_setup", setup_args, op_io_setup,
		   "io_setup NR: a new AIO context (its ring's address), or -errno"),
    SCN_SYSCALL_OP("io_destroy", ctx_args, op_io_destroy,
		   "io_destroy CTX: cancel what can be, wait for the rest; 0 or -EINVAL"),
    SCN_OP("iocb", iocb_args, op_iocb,
	   "iocb OP FD [len=4096] [off=0] [buf=ADDR] [data=N] [resfd=FD] [nvec=N]: "
	   "a struct iocb in user memory (with its own buffer unless buf=); its address"),
    SCN_SYSCALL_OP("io_submit", submit_args, op_io_submit,
		   "io_submit CTX CB... [nr=N]: the iocbs (values or an array); the number "
		   "submitted or -errno"),
    SCN_SYSCALL_OP(
	"io_getevents", getevents_args, op_io_getevents,
	"io_getevents CTX MIN NR [timeout=DUR]: events read (kept for ev_res/ev_data/ev_obj)"),
    SCN_SYSCALL_OP(
	"io_cancel", cancel_args, op_io_cancel,
	"io_cancel CTX CB: 0 (the cancelled event is kept as event 0), -EAGAIN, -EINVAL"),
    SCN_OP("io_reap", reap_args, op_io_reap,
	   "io_reap CTX [MAX]: events taken from the ring in user space, no system call"),
    SCN_OP("io_ring_head", ring_head_args, op_io_ring_head,
	   "io_ring_head CTX [set=V]: the ring's head as user space sees it (set= writes it); "
	   "the old value"),
    SCN_OP("ev_res", ev_args, op_ev_res, "ev_res I: res of the thread's I-th kept event"),
    SCN_OP("ev_data", ev_args, op_ev_data, "ev_data I: its aio_data"),
    SCN_OP("ev_obj", ev_args, op_ev_obj, "ev_obj I: its iocb address"),
    SCN_SYSCALL_OP("eventfd", eventfd_args, op_eventfd,
		   "eventfd INIT [FLAGS]: a new eventfd descriptor"),
    SCN_SYSCALL_OP("eventfd_read", fd_args, op_eventfd_read,
		   "eventfd_read FD: the counter's value (it is reset), or -errno"),
    SCN_SYSCALL_OP("eventfd_write", fd_val_args, op_eventfd_write,
		   "eventfd_write FD VALUE: 8, or -errno"),
    SCN_OP("aio_max_nr", max_nr_args, op_aio_max_nr,
	   "aio_max_nr [N]: the limit before the call (set to N when given)"),
    SCN_OP0("aio_nr", op_aio_nr, "aio_nr: the sum of the sizes of the live contexts"),
    SCN_OP("aio_fault", stat_args, op_aio_fault,
	   "aio_fault \"SPEC\": turn a fault point on from now (after the mount, say); 0"),
    SCN_OP(
	"aio_stat", stat_args, op_aio_stat,
	"aio_stat \"NAME\": a Linux AIO counter of the run (submitted, ended_event, ended_cancel, "
	"ended_torn, kicks, kicks_running, retries, deferred_fputs, contexts_live, reqs_live)"),
};

static const struct scn_const laio_consts[] = {
    SCN_CONST(IOCB_CMD_PREAD),	 SCN_CONST(IOCB_CMD_PWRITE), SCN_CONST(IOCB_CMD_FSYNC),
    SCN_CONST(IOCB_CMD_FDSYNC),	 SCN_CONST(IOCB_CMD_NOOP),   SCN_CONST(IOCB_CMD_PREADV),
    SCN_CONST(IOCB_CMD_PWRITEV), SCN_CONST(IOCB_FLAG_RESFD), SCN_CONST(EFD_SEMAPHORE),
    SCN_CONST(EFD_NONBLOCK),	 SCN_CONST(EFD_CLOEXEC),
};

void laio_scn_register(void)
{
	scn_register_kind(&kind_sysctl);
	scn_register_ops(laio_ops, SCN_NARGS(laio_ops));
	scn_register_consts(laio_consts, SCN_NARGS(laio_consts));
}

void laio_scn_free(struct laio_sys *ls)
{
	scn_thread_table_free(&ls->scn_events);
}
