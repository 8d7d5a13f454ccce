/*
 * POSIX per-process timers (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete) in virtual time.
 *
 * A timer is a callout plus a notification: none, a signal (SIGEV_SIGNAL,
 * si_code SI_TIMER, the sigev_value) or an event port (SIGEV_PORT,
 * ptimer_port.c). Expirations run in interrupt context. The invariant for
 * overruns: at most one notification per timer is outstanding; an
 * expiration that finds one outstanding only counts. timer_getoverrun
 * reports the count that belonged to the last notification taken (port:
 * exact, read when the event is delivered; signal: the count gathered
 * while the previous signal stayed pending, latched when the next one is
 * queued — signals carry no delivery callback here).
 *
 * Timers belong to their process: ids are per process, a forked child has
 * none, and the process's exit deletes them.
 */
#include "sim/access.h"
#include "syscalls/ptimer/ptimer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern/kmem.h"
#include "kern/signal.h"
#include "syscalls/ptimer/ptimer_priv.h"

/* Liveness guard: timers one process exit deletes; past it the loop is a livelock bug. */
#define PTIMER_TEARDOWN_ROUNDS_MAX 100000

static KMEM_TYPE(kmt_ptimer, "ptimer.timer");

static int ptimer_subsys_slot = -1; /* sim_subsys_register() */

struct ptimer_run *ptimer_run(void)
{
	struct ptimer_run *tr = sim_subsys_need(sim_cur(), ptimer_subsys_slot);
	KASSERT(tr != NULL, "POSIX timers used outside a simulation");
	return tr;
}

static struct ptimer_run *ptr(void)
{
	return ptimer_run();
}

static struct ptimer *timer_find(struct simk_proc *p, int id)
{
	struct ptimer_run *tr = ptr();
	for (struct list_node *n = tr->timers.next; n != &tr->timers; n = n->next) {
		struct ptimer *t = list_entry(n, struct ptimer, link);
		if (t->pid == p->pid && t->id == id)
			return t;
	}
	return NULL;
}

static int timer_id_alloc(struct simk_proc *p)
{
	for (int id = 0; id < PTIMER_MAX; id++)
		if (timer_find(p, id) == NULL)
			return id;
	return -EAGAIN;
}

/* ---- expiration (interrupt context) ----------------------------------------- */

static void signal_notify(struct ptimer *t)
{
	KASSERT(sim_in_irq(), "timer signal outside interrupt context");
	struct ptimer_run *tr = ptr();
	uint64_t bit = 1ULL << (t->signo - 1);
	spin_lock(&tr->lock);
	if (t->proc->sigpending & bit) {
		if (t->overrun_accum < PTIMER_OVERRUN_MAX)
			t->overrun_accum++;
		spin_unlock(&tr->lock);
		return;
	}
	t->overrun_last = t->overrun_accum;
	t->overrun_accum = 0;
	spin_unlock(&tr->lock);
	struct siginfo_sim si = {
	    .signo = t->signo,
	    .code = SIMK_SI_TIMER,
	    .value = (int64_t)t->value,
	    .sender_pid = t->pid,
	};
	sig_queue_proc(t->proc, &si);
}

static void timer_expire(void *arg)
{
	KASSERT(sim_in_irq(), "timer expiry outside interrupt context");
	struct ptimer *t = arg;
	t->expirations++;
	if (t->interval_ns != 0) {
		t->expire_ns = sim_time_add(t->expire_ns, t->interval_ns);
		callout_reset_at(&t->co, t->expire_ns, timer_expire, t);
	} else {
		t->armed = false;
	}
	trace_emit(TR_INFO, "ptimer:expire", t->pid, t->id, (int64_t)t->expirations, t->notify);
	switch (t->notify) {
	case SIMK_SIGEV_SIGNAL:
		signal_notify(t);
		break;
	case SIMK_SIGEV_PORT:
		ptimer_port_fire(t);
		break;
	default:
		break;
	}
}

/* ---- the calls ------------------------------------------------------------------ */

static void timer_destroy(struct ptimer *t)
{
	struct ptimer_run *tr = ptr();
	callout_stop(&t->co);
	t->armed = false;
	if (t->notify == SIMK_SIGEV_PORT)
		ptimer_port_detach(t);
	list_del(&t->link);
	tr->live--;
	trace_emit(TR_INFO, "ptimer:delete", t->pid, t->id, 0, 0);
	kmem_free(&kmt_ptimer, t);
}

int sys_timer_create(int clockid, uaddr_t sevp, uaddr_t timerid)
{
	struct simk_proc *p = sim_proc_current();
	struct ptimer_run *tr = ptr();
	if (clockid != SIMK_CLOCK_REALTIME && clockid != SIMK_CLOCK_MONOTONIC)
		return -EINVAL;
	struct simk_sigevent sev = {.sigev_notify = SIMK_SIGEV_SIGNAL, .sigev_signo = SIMK_SIGALRM};
	bool default_value = true;
	if (sevp != 0) {
		if (copyin(sevp, &sev, sizeof(sev)) != 0)
			return -EFAULT;
		default_value = false;
	}
	switch (sev.sigev_notify) {
	case SIMK_SIGEV_NONE:
	case SIMK_SIGEV_PORT:
		break;
	case SIMK_SIGEV_SIGNAL:
		if (sev.sigev_signo < 1 || sev.sigev_signo > SIMK_NSIG)
			return -EINVAL;
		break;
	default:
		return -EINVAL; /* SIGEV_THREAD: no user code runs in simk */
	}
	port_notify_t pn = {0};
	if (sev.sigev_notify == SIMK_SIGEV_PORT &&
	    (sev.sigev_value == 0 || copyin(sev.sigev_value, &pn, sizeof(pn)) != 0))
		return -EFAULT;
	int id = timer_id_alloc(p);
	if (id < 0)
		return id;
	struct ptimer *t = kmem_zalloc(&kmt_ptimer, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->proc = p;
	t->pid = p->pid;
	t->id = id;
	t->notify = sev.sigev_notify;
	t->signo = sev.sigev_signo;
	t->value = default_value ? (uint64_t)id : sev.sigev_value;
	callout_init(&t->co, "ptimer:timer");
	list_init(&t->link);
	struct port *held = NULL;
	if (t->notify == SIMK_SIGEV_PORT) {
		int r = ptimer_port_attach(t, pn.portnfy_port, pn.portnfy_user, &held);
		if (r != 0) {
			kmem_free(&kmt_ptimer, t);
			return r;
		}
	}
	int32_t id32 = id;
	list_push_back(&tr->timers, &t->link);
	tr->live++;
	tr->created++;
	if (held != NULL)
		port_rele(held); /* listed: a last close from here on finds t */
	if (copyout(&id32, timerid, sizeof(id32)) != 0) {
		timer_destroy(t);
		return -EFAULT;
	}
	trace_emit(TR_INFO, "ptimer:create", p->pid, id, t->notify, 0);
	return 0;
}

static bool ts_valid(const struct simk_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < SIMK_NSEC_PER_SEC;
}

static uint64_t ts_to_ns(const struct simk_timespec *ts)
{
	const uint64_t cap = SIMK_FOREVER / 4;
	if ((uint64_t)ts->tv_sec >= cap / (uint64_t)SIMK_NSEC_PER_SEC)
		return cap;
	return (uint64_t)ts->tv_sec * SIMK_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static struct simk_timespec ns_to_ts(uint64_t ns)
{
	return (struct simk_timespec){(int64_t)(ns / SIMK_NSEC_PER_SEC),
				      (int64_t)(ns % SIMK_NSEC_PER_SEC)};
}

static struct simk_itimerspec timer_current(const struct ptimer *t)
{
	struct simk_itimerspec cur = {0};
	cur.it_interval = ns_to_ts(t->interval_ns);
	if (t->armed) {
		uint64_t now = sim_now();
		/* A due expiration not yet run reports 1 ns left, never 0
		 * (0 means disarmed). */
		cur.it_value = ns_to_ts(t->expire_ns > now ? t->expire_ns - now : 1);
	}
	return cur;
}

int sys_timer_settime(int timerid, int flags, uaddr_t new_value, uaddr_t old_value)
{
	struct simk_proc *p = sim_proc_current();
	struct ptimer *t = timer_find(p, timerid);
	if (t == NULL || (flags & ~SIMK_TIMER_ABSTIME))
		return -EINVAL;
	struct simk_itimerspec its;
	if (copyin(new_value, &its, sizeof(its)) != 0)
		return -EFAULT;
	if (!ts_valid(&its.it_value) || !ts_valid(&its.it_interval))
		return -EINVAL;
	/* Linux and illumos set the timer, then report a faulting old_value
	 * with EFAULT: the new setting stands. */
	struct simk_itimerspec old = timer_current(t);
	callout_stop(&t->co);
	t->armed = false;
	t->interval_ns = ts_to_ns(&its.it_interval);
	uint64_t v = ts_to_ns(&its.it_value);
	if (v != 0) {
		uint64_t now = sim_now();
		if (flags & SIMK_TIMER_ABSTIME)
			t->expire_ns = v > now ? v : now;
		else
			t->expire_ns = sim_time_add(now, v);
		t->armed = true;
		callout_reset_at(&t->co, t->expire_ns, timer_expire, t);
	}
	trace_emit(TR_INFO, "ptimer:settime", t->pid, t->id, (int64_t)t->expire_ns,
		   (int64_t)t->interval_ns);
	if (old_value != 0 && copyout(&old, old_value, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

int sys_timer_gettime(int timerid, uaddr_t cur)
{
	struct ptimer *t = timer_find(sim_proc_current(), timerid);
	if (t == NULL)
		return -EINVAL;
	struct simk_itimerspec its = timer_current(t);
	return copyout(&its, cur, sizeof(its)) != 0 ? -EFAULT : 0;
}

int sys_timer_getoverrun(int timerid)
{
	struct ptimer *t = timer_find(sim_proc_current(), timerid);
	if (t == NULL)
		return -EINVAL;
	struct ptimer_run *tr = ptr();
	spin_lock(&tr->lock);
	int v = t->overrun_last;
	spin_unlock(&tr->lock);
	return v;
}

int sys_timer_delete(int timerid)
{
	struct ptimer *t = timer_find(sim_proc_current(), timerid);
	if (t == NULL)
		return -EINVAL;
	timer_destroy(t);
	return 0;
}

/* ---- the subsystem -------------------------------------------------------------- */

static int ptimer_create(struct simk *s)
{
	struct ptimer_run *tr = sim_zalloc(sizeof(*tr));
	if (tr == NULL)
		return -1;
	spin_init(&tr->lock, "ptimer");
	list_init(&tr->timers);
	s->subsys[ptimer_subsys_slot] = tr;
	return 0;
}

/* The last thread of p exits (thread context): its timers are deleted. */
static void ptimer_proc_exit(struct simk_proc *p)
{
	sim_assert_may_sleep(__func__);
	struct ptimer_run *tr = ptr();
	for (int guard = 0;; guard++) {
		KASSERT(guard < PTIMER_TEARDOWN_ROUNDS_MAX, "timer teardown does not end");
		struct ptimer *found = NULL;
		for (struct list_node *n = tr->timers.next; n != &tr->timers; n = n->next) {
			struct ptimer *t = list_entry(n, struct ptimer, link);
			if (t->pid == p->pid) {
				found = t;
				break;
			}
		}
		if (found == NULL) {
			if (guard > 0)
				sim_opaque_leave();
			return;
		}
		if (guard == 0)
			sim_opaque_enter(); /* dfs: not annotated, global when it works */
		timer_destroy(found);
	}
}

static void ptimer_destroy(struct simk *s)
{
	free(s->subsys[ptimer_subsys_slot]);
	s->subsys[ptimer_subsys_slot] = NULL;
}

static int ptimer_leak_check(struct simk *s, char *msg, size_t len)
{
	struct ptimer_run *tr = s->subsys[ptimer_subsys_slot];
	if (tr != NULL && tr->live != 0) {
		snprintf(msg, len, "ptimer: %llu timers still allocated",
			 (unsigned long long)tr->live);
		return 1;
	}
	return 0;
}

static const struct sim_subsys ptimer_subsys = {
    .name = "ptimer",
    .create = ptimer_create,
    .proc_exit = ptimer_proc_exit,
    .destroy = ptimer_destroy,
    .leak_check = ptimer_leak_check,
    .lazy = true, /* made at first use: most runs never touch it */
};

void ptimer_register(void)
{
	ptimer_subsys_slot = sim_subsys_register(&ptimer_subsys);
}
