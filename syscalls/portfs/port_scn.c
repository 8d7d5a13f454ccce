/*
 * Scenario operations and constants of event ports and POSIX timers
 * (docs/port.md, "In scenarios").
 *
 *   port_create                          a port descriptor
 *   port_send PORT EVENTS [USER]         0 or -errno
 *   port_sendn EVENTS USER P1 [P2] [P3] [P4] [errs=V]
 *                                        the count, or -EIO with V = the
 *                                        per-port errnos, one byte each
 *   port_alert PORT FLAGS EVENTS [USER]
 *   port_associate PORT FD EVENTS [USER] PORT_SOURCE_FD
 *   port_dissociate PORT FD
 *   port_watch PORT "PATH" EVENTS [USER] [fobj=K] [stale=1]
 *                                        PORT_SOURCE_FILE with the K-th
 *                                        file_obj_t of the caller's process
 *                                        (times from a stat, or zeros)
 *   port_unwatch PORT [fobj=K]
 *   fobj_addr [K]                        that file_obj_t's user address
 *   port_get PORT [timeout=DUR] [poll=1] 0 or -errno; the event is kept
 *   port_getn PORT MAX NGET [timeout=DUR] [poll=1] [n=V] [usum=V]
 *                                        0 or -errno (-ETIME with events);
 *                                        V = the count / the sum of the
 *                                        events' user values
 *   port_count PORT                      events queued (getn with max 0)
 *   pev_events I / pev_source I / pev_object I / pev_user I
 *                                        fields of the calling thread's
 *                                        latest retrieved events
 *   port_dispatch PORT EVENTS [USER] [object=] [noshare=1]
 *                                        the PORT_SOURCE_AIO kernel entry
 *   port_limits [ports=N] [events=N] [list=N]
 *   port_stat "NAME"                     a counter of struct port_stats
 *   timer_create NOTIFY [port=FD] [user=U] [signo=S] [value=V] [clock=C]
 *                                        the timer id
 *   timer_settime ID VALUE [interval=DUR] [abs=1]
 *   timer_gettime ID [value=V] [interval=V]
 *   timer_getoverrun ID / timer_delete ID
 *
 * User memory: each calling thread gets one scratch area in its process
 * (the getn list, the nget word, the timeout); events are copied to a
 * per-thread store in host memory of the run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "simk/port.h"
#include "simk/ptimer.h"

#include "scn/scn.h"
#include "syscalls/portfs/port_priv.h"
#include "syscalls/ptimer/ptimer.h"
#include "vfs/vfs.h"

#define SCN_EVENTS 64 /* events kept per thread; port_getn MAX at most this */
#define FOBJ_MAX 16

struct scn_thread_state {
	int pid;
	uaddr_t scratch; /* SCRATCH_SIZE bytes in pid's memory */
	int nev;
	port_event_t ev[SCN_EVENTS];
};

struct scn_fobj {
	int pid;
	int k;
	uaddr_t addr;
};

struct port_scn_run {
	struct scn_thread_table threads; /* struct scn_thread_state */
	struct scn_fobj fobj[64];
	int nfobj;
};

#define SCRATCH_SIZE (SCN_EVENTS * sizeof(port_event_t) + 64)

/* Per-run scenario state lives with the subsystem's run state; created on
 * first use (host memory), freed by port_scn_free at destroy. */
static struct port_scn_run *scn_run(void)
{
	struct port_run *r = port_run();
	if (r->scn == NULL) {
		r->scn = calloc(1, sizeof(struct port_scn_run));
		if (r->scn == NULL)
			sim_panic("host out of memory (port scenario state)");
	}
	return r->scn;
}

void port_scn_free(struct port_run *r)
{
	struct port_scn_run *sr = r->scn;
	if (sr == NULL)
		return;
	scn_thread_table_free(&sr->threads);
	free(sr);
	r->scn = NULL;
}

static struct scn_thread_state *thread_state(void)
{
	struct simk_thread *t = sim_thread_current();
	return scn_thread_table_get(&scn_run()->threads, t->tid, sizeof(struct scn_thread_state));
}

/* The calling thread's state with its scratch area in the current process
 * (allocated on first use). NULL when user memory runs out (an injected
 * kmem/alloc/enomem): the operation then returns -ENOMEM, as a call
 * whose argument block could not be built. */
static struct scn_thread_state *thread_scratch(void)
{
	struct simk_thread *t = sim_thread_current();
	struct scn_thread_state *ts = thread_state();
	if (ts->scratch == 0 || ts->pid != t->proc->pid) {
		ts->scratch = umem_alloc(t->proc, SCRATCH_SIZE);
		ts->pid = ts->scratch != 0 ? t->proc->pid : 0;
	}
	return ts->scratch != 0 ? ts : NULL;
}

/* Where things go in the scratch area. */
#define SCR_LIST(ts) ((ts)->scratch)
#define SCR_NGET(ts) ((ts)->scratch + SCN_EVENTS * sizeof(port_event_t))
#define SCR_TIMEOUT(ts) (SCR_NGET(ts) + 16)
#define SCR_MISC(ts) (SCR_NGET(ts) + 32)

/* Puts a timeout in the scratch area: 0 (forever) when neither is given. */
static uaddr_t timeout_arg(struct scn_thread_state *ts, const struct scn_val *timeout,
			   const struct scn_val *poll)
{
	if (!timeout->given && !(poll->given && poll->i))
		return 0;
	int64_t ns = timeout->given ? timeout->i : 0;
	struct simk_timespec to = {ns / SIMK_NSEC_PER_SEC, ns % SIMK_NSEC_PER_SEC};
	if (copyout(&to, SCR_TIMEOUT(ts), sizeof(to)) != 0)
		sim_panic("scratch copyout failed");
	return SCR_TIMEOUT(ts);
}

/* ---- ports ------------------------------------------------------------------ */

static int64_t op_port_create(struct scn_call *c)
{
	(void)c;
	return simk_port_create();
}

static const struct scn_argspec send_args[] = {
    {"port", SCN_INT, NULL, 0, 0},
    {"events", SCN_INT, NULL, 0, 0},
    {"user", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_port_send(struct scn_call *c)
{
	return simk_port_send((int)c->args[0].i, (int)c->args[1].i, (uint64_t)c->args[2].i);
}

enum { SN_EVENTS, SN_USER, SN_P1, SN_P2, SN_P3, SN_P4, SN_ERRS };
static const struct scn_argspec sendn_args[] = {
    [SN_EVENTS] = {"events", SCN_INT, NULL, 0, 0},
    [SN_USER] = {"user", SCN_INT, NULL, 0, 0},
    [SN_P1] = {"p1", SCN_INT, NULL, 0, 0},
    [SN_P2] = {"p2", SCN_INT, NULL, SCN_OPTIONAL, 0},
    [SN_P3] = {"p3", SCN_INT, NULL, SCN_OPTIONAL, 0},
    [SN_P4] = {"p4", SCN_INT, NULL, SCN_OPTIONAL, 0},
    [SN_ERRS] = {"errs", SCN_OUT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_sendn(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_scratch();
	if (ts == NULL)
		return -ENOMEM;
	int32_t ports[4], errs[4] = {0};
	unsigned n = 0;
	for (int i = SN_P1; i <= SN_P4; i++)
		if (c->args[i].given)
			ports[n++] = (int32_t)c->args[i].i;
	uaddr_t up = SCR_MISC(ts), ue = SCR_MISC(ts) + 16;
	if (copyout(ports, up, sizeof(ports)) != 0 || copyout(errs, ue, sizeof(errs)) != 0)
		sim_panic("scratch copyout failed");
	int r = simk_port_sendn(up, ue, n, (int)c->args[SN_EVENTS].i, (uint64_t)c->args[SN_USER].i);
	if (copyin(ue, errs, sizeof(errs)) != 0)
		sim_panic("scratch copyin failed");
	int64_t packed = 0;
	for (unsigned i = 0; i < n; i++)
		packed |= (int64_t)(errs[i] & 0xff) << (8 * i);
	scn_out(&c->args[SN_ERRS], packed);
	return r;
}

static const struct scn_argspec alert_args[] = {
    {"port", SCN_INT, NULL, 0, 0},
    {"flags", SCN_INT, NULL, 0, 0},
    {"events", SCN_INT, NULL, 0, 0},
    {"user", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_port_alert(struct scn_call *c)
{
	return simk_port_alert((int)c->args[0].i, (int)c->args[1].i, (int)c->args[2].i,
			       (uint64_t)c->args[3].i);
}

static const struct scn_argspec assoc_args[] = {
    {"port", SCN_INT, NULL, 0, 0},
    {"fd", SCN_INT, NULL, 0, 0},
    {"events", SCN_INT, NULL, 0, 0},
    {"user", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_port_associate(struct scn_call *c)
{
	return simk_port_associate((int)c->args[0].i, PORT_SOURCE_FD, (uint64_t)c->args[1].i,
				   (int)c->args[2].i, (uint64_t)c->args[3].i);
}

static const struct scn_argspec dissoc_args[] = {
    {"port", SCN_INT, NULL, 0, 0},
    {"fd", SCN_INT, NULL, 0, 0},
};

static int64_t op_port_dissociate(struct scn_call *c)
{
	return simk_port_dissociate((int)c->args[0].i, PORT_SOURCE_FD, (uint64_t)c->args[1].i);
}

/* The K-th file_obj_t of the calling process (allocated on first use);
 * 0 when user memory runs out. */
static uaddr_t fobj_of(int k)
{
	struct port_scn_run *sr = scn_run();
	struct simk_proc *p = sim_proc_current();
	for (int i = 0; i < sr->nfobj; i++)
		if (sr->fobj[i].pid == p->pid && sr->fobj[i].k == k)
			return sr->fobj[i].addr;
	if (sr->nfobj >= SCN_NARGS(sr->fobj))
		sim_panic("too many file_obj_t in one scenario run");
	uaddr_t a = umem_alloc(p, sizeof(file_obj_t) + VFS_PATH_MAX);
	if (a == 0)
		return 0; /* out of user memory: the caller says -ENOMEM */
	sr->fobj[sr->nfobj++] = (struct scn_fobj){p->pid, k, a};
	return a;
}

enum { W_PORT, W_PATH, W_EVENTS, W_USER, W_FOBJ, W_STALE };
static const struct scn_argspec watch_args[] = {
    [W_PORT] = {"port", SCN_INT, NULL, 0, 0},
    [W_PATH] = {"path", SCN_STR, NULL, 0, 0},
    [W_EVENTS] = {"events", SCN_INT, NULL, 0, 0},
    [W_USER] = {"user", SCN_INT, NULL, SCN_OPTIONAL, 0},
    [W_FOBJ] = {"fobj", SCN_INT, NULL, SCN_NAMED, 0},
    [W_STALE] = {"stale", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_watch(struct scn_call *c)
{
	if (c->args[W_FOBJ].i < 0 || c->args[W_FOBJ].i >= FOBJ_MAX)
		return -EINVAL;
	uaddr_t a = fobj_of((int)c->args[W_FOBJ].i);
	if (a == 0)
		return -ENOMEM;
	const char *path = c->args[W_PATH].str;
	size_t len = strlen(path) + 1;
	if (len > VFS_PATH_MAX)
		return -ENAMETOOLONG;
	file_obj_t fo;
	memset(&fo, 0, sizeof(fo));
	fo.fo_name = a + sizeof(file_obj_t);
	if (!c->args[W_STALE].i) {
		struct vnode *vn;
		if (vfs_lookup(path, &vn) == 0) {
			struct simk_stat s;
			vn_stat(vn, &s);
			vn_rele(vn);
			fo.fo_atime = (struct simk_timespec){s.st_atime_ns / SIMK_NSEC_PER_SEC,
							     s.st_atime_ns % SIMK_NSEC_PER_SEC};
			fo.fo_mtime = (struct simk_timespec){s.st_mtime_ns / SIMK_NSEC_PER_SEC,
							     s.st_mtime_ns % SIMK_NSEC_PER_SEC};
			fo.fo_ctime = (struct simk_timespec){s.st_ctime_ns / SIMK_NSEC_PER_SEC,
							     s.st_ctime_ns % SIMK_NSEC_PER_SEC};
		}
	}
	if (copyout(&fo, a, sizeof(fo)) != 0 || copyout(path, fo.fo_name, len) != 0)
		sim_panic("file_obj_t copyout failed");
	return simk_port_associate((int)c->args[W_PORT].i, PORT_SOURCE_FILE, a,
				   (int)c->args[W_EVENTS].i, (uint64_t)c->args[W_USER].i);
}

static const struct scn_argspec unwatch_args[] = {
    {"port", SCN_INT, NULL, 0, 0},
    {"fobj", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_unwatch(struct scn_call *c)
{
	if (c->args[1].i < 0 || c->args[1].i >= FOBJ_MAX)
		return -EINVAL;
	uaddr_t a = fobj_of((int)c->args[1].i);
	if (a == 0)
		return -ENOMEM;
	return simk_port_dissociate((int)c->args[0].i, PORT_SOURCE_FILE, a);
}

static const struct scn_argspec fobj_args[] = {
    {"k", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_fobj_addr(struct scn_call *c)
{
	if (c->args[0].i < 0 || c->args[0].i >= FOBJ_MAX)
		return -EINVAL;
	uaddr_t a = fobj_of((int)c->args[0].i);
	return a != 0 ? (int64_t)a : -ENOMEM;
}

enum { G_PORT, G_TIMEOUT, G_POLL };
static const struct scn_argspec get_args[] = {
    [G_PORT] = {"port", SCN_INT, NULL, 0, 0},
    [G_TIMEOUT] = {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    [G_POLL] = {"poll", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_get(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_scratch();
	if (ts == NULL)
		return -ENOMEM;
	uaddr_t to = timeout_arg(ts, &c->args[G_TIMEOUT], &c->args[G_POLL]);
	int r = simk_port_get((int)c->args[G_PORT].i, SCR_LIST(ts), to);
	ts->nev = 0;
	if (r == 0) {
		if (copyin(SCR_LIST(ts), &ts->ev[0], sizeof(port_event_t)) != 0)
			sim_panic("scratch copyin failed");
		ts->nev = 1;
	}
	return r;
}

enum { GN_PORT, GN_MAX, GN_NGET, GN_TIMEOUT, GN_POLL, GN_N, GN_USUM };
static const struct scn_argspec getn_args[] = {
    [GN_PORT] = {"port", SCN_INT, NULL, 0, 0},
    [GN_MAX] = {"max", SCN_INT, NULL, 0, 0},
    [GN_NGET] = {"nget", SCN_INT, NULL, 0, 0},
    [GN_TIMEOUT] = {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    [GN_POLL] = {"poll", SCN_INT, NULL, SCN_NAMED, 0},
    [GN_N] = {"n", SCN_OUT, NULL, SCN_NAMED, 0},
    [GN_USUM] = {"usum", SCN_OUT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_getn(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_scratch();
	if (ts == NULL)
		return -ENOMEM;
	int64_t max = c->args[GN_MAX].i;
	if (max < 0 || max > SCN_EVENTS)
		scn_call_fail(c, SIMK_FAIL_PANIC, "port_getn: MAX %lld outside 0..%d",
			      (long long)max, SCN_EVENTS);
	uint32_t nget = (uint32_t)c->args[GN_NGET].i;
	if (copyout(&nget, SCR_NGET(ts), sizeof(nget)) != 0)
		sim_panic("scratch copyout failed");
	uaddr_t to = timeout_arg(ts, &c->args[GN_TIMEOUT], &c->args[GN_POLL]);
	int r =
	    simk_port_getn((int)c->args[GN_PORT].i, SCR_LIST(ts), (unsigned)max, SCR_NGET(ts), to);
	if (copyin(SCR_NGET(ts), &nget, sizeof(nget)) != 0)
		sim_panic("scratch copyin failed");
	ts->nev = 0;
	int64_t usum = 0;
	if ((r == 0 || r == -ETIME) && max > 0) {
		ts->nev = (int)(nget < (uint32_t)max ? nget : (uint32_t)max);
		if (ts->nev > 0 &&
		    copyin(SCR_LIST(ts), ts->ev, (size_t)ts->nev * sizeof(port_event_t)) != 0)
			sim_panic("scratch copyin failed");
		for (int i = 0; i < ts->nev; i++)
			usum += (int64_t)ts->ev[i].portev_user;
	}
	scn_out(&c->args[GN_N], (r == 0 || r == -ETIME) ? (int64_t)nget : 0);
	scn_out(&c->args[GN_USUM], usum);
	return r;
}

static const struct scn_argspec port_args[] = {
    {"port", SCN_INT, NULL, 0, 0},
};

static int64_t op_port_count(struct scn_call *c)
{
	return port_queued((int)c->args[0].i);
}

static const struct scn_argspec idx_args[] = {
    {"i", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static const port_event_t *ev_at(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_state();
	int64_t i = c->args[0].i;
	if (i < 0 || i >= ts->nev)
		scn_call_fail(c, SIMK_FAIL_PANIC, "%s: no event %lld (the latest call got %d)",
			      c->op->name, (long long)i, ts->nev);
	return &ts->ev[i];
}

static int64_t op_pev_events(struct scn_call *c)
{
	return ev_at(c)->portev_events;
}
static int64_t op_pev_source(struct scn_call *c)
{
	return ev_at(c)->portev_source;
}
static int64_t op_pev_object(struct scn_call *c)
{
	return (int64_t)ev_at(c)->portev_object;
}
static int64_t op_pev_user(struct scn_call *c)
{
	return (int64_t)ev_at(c)->portev_user;
}

enum { D_PORT, D_EVENTS, D_USER, D_OBJECT, D_NOSHARE };
static const struct scn_argspec dispatch_args[] = {
    [D_PORT] = {"port", SCN_INT, NULL, 0, 0},
    [D_EVENTS] = {"events", SCN_INT, NULL, 0, 0},
    [D_USER] = {"user", SCN_INT, NULL, SCN_OPTIONAL, 0},
    [D_OBJECT] = {"object", SCN_INT, NULL, SCN_NAMED, 0},
    [D_NOSHARE] = {"noshare", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_dispatch(struct scn_call *c)
{
	return port_dispatch(NULL, (int)c->args[D_PORT].i,
			     c->args[D_NOSHARE].i ? PORT_DISPATCH_NOSHARE : 0, PORT_SOURCE_AIO,
			     (int)c->args[D_EVENTS].i, (uint64_t)c->args[D_OBJECT].i,
			     (uint64_t)c->args[D_USER].i);
}

static const struct scn_argspec limits_args[] = {
    {"ports", SCN_INT, NULL, SCN_NAMED, 0},
    {"events", SCN_INT, NULL, SCN_NAMED, 0},
    {"list", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_port_limits(struct scn_call *c)
{
	struct port_limits l;
	port_limits_get(&l);
	uint32_t *dst[] = {&l.ports_max, &l.events_max, &l.list_max};
	for (int i = 0; i < SCN_NARGS(dst); i++) {
		if (!c->args[i].given)
			continue;
		/* a negative or too large value must not wrap into a huge limit */
		if (c->args[i].i <= 0 || c->args[i].i > UINT32_MAX)
			return -EINVAL;
		*dst[i] = (uint32_t)c->args[i].i;
	}
	return port_limits_set(&l);
}

static const struct scn_argspec stat_args[] = {
    {"name", SCN_STR, NULL, 0, 0},
};

static int64_t op_port_stat(struct scn_call *c)
{
	struct port_stats st;
	port_stats_get(&st);
	const struct {
		const char *name;
		uint64_t v;
	} f[] = {
	    {"ports_created", st.ports_created}, {"ports_live", st.ports_live},
	    {"slots_live", st.slots_live},	 {"sent", st.events_sent},
	    {"delivered", st.events_delivered},	 {"refused", st.events_refused},
	    {"discarded", st.events_discarded},	 {"removed", st.events_removed},
	    {"alerts", st.alerts_delivered},	 {"resent", st.events_resent},
	};
	for (int i = 0; i < SCN_NARGS(f); i++)
		if (strcmp(f[i].name, c->args[0].str) == 0)
			return (int64_t)f[i].v;
	scn_call_fail(c, SIMK_FAIL_PANIC, "port_stat: no counter \"%s\"", c->args[0].str);
}

/* ---- timers ------------------------------------------------------------------ */

enum { T_NOTIFY, T_PORT, T_USER, T_SIGNO, T_VALUE, T_CLOCK };
static const struct scn_argspec tcreate_args[] = {
    [T_NOTIFY] = {"notify", SCN_INT, NULL, 0, 0},
    [T_PORT] = {"port", SCN_INT, NULL, SCN_NAMED, -1},
    [T_USER] = {"user", SCN_INT, NULL, SCN_NAMED, 0},
    [T_SIGNO] = {"signo", SCN_INT, NULL, SCN_NAMED, 14},
    [T_VALUE] = {"value", SCN_INT, NULL, SCN_NAMED, 0},
    [T_CLOCK] = {"clock", SCN_INT, NULL, SCN_NAMED, SIMK_CLOCK_MONOTONIC},
};

static int64_t op_timer_create(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_scratch();
	if (ts == NULL)
		return -ENOMEM;
	uaddr_t usev = SCR_MISC(ts), upn = SCR_MISC(ts) + 32, uid = SCR_MISC(ts) + 48;
	struct simk_sigevent sev = {
	    .sigev_notify = (int32_t)c->args[T_NOTIFY].i,
	    .sigev_signo = (int32_t)c->args[T_SIGNO].i,
	    .sigev_value = (uint64_t)c->args[T_VALUE].i,
	};
	if (sev.sigev_notify == SIMK_SIGEV_PORT) {
		port_notify_t pn = {.portnfy_port = (int32_t)c->args[T_PORT].i,
				    .portnfy_user = (uint64_t)c->args[T_USER].i};
		if (copyout(&pn, upn, sizeof(pn)) != 0)
			sim_panic("scratch copyout failed");
		sev.sigev_value = upn;
	}
	if (copyout(&sev, usev, sizeof(sev)) != 0)
		sim_panic("scratch copyout failed");
	int r = simk_timer_create((int)c->args[T_CLOCK].i, usev, uid);
	if (r != 0)
		return r;
	int32_t id;
	if (copyin(uid, &id, sizeof(id)) != 0)
		sim_panic("scratch copyin failed");
	return id;
}

enum { TS_ID, TS_VALUE, TS_INTERVAL, TS_ABS };
static const struct scn_argspec tset_args[] = {
    [TS_ID] = {"id", SCN_INT, NULL, 0, 0},
    [TS_VALUE] = {"value", SCN_DUR, NULL, 0, 0},
    [TS_INTERVAL] = {"interval", SCN_DUR, NULL, SCN_NAMED, 0},
    [TS_ABS] = {"abs", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_timer_settime(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_scratch();
	if (ts == NULL)
		return -ENOMEM;
	int64_t v = c->args[TS_VALUE].i, iv = c->args[TS_INTERVAL].i;
	struct simk_itimerspec its = {
	    .it_interval = {iv / SIMK_NSEC_PER_SEC, iv % SIMK_NSEC_PER_SEC},
	    .it_value = {v / SIMK_NSEC_PER_SEC, v % SIMK_NSEC_PER_SEC},
	};
	uaddr_t u = SCR_MISC(ts);
	if (copyout(&its, u, sizeof(its)) != 0)
		sim_panic("scratch copyout failed");
	return simk_timer_settime((int)c->args[TS_ID].i, c->args[TS_ABS].i ? SIMK_TIMER_ABSTIME : 0,
				  u, 0);
}

static const struct scn_argspec tget_args[] = {
    {"id", SCN_INT, NULL, 0, 0},
    {"value", SCN_OUT, NULL, SCN_NAMED, 0},
    {"interval", SCN_OUT, NULL, SCN_NAMED, 0},
};

static int64_t op_timer_gettime(struct scn_call *c)
{
	struct scn_thread_state *ts = thread_scratch();
	if (ts == NULL)
		return -ENOMEM;
	uaddr_t u = SCR_MISC(ts);
	int r = simk_timer_gettime((int)c->args[0].i, u);
	if (r == 0) {
		struct simk_itimerspec its;
		if (copyin(u, &its, sizeof(its)) != 0)
			sim_panic("scratch copyin failed");
		scn_out(&c->args[1],
			its.it_value.tv_sec * SIMK_NSEC_PER_SEC + its.it_value.tv_nsec);
		scn_out(&c->args[2],
			its.it_interval.tv_sec * SIMK_NSEC_PER_SEC + its.it_interval.tv_nsec);
	}
	return r;
}

static const struct scn_argspec tid_args[] = {
    {"id", SCN_INT, NULL, 0, 0},
};

static int64_t op_timer_getoverrun(struct scn_call *c)
{
	return simk_timer_getoverrun((int)c->args[0].i);
}

static int64_t op_timer_delete(struct scn_call *c)
{
	return simk_timer_delete((int)c->args[0].i);
}

/* ---- registration -------------------------------------------------------------- */

static const struct scn_op port_ops[] = {
    SCN_SYSCALL_OP0("port_create", op_port_create, "a new event port; its descriptor"),
    SCN_SYSCALL_OP("port_send", send_args, op_port_send, "PORT_SOURCE_USER event; 0 or -errno"),
    SCN_SYSCALL_OP(
	"port_sendn", sendn_args, op_port_sendn,
	"a user event to up to 4 ports; the count, or -EIO with errs= one errno per byte"),
    SCN_SYSCALL_OP("port_alert", alert_args, op_port_alert,
		   "set (PORT_ALERT_SET/UPDATE) or clear (events 0) alert mode; 0 or -errno"),
    SCN_SYSCALL_OP("port_associate", assoc_args, op_port_associate,
		   "PORT_SOURCE_FD: one-shot poll events of a descriptor; 0 or -errno"),
    SCN_SYSCALL_OP("port_dissociate", dissoc_args, op_port_dissociate,
		   "remove a PORT_SOURCE_FD association; 0, -ENOENT, -EACCES"),
    SCN_SYSCALL_OP(
	"port_watch", watch_args, op_port_watch,
	"PORT_SOURCE_FILE: watch PATH through the caller's fobj= K file_obj_t; 0 or -errno"),
    SCN_SYSCALL_OP("port_unwatch", unwatch_args, op_port_unwatch,
		   "remove a PORT_SOURCE_FILE watch; 0 or -ENOENT"),
    SCN_OP("fobj_addr", fobj_args, op_fobj_addr,
	   "user address of the caller's K-th file_obj_t (an event's object)"),
    SCN_SYSCALL_OP("port_get", get_args, op_port_get,
		   "retrieve one event (kept for pev_*); 0, -ETIME, -EINTR, -EBADFD"),
    SCN_SYSCALL_OP(
	"port_getn", getn_args, op_port_getn,
	"wait for NGET events, take up to MAX (kept for pev_*); 0 or -ETIME with n= the count"),
    SCN_OP("port_count", port_args, op_port_count, "events queued on the port"),
    SCN_OP("pev_events", idx_args, op_pev_events, "portev_events of the I-th kept event"),
    SCN_OP("pev_source", idx_args, op_pev_source, "portev_source of the I-th kept event"),
    SCN_OP("pev_object", idx_args, op_pev_object, "portev_object of the I-th kept event"),
    SCN_OP("pev_user", idx_args, op_pev_user, "portev_user of the I-th kept event"),
    SCN_OP("port_dispatch", dispatch_args, op_port_dispatch,
	   "kernel PORT_SOURCE_AIO delivery (waits for a free slot); 0 or -errno"),
    SCN_OP_E("port_limits", limits_args, op_port_limits,
	   "set the run's ports= per system, events= per port, list= maximum; 0 or -EINVAL"),
    SCN_OP("port_stat", stat_args, op_port_stat,
	   "a port counter: sent delivered discarded removed refused slots_live ports_live ..."),
    SCN_SYSCALL_OP("timer_create", tcreate_args, op_timer_create,
		   "POSIX timer (SIGEV_NONE/SIGNAL/PORT); its id or -errno"),
    SCN_SYSCALL_OP("timer_settime", tset_args, op_timer_settime,
		   "arm (VALUE 0 disarms) relative or abs=1, interval= periodic; 0 or -errno"),
    SCN_SYSCALL_OP("timer_gettime", tget_args, op_timer_gettime,
		   "0 or -EINVAL; value= time left, interval="),
    SCN_SYSCALL_OP("timer_getoverrun", tid_args, op_timer_getoverrun,
		   "overruns of the last notification taken, or -EINVAL"),
    SCN_SYSCALL_OP("timer_delete", tid_args, op_timer_delete, "0 or -EINVAL"),
};

static const struct scn_const port_consts[] = {
    SCN_CONST(PORT_SOURCE_AIO),
    SCN_CONST(PORT_SOURCE_TIMER),
    SCN_CONST(PORT_SOURCE_USER),
    SCN_CONST(PORT_SOURCE_FD),
    SCN_CONST(PORT_SOURCE_ALERT),
    SCN_CONST(PORT_SOURCE_FILE),
    SCN_CONST(PORT_ALERT_SET),
    SCN_CONST(PORT_ALERT_UPDATE),
    SCN_CONST(PORT_POLLWRNORM),
    SCN_CONST(PORT_POLLWRBAND),
    SCN_CONST(FILE_ACCESS),
    SCN_CONST(FILE_MODIFIED),
    SCN_CONST(FILE_ATTRIB),
    SCN_CONST(FILE_TRUNC),
    SCN_CONST(FILE_NOFOLLOW),
    SCN_CONST(FILE_DELETE),
    SCN_CONST(FILE_RENAME_TO),
    SCN_CONST(FILE_RENAME_FROM),
    SCN_CONST(UNMOUNTED),
    SCN_CONST(MOUNTEDOVER),
    SCN_CONST(FILE_EXCEPTION),
    {"SIGEV_NONE", SIMK_SIGEV_NONE},
    {"SIGEV_SIGNAL", SIMK_SIGEV_SIGNAL},
    {"SIGEV_PORT", SIMK_SIGEV_PORT},
    {"CLOCK_REALTIME", SIMK_CLOCK_REALTIME},
    {"CLOCK_MONOTONIC", SIMK_CLOCK_MONOTONIC},
};


/* A file watch names a path: without an `fs` it could only fail. */
static const struct scn_needs port_needs[] = {
    {"port_watch", "fs",
     "declare a device and a filesystem at the top, for example `device disk` and `fs root "
     "disk`"},
};

void port_scn_register(void)
{
	scn_register_ops(port_ops, SCN_NARGS(port_ops));
	scn_register_needs(port_needs, SCN_NARGS(port_needs));
	scn_register_consts(port_consts, SCN_NARGS(port_consts));
}
