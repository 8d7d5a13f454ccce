/*
 * Scenario operations and constants of kqueue (docs/kq.md lists them
 * with examples; scenarios/kq/ uses them):
 *
 *   kqueue                                   a new kqueue descriptor
 *   kevent_add KQ IDENT FILTER [flags=] [fflags=] [data=] [udata=]
 *                                            one change with EV_ADD | flags
 *   kevent_change KQ IDENT FILTER FLAGS [fflags=] [data=] [udata=]
 *                                            one change, flags as given
 *   kevent KQ [changes=LIST] [max=1] [timeout=DUR] [ident=V] [filter=V]
 *             [flags=V] [fflags=V] [data=V] [udata=V]
 *                                            apply the change list (6 values
 *                                            a change, one call) and collect
 *                                            up to max events (no timeout:
 *                                            wait forever); the count; V get
 *                                            the first event
 *   kev_get I [ident=V] ...                  field of event I of the
 *                                            calling thread's last kevent
 *   kq_trigger KQ IDENT [fflags=]            EVFILT_USER NOTE_TRIGGER
 *   kq_pending KQ                            st_size of the kqueue
 *   kq_knotes, kq_timers                     live knotes / timers in the run
 *   kq_stat "NAME"                           a counter of the run (kqueue_stat)
 *   kq_timer_max N                           run-wide timer limit
 *   socketpair A B                           A, B get the two ends
 *   shutdown FD HOW, sock_send FD "BYTES" [flags=], sock_recv FD LEN [flags=]
 *   bit VALUE N                              bit N of VALUE (0 or 1), as
 *                                            (VALUE >> N) & 1
 *
 * Each is a system call of the calling scenario thread; user memory for
 * the change and event lists is allocated in its process for the call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "simk/kq.h"
#include "simk/vfs.h"

#include "kern/umem.h"
#include "scn/scn.h"
#include "syscalls/kqueue/kq_priv.h"
#include "vfs/socket.h"
#include "vfs/vfs.h"

void kq_scn_register(void);

void kq_scn_free(struct kq_state *st)
{
	scn_thread_table_free(&st->scn_events);
}

static struct kq_scn_events *thread_events(void)
{
	return scn_thread_table_get(&kq_st()->scn_events, sim_thread_current()->tid,
				    sizeof(struct kq_scn_events));
}

/* One change through sys_kevent, with user memory of the caller. */
static int64_t one_change(int kq, uint64_t ident, int64_t filter, int64_t flags, int64_t fflags,
			  int64_t data, int64_t udata)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, sizeof(struct kevent));
	if (u == 0)
		return -ENOMEM;
	struct kevent kev;
	ev_set(&kev, ident, (int16_t)filter, (uint16_t)flags, (uint32_t)fflags, data,
	       (uint64_t)udata);
	int64_t r = copyout(&kev, u, sizeof(kev)) != 0 ? -EFAULT : simk_kevent(kq, u, 1, 0, 0, 0);
	umem_free(p, u);
	return r;
}

enum { C_KQ, C_IDENT, C_FILTER, C_FLAGS, C_FFLAGS, C_DATA, C_UDATA };

static const struct scn_argspec add_args[] = {
    [C_KQ] = {"kq", SCN_INT, NULL, 0, 0},
    [C_IDENT] = {"ident", SCN_INT, NULL, 0, 0},
    [C_FILTER] = {"filter", SCN_INT, NULL, 0, 0},
    [C_FLAGS] = {"flags", SCN_INT, NULL, SCN_NAMED, 0},
    [C_FFLAGS] = {"fflags", SCN_INT, NULL, SCN_NAMED, 0},
    [C_DATA] = {"data", SCN_INT, NULL, SCN_NAMED, 0},
    [C_UDATA] = {"udata", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_kevent_add(struct scn_call *c)
{
	const struct scn_val *a = c->args;
	return one_change((int)a[C_KQ].i, (uint64_t)a[C_IDENT].i, a[C_FILTER].i,
			  EV_ADD | a[C_FLAGS].i, a[C_FFLAGS].i, a[C_DATA].i, a[C_UDATA].i);
}

static const struct scn_argspec change_args[] = {
    [C_KQ] = {"kq", SCN_INT, NULL, 0, 0},
    [C_IDENT] = {"ident", SCN_INT, NULL, 0, 0},
    [C_FILTER] = {"filter", SCN_INT, NULL, 0, 0},
    [C_FLAGS] = {"flags", SCN_INT, NULL, 0, 0},
    [C_FFLAGS] = {"fflags", SCN_INT, NULL, SCN_NAMED, 0},
    [C_DATA] = {"data", SCN_INT, NULL, SCN_NAMED, 0},
    [C_UDATA] = {"udata", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_kevent_change(struct scn_call *c)
{
	const struct scn_val *a = c->args;
	return one_change((int)a[C_KQ].i, (uint64_t)a[C_IDENT].i, a[C_FILTER].i, a[C_FLAGS].i,
			  a[C_FFLAGS].i, a[C_DATA].i, a[C_UDATA].i);
}

enum { E_IDENT, E_FILTER, E_FLAGS, E_FFLAGS, E_DATA, E_UDATA, E_NFIELDS };

static void store_fields(const struct scn_val *outs, int nouts, const struct kevent *kev)
{
	int64_t v[E_NFIELDS] = {(int64_t)kev->ident,  kev->filter, kev->flags,
				(int64_t)kev->fflags, kev->data,   (int64_t)kev->udata};
	scn_outs(outs, v, nouts);
}

enum { K_KQ, K_MAX, K_TIMEOUT, K_CHANGES, K_OUT };

static const struct scn_argspec kevent_args[] = {
    [K_KQ] = {"kq", SCN_INT, NULL, 0, 0},
    [K_MAX] = {"max", SCN_INT, NULL, SCN_NAMED, 1},
    [K_TIMEOUT] = {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    [K_CHANGES] = {"changes", SCN_LIST, NULL, SCN_NAMED, 0},
    [K_OUT + E_IDENT] = {"ident", SCN_OUT, NULL, SCN_NAMED, 0},
    [K_OUT + E_FILTER] = {"filter", SCN_OUT, NULL, SCN_NAMED, 0},
    [K_OUT + E_FLAGS] = {"flags", SCN_OUT, NULL, SCN_NAMED, 0},
    [K_OUT + E_FFLAGS] = {"fflags", SCN_OUT, NULL, SCN_NAMED, 0},
    [K_OUT + E_DATA] = {"data", SCN_OUT, NULL, SCN_NAMED, 0},
    [K_OUT + E_UDATA] = {"udata", SCN_OUT, NULL, SCN_NAMED, 0},
};

/* changes=: KQ_SCN_CHANGE_VALUES values per struct kevent, copied out
 * after the event list at u; their count, or -1 when the list is not
 * whole changes. */
static int put_changes(const struct scn_val *list, uaddr_t u)
{
	if (list->n % KQ_SCN_CHANGE_VALUES != 0)
		return -1;
	int n = list->n / KQ_SCN_CHANGE_VALUES;
	for (int i = 0; i < n; i++) {
		const int64_t *v = &list->list[i * KQ_SCN_CHANGE_VALUES];
		struct kevent kev;
		ev_set(&kev, (uint64_t)v[E_IDENT], (int16_t)v[E_FILTER], (uint16_t)v[E_FLAGS],
		       (uint32_t)v[E_FFLAGS], v[E_DATA], (uint64_t)v[E_UDATA]);
		if (copyout(&kev, u + (uaddr_t)i * sizeof(kev), sizeof(kev)) != 0)
			return -1;
	}
	return n;
}

static int64_t op_kevent(struct scn_call *c)
{
	const struct scn_val *a = c->args;
	int max = (int)a[K_MAX].i;
	if (max < 0 || max > KQ_SCN_EVENTS_MAX)
		scn_call_fail(c, SIMK_FAIL_PANIC, "kevent: max must be 0..%d", KQ_SCN_EVENTS_MAX);
	const struct scn_val *changes = &a[K_CHANGES];
	int nchanges = changes->given ? changes->n / KQ_SCN_CHANGE_VALUES : 0;
	struct kq_scn_events *te = thread_events();
	te->n = 0;
	struct simk_proc *p = sim_proc_current();
	size_t clen = (size_t)nchanges * sizeof(struct kevent);
	uaddr_t u = umem_alloc(p, sizeof(te->ev) + sizeof(struct kq_timespec) + clen);
	if (u == 0)
		return -ENOMEM;
	uaddr_t uch = u + sizeof(te->ev) + sizeof(struct kq_timespec);
	if (changes->given && put_changes(changes, uch) < 0) {
		umem_free(p, u);
		scn_call_fail(c, SIMK_FAIL_PANIC,
			      "kevent: changes= needs %d values per change (ident filter flags "
			      "fflags data udata), got %d",
			      KQ_SCN_CHANGE_VALUES, changes->n);
	}
	uaddr_t uts = 0;
	if (a[K_TIMEOUT].given) {
		struct kq_timespec ts = {a[K_TIMEOUT].i / 1000000000, a[K_TIMEOUT].i % 1000000000};
		uts = u + sizeof(te->ev);
		if (copyout(&ts, uts, sizeof(ts)) != 0) {
			umem_free(p, u);
			return -EFAULT;
		}
	}
	int r = simk_kevent((int)a[K_KQ].i, nchanges ? uch : 0, nchanges, u, max, uts);
	if (r > 0 && copyin(u, te->ev, (size_t)r * sizeof(struct kevent)) == 0) {
		te->n = r;
		store_fields(&a[K_OUT], E_NFIELDS, &te->ev[0]);
	}
	umem_free(p, u);
	return r;
}

static const struct scn_argspec kev_get_args[] = {
    {"index", SCN_INT, NULL, 0, 0},	     {"ident", SCN_OUT, NULL, SCN_NAMED, 0},
    {"filter", SCN_OUT, NULL, SCN_NAMED, 0}, {"flags", SCN_OUT, NULL, SCN_NAMED, 0},
    {"fflags", SCN_OUT, NULL, SCN_NAMED, 0}, {"data", SCN_OUT, NULL, SCN_NAMED, 0},
    {"udata", SCN_OUT, NULL, SCN_NAMED, 0},
};

static int64_t op_kev_get(struct scn_call *c)
{
	struct kq_scn_events *te = thread_events();
	int64_t i = c->args[0].i;
	if (i < 0 || i >= te->n)
		return -EINVAL;
	store_fields(&c->args[1], E_NFIELDS, &te->ev[i]);
	return 0;
}

static const struct scn_argspec trigger_args[] = {
    {"kq", SCN_INT, NULL, 0, 0},
    {"ident", SCN_INT, NULL, 0, 0},
    {"fflags", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_kq_trigger(struct scn_call *c)
{
	const struct scn_val *a = c->args;
	return one_change((int)a[0].i, (uint64_t)a[1].i, EVFILT_USER, 0, NOTE_TRIGGER | a[2].i, 0,
			  0);
}

static const struct scn_argspec fd_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
};

static int64_t op_kq_pending(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, sizeof(struct simk_stat));
	if (u == 0)
		return -ENOMEM;
	struct simk_stat st;
	int64_t r = simk_fstat((int)c->args[0].i, u);
	if (r == 0)
		r = copyin(u, &st, sizeof(st)) != 0 ? -EFAULT : st.st_size;
	umem_free(p, u);
	return r;
}

static int64_t op_kqueue(struct scn_call *c)
{
	(void)c;
	return simk_kqueue();
}

static int64_t op_kq_knotes(struct scn_call *c)
{
	(void)c;
	return kqueue_knotes_live();
}

static const struct scn_argspec stat_args[] = {
    {"name", SCN_STR, NULL, 0, 0},
};

static int64_t op_kq_stat(struct scn_call *c)
{
	uint64_t v;
	if (kqueue_stat(c->args[0].str, &v) != 0)
		scn_call_fail(c, SIMK_FAIL_PANIC, "kq_stat: no counter \"%s\"", c->args[0].str);
	return (int64_t)v;
}

static int64_t op_kq_timers(struct scn_call *c)
{
	(void)c;
	return kqueue_timers_live();
}

static const struct scn_argspec int_args[] = {
    {"n", SCN_INT, NULL, 0, 0},
};

static int64_t op_kq_timer_max(struct scn_call *c)
{
	if (c->args[0].i < 0 || c->args[0].i > INT32_MAX)
		return -EINVAL;
	return kqueue_set_timer_max((int)c->args[0].i);
}

static const struct scn_argspec bit_args[] = {
    {"value", SCN_INT, NULL, 0, 0},
    {"bit", SCN_INT, NULL, 0, 0},
};

static int64_t op_bit(struct scn_call *c)
{
	int64_t b = c->args[1].i;
	if (b < 0 || b > 63)
		return -EINVAL;
	return ((uint64_t)c->args[0].i >> b) & 1;
}

/* ---- socket pairs ---- */

static const struct scn_argspec socketpair_args[] = {
    {"a", SCN_OUT, NULL, 0, 0},
    {"b", SCN_OUT, NULL, 0, 0},
};

static int64_t op_socketpair(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, 2 * sizeof(int));
	if (u == 0)
		return -ENOMEM;
	int sv[2];
	int r = simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, u);
	if (r == 0 && copyin(u, sv, sizeof(sv)) == 0) {
		*c->args[0].out = sv[0];
		*c->args[1].out = sv[1];
	}
	umem_free(p, u);
	return r;
}

static const struct scn_argspec shutdown_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"how", SCN_INT, NULL, 0, 0},
};

static int64_t op_shutdown(struct scn_call *c)
{
	return simk_shutdown((int)c->args[0].i, (int)c->args[1].i);
}

static const struct scn_argspec send_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"bytes", SCN_STR, NULL, 0, 0},
    {"flags", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_sock_send(struct scn_call *c)
{
	struct simk_proc *p = sim_proc_current();
	size_t len = strlen(c->args[1].str);
	uaddr_t u = umem_alloc(p, len ? len : 1);
	if (u == 0)
		return -ENOMEM;
	int64_t r = copyout(c->args[1].str, u, len) != 0
			? -EFAULT
			: simk_send((int)c->args[0].i, u, len, (int)c->args[2].i);
	umem_free(p, u);
	return r;
}

static const struct scn_argspec recv_args[] = {
    {"fd", SCN_INT, NULL, 0, 0},
    {"len", SCN_INT, NULL, 0, 0},
    {"flags", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_sock_recv(struct scn_call *c)
{
	int64_t len = c->args[1].i;
	if (len < 0 || len > SOCK_BUF_SIZE)
		return -EINVAL;
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, len ? (size_t)len : 1);
	if (u == 0)
		return -ENOMEM;
	int64_t r = simk_recv((int)c->args[0].i, u, (size_t)len, (int)c->args[2].i);
	umem_free(p, u);
	return r;
}

static const struct scn_op kq_ops[] = {
    SCN_SYSCALL_OP0("kqueue", op_kqueue, "kqueue: a new kqueue descriptor"),
    SCN_SYSCALL_OP("kevent_add", add_args, op_kevent_add,
		   "kevent_add KQ IDENT FILTER [flags=] [fflags=] [data=] [udata=]: EV_ADD|flags; "
		   "0 or -errno"),
    SCN_SYSCALL_OP("kevent_change", change_args, op_kevent_change,
		   "kevent_change KQ IDENT FILTER FLAGS [fflags=] [data=] [udata=]: one change"),
    SCN_SYSCALL_OP("kevent", kevent_args, op_kevent,
		   "kevent KQ [changes=LIST] [max=1] [timeout=DUR] [ident=V]...: apply the changes (6 "
		   "values each: ident filter flags fflags data udata), collect events (first one into V)"),
    SCN_OP("kev_get", kev_get_args, op_kev_get,
	   "kev_get I [ident=V] [filter=V] [flags=V] [fflags=V] [data=V] [udata=V]: event I of the "
	   "last kevent"),
    SCN_SYSCALL_OP("kq_trigger", trigger_args, op_kq_trigger,
		   "kq_trigger KQ IDENT [fflags=]: EVFILT_USER NOTE_TRIGGER"),
    SCN_SYSCALL_OP("kq_pending", fd_args, op_kq_pending, "kq_pending KQ: pending events"),
    SCN_OP0("kq_knotes", op_kq_knotes, "kq_knotes: live knotes in the run"),
    SCN_OP0("kq_timers", op_kq_timers, "kq_timers: live kqueue timers in the run"),
    SCN_OP("kq_stat", stat_args, op_kq_stat,
	   "kq_stat \"NAME\": a kqueue counter of the run (reg_recursive, track_registered, "
	   "track_lock_waits, reactivated_during_scan, reactivated_returned_later, "
	   "attach_closed_drops, fdclose_drops, lookup_steps, check_steps)"),
    SCN_OP("kq_timer_max", int_args, op_kq_timer_max,
	   "kq_timer_max N: run-wide timer limit; the previous one"),
    SCN_OP("bit", bit_args, op_bit, "bit VALUE N: bit N of VALUE"),
    SCN_SYSCALL_OP("socketpair", socketpair_args, op_socketpair,
		   "socketpair A B: an AF_UNIX stream pair; A, B get the ends"),
    SCN_SYSCALL_OP("shutdown", shutdown_args, op_shutdown, "shutdown FD HOW"),
    SCN_SYSCALL_OP("sock_send", send_args, op_sock_send,
		   "sock_send FD \"BYTES\" [flags=]: bytes sent (MSG_OOB: the last one urgent)"),
    SCN_SYSCALL_OP("sock_recv", recv_args, op_sock_recv,
		   "sock_recv FD LEN [flags=]: bytes received (and dropped)"),
};

static const struct scn_const kq_consts[] = {
    SCN_CONST(EVFILT_READ),
    SCN_CONST(EVFILT_WRITE),
    SCN_CONST(EVFILT_AIO),
    SCN_CONST(EVFILT_VNODE),
    SCN_CONST(EVFILT_PROC),
    SCN_CONST(EVFILT_SIGNAL),
    SCN_CONST(EVFILT_TIMER),
    SCN_CONST(EVFILT_FS),
    SCN_CONST(EVFILT_USER),
    SCN_CONST(EVFILT_EXCEPT),
    SCN_CONST(EV_ADD),
    SCN_CONST(EV_DELETE),
    SCN_CONST(EV_ENABLE),
    SCN_CONST(EV_DISABLE),
    SCN_CONST(EV_ONESHOT),
    SCN_CONST(EV_CLEAR),
    SCN_CONST(EV_RECEIPT),
    SCN_CONST(EV_DISPATCH),
    SCN_CONST(EV_NODATA),
    SCN_CONST(EV_ERROR),
    SCN_CONST(EV_EOF),
    SCN_CONST(EV_HUP),
    SCN_CONST(NOTE_LOWAT),
    SCN_CONST(NOTE_OOB),
    SCN_CONST(NOTE_FFNOP),
    SCN_CONST(NOTE_FFAND),
    SCN_CONST(NOTE_FFOR),
    SCN_CONST(NOTE_FFCOPY),
    SCN_CONST(NOTE_TRIGGER),
    SCN_CONST(NOTE_DELETE),
    SCN_CONST(NOTE_WRITE),
    SCN_CONST(NOTE_EXTEND),
    SCN_CONST(NOTE_ATTRIB),
    SCN_CONST(NOTE_LINK),
    SCN_CONST(NOTE_RENAME),
    SCN_CONST(NOTE_REVOKE),
    SCN_CONST(NOTE_READ),
    SCN_CONST(NOTE_EXIT),
    SCN_CONST(NOTE_FORK),
    SCN_CONST(NOTE_EXEC),
    SCN_CONST(NOTE_TRACK),
    SCN_CONST(NOTE_TRACKERR),
    SCN_CONST(NOTE_CHILD),
    SCN_CONST(NOTE_SECONDS),
    SCN_CONST(NOTE_MSECONDS),
    SCN_CONST(NOTE_USECONDS),
    SCN_CONST(NOTE_NSECONDS),
    {"SHUT_RD", SIMK_SHUT_RD},
    {"SHUT_WR", SIMK_SHUT_WR},
    {"SHUT_RDWR", SIMK_SHUT_RDWR},
    {"MSG_OOB", SIMK_MSG_OOB},
    {"MSG_PEEK", SIMK_MSG_PEEK},
    {"MSG_DONTWAIT", SIMK_MSG_DONTWAIT},
    {"VQ_LOWDISK", FSEV_LOWDISK},
    {"VQ_MOUNT", FSEV_MOUNT},
    {"VQ_UNMOUNT", FSEV_UNMOUNT},
};

void kq_scn_register(void)
{
	scn_register_ops(kq_ops, SCN_NARGS(kq_ops));
	scn_register_consts(kq_consts, SCN_NARGS(kq_consts));
}
