/*
 * Processes and threads above the engine: fork, exit, wait, zombies,
 * thread create and join, process observers and fork hooks.
 *
 * The invariant: the engine marks a process exited only after every
 * subsystem's proc_exit hook ran, and a thread zombie only after its
 * thread_exit hooks ran and (for the last thread) the proc_exit hooks,
 * which may sleep. Waiters therefore never test the engine's flags: kern's
 * own hooks record "dead" (per pid) and "exited" (per tid) and then wake
 * the waiters, so a joiner or a parent in proc_wait that runs while the
 * exit is still unwinding sees the final state, and no wake-up is lost.
 *
 * Zombies: a dead process stays a zombie until its parent reaps it with
 * proc_wait. A process without a parent (made by simk_proc_create, or the
 * kernel process) or whose parent died first is reaped at death, like
 * children re-parented to an init that always waits.
 */
#include "kern/proc.h"

#include <errno.h>
#include <stdio.h>

#include "kern/kern_priv.h"
#include "kern/rlimit.h"
#include "sim/access.h"
#include "kern/signal.h"
#include "kern/umem.h"

#define PROC_OBSERVERS_MAX 16
#define FORK_HOOKS_MAX 16

/* Engine (sim/sim.c): runs every subsystem's proc_exit hook. */

/* Per host process: registered once, in a fixed order, by upper layers. */
static proc_observer_fn observers[PROC_OBSERVERS_MAX];
static int nobservers;
static proc_fork_hook_fn fork_hooks[FORK_HOOKS_MAX];
static int nfork_hooks;

void proc_register_observer(proc_observer_fn fn)
{
	for (int i = 0; i < nobservers; i++)
		if (observers[i] == fn)
			return;
	KASSERT(nobservers < PROC_OBSERVERS_MAX, "too many process observers");
	observers[nobservers++] = fn;
}

void proc_register_fork_hook(proc_fork_hook_fn fn)
{
	for (int i = 0; i < nfork_hooks; i++)
		if (fork_hooks[i] == fn)
			return;
	KASSERT(nfork_hooks < FORK_HOOKS_MAX, "too many fork hooks");
	fork_hooks[nfork_hooks++] = fn;
}

static void notify(struct simk_proc *p, enum proc_event ev, int arg)
{
	for (int i = 0; i < nobservers; i++)
		observers[i](p, ev, arg);
}

/* Any context. The kernel process and the system work queue (one worker)
 * are made on first use, so runs that never need them keep their pids. */
struct simk_proc *kernel_proc(void)
{
	struct kern_state *ks = kern_st();
	if (ks->kproc != NULL)
		return ks->kproc;
	sim_access_global(); /* the kernel process and its work queue come to be */
	KASSERT(!ks->creating_kproc, "kernel process created recursively");
	ks->creating_kproc = true;
	ks->kproc = sim_proc_create_internal("kernel", NULL);
	if (ks->kproc == NULL)
		sim_panic("cannot create the kernel process");
	kern_pinfo(ks->kproc->pid);
	ks->syswq = kwq_create_system();
	ks->creating_kproc = false;
	return ks->kproc;
}

int proc_ppid(const struct simk_proc *p)
{
	return p != NULL && p->parent != NULL ? p->parent->pid : 0;
}

bool proc_is_zombie(const struct simk_proc *p)
{
	const struct kproc_info *pi = kern_pinfo(p->pid);
	return pi->dead && !pi->reaped;
}

/* thread_exit hook (thread context of t, before it is a zombie). */
void kproc_thread_exit(struct simk_thread *t)
{
	sim_assert_thread_context(__func__);
	sim_write(SIM_OID(SIM_OID_TEXIT, t->tid));
	*kern_thread_exited_slot(t->tid) = 1;
	waitq_wake_all(&kern_st()->thread_exit_wq);
}

/* proc_exit hook: the last thread of p exits (thread context). Also used
 * to undo a failed fork, where the child never ran (pinfo->reaped set). */
void kproc_proc_exit(struct simk_proc *p)
{
	sim_assert_thread_context(__func__);
	struct simk *s = sim_cur();
	struct kern_state *ks = kern_st();
	struct kproc_info *pi = kern_pinfo(p->pid);
	bool aborted_fork = pi->reaped;
	sim_write(SIM_OID(SIM_OID_PROC, p->pid));
	sim_read(SIM_OID_PROCS);
	struct simk_thread *t = sim_thread_current();
	int code = p->exit_status;
	if (!pi->exiting && code == 0 && t != NULL && t->proc == p)
		code = t->exit_code; /* its last thread returned: exit(code) */
	int status = pi->termsig != 0 ? SIMK_W_SIGNALED(pi->termsig) : SIMK_W_EXITED(code);
	pi->dead = true;
	pi->status = status;
	umem_release(p);
	for (int i = 0; i < s->nprocs; i++) {
		struct simk_proc *c = s->procs[i];
		if (c->parent != p)
			continue;
		sim_write(SIM_OID(SIM_OID_PROC, c->pid));
		c->parent = NULL; /* orphan: nobody will wait for it */
		struct kproc_info *ci = kern_pinfo(c->pid);
		if (ci->dead && !ci->reaped) {
			ci->reaped = true;
			trace_emit(TR_INFO, "kern:reap_orphan", c->pid, ci->status, 0, 0);
		}
	}
	if (p->parent != NULL)
		sim_read(SIM_OID(SIM_OID_PROC, p->parent->pid));
	if (p->parent == NULL || kern_pinfo(p->parent->pid)->dead)
		pi->reaped = true;
	if (!aborted_fork) {
		pi->exit_told = true;
		notify(p, PROC_EV_EXIT, status);
	}
	waitq_wake_all(&ks->child_wq);
}

/* A fork failed after the child existed: let every subsystem undo what its
 * fork hook copied, then bury the child (it never ran, nobody waits). */
static void fork_abort(struct simk_proc *child, int err)
{
	kern_pinfo(child->pid)->reaped = true;
	trace_emit(TR_INFO, "kern:fork_failed", child->pid, err, 0, 0);
	sim_subsys_proc_exit(child);
	child->exited = true;
	child->exit_status = err;
}

/* Thread context. The child inherits the parent's ignored signals, the
 * forking thread's signal mask, a copy of its user memory and whatever the
 * fork hooks copy (the fd table). */
int proc_fork(const char *name, simk_thread_fn fn, void *arg)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "proc_fork outside thread context");
	KASSERT(!sim_in_irq(), "proc_fork outside thread context");
	struct simk_proc *parent = cur->proc;
	sim_read(SIM_OID(SIM_OID_PROC_SIG, parent->pid)); /* sigignore is inherited */
	struct simk_proc *child = sim_proc_create_internal(name, parent);
	if (child == NULL)
		return -EAGAIN;
	kern_pinfo(child->pid);
	proc_rlimit_inherit(parent, child);
	child->sigignore = parent->sigignore;
	int r = umem_fork(parent, child);
	for (int i = 0; i < nfork_hooks && r == 0; i++)
		r = fork_hooks[i](parent, child);
	struct simk_thread *ct = NULL;
	if (r == 0) {
		ct = sim_thread_spawn(child, name, fn, arg, false);
		if (ct == NULL)
			r = -EAGAIN;
	}
	if (r != 0) {
		KASSERT(r < 0, "fork hook returned %d", r);
		fork_abort(child, r);
		return r;
	}
	ct->sigmask = cur->sigmask;
	trace_emit(TR_INFO, "kern:fork", parent->pid, child->pid, 0, 0);
	notify(parent, PROC_EV_FORK, child->pid);
	preempt_point(); /* the child may run first */
	return child->pid;
}

/* Any context. */
void proc_exec(struct simk_proc *p, const char *newname)
{
	if (newname != NULL)
		p->name_nh = sim_name_set(p->name, newname, NULL); /* its exit event's */
	trace_emit(TR_INFO, "kern:exec", p->pid, 0, 0, 0);
	notify(p, PROC_EV_EXEC, 0);
}

static bool only_caller_left(void *arg)
{
	const struct simk_proc *p = arg;
	sim_read(SIM_OID(SIM_OID_PROC_LIVE, p->pid));
	return p->nthreads_live == 1;
}

/*
 * Thread context. Threads are coroutines that cannot be unwound from
 * outside, so the other threads of the process are asked to end: each gets
 * SIGKILL (unblockable), which interrupts its interruptible sleeps now and
 * any later ones at once. The caller waits (uninterruptibly) until it is
 * the last thread, then exits with status. A thread that never returns
 * keeps the process alive, like a process stuck in an uninterruptible
 * sleep; the run then reports it.
 */
_Noreturn void proc_exit(int status)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "proc_exit outside thread context");
	KASSERT(!sim_in_irq(), "proc_exit outside thread context");
	struct simk_proc *p = cur->proc;
	struct kproc_info *pi = kern_pinfo(p->pid);
	trace_emit(TR_INFO, "kern:proc_exit", p->pid, status, 0, 0);
	if (pi->exiting || pi->termsig != 0) {
		/* another thread's exit (or a deadly signal) came first and
		 * decides the status; this thread just ends, as exit_group(2)
		 * does once the group is exiting (waiting for it would deadlock) */
		sim_thread_exit(status);
	}
	pi->exiting = true;
	sim_write(SIM_OID(SIM_OID_PROC_LIVE, p->pid)); /* the status it exits with */
	p->exit_status = status;
	int bound = 0;
	for (struct list_node *n = p->threads.next; n != &p->threads; n = n->next) {
		KASSERT(++bound <= SIM_MAX_THREADS, "thread list of %s loops", p->name);
		struct simk_thread *t = list_entry(n, struct simk_thread, pl);
		sim_read(SIM_OID(SIM_OID_TEXIT, t->tid));
		if (t != cur && t->state != TS_ZOMBIE && !*kern_thread_exited_slot(t->tid))
			sig_kill_thread(t, SIMK_SIGKILL);
	}
	waitq_wait(&kern_st()->thread_exit_wq, false, false, SIMK_FOREVER, only_caller_left, p);
	sim_thread_exit(status);
}

_Noreturn void proc_thread_killed(int sig)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "proc_thread_killed outside thread context");
	KASSERT(!sim_in_irq(), "proc_thread_killed outside thread context");
	KASSERT(sig > 0 && sig <= SIMK_NSIG, "killed by signal %d", sig);
	struct kproc_info *pi = kern_pinfo(cur->proc->pid);
	if (!pi->exiting && pi->termsig == 0) {
		pi->termsig = sig;
		trace_emit(TR_INFO, "kern:proc_killed", cur->proc->pid, sig, 0, 0);
	}
	sim_thread_exit(128 + sig);
}

bool proc_exit_told(int pid, int *status)
{
	const struct kproc_info *pi = kern_pinfo(pid);
	if (!pi->exit_told)
		return false;
	*status = pi->status;
	return true;
}

int proc_wait_status(const struct simk_proc *p)
{
	const struct kproc_info *pi = kern_pinfo(p->pid);
	return pi->dead ? pi->status : 0;
}

struct wait_req {
	struct simk_proc *parent;
	int pid;
	int result; /* 0: keep waiting; > 0 a zombie child; < 0 an errno */
};

static bool child_ready(void *arg)
{
	struct wait_req *wr = arg;
	struct simk *s = sim_cur();
	bool any = false;
	wr->result = 0;
	sim_read(SIM_OID_PROCS);
	for (int i = 0; i < s->nprocs; i++) {
		struct simk_proc *c = s->procs[i];
		sim_read(SIM_OID(SIM_OID_PROC, c->pid)); /* its parent, its death */
		if (c->parent != wr->parent || (wr->pid > 0 && c->pid != wr->pid))
			continue;
		const struct kproc_info *ci = kern_pinfo(c->pid);
		if (ci->reaped)
			continue;
		any = true;
		if (ci->dead) {
			wr->result = c->pid; /* lowest pid first */
			return true;
		}
	}
	if (!any)
		wr->result = -ECHILD;
	return !any;
}

/* Thread context; sleeps interruptibly. pid > 0: that child; otherwise any
 * child. The status stored is the wait(2) status word. */
int proc_wait(int pid, int *status)
{
	return proc_wait_opts(pid, status, false);
}

int proc_wait_opts(int pid, int *status, bool nohang)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "proc_wait outside thread context");
	KASSERT(!sim_in_irq(), "proc_wait outside thread context");
	struct wait_req wr = {cur->proc, pid, 0};
	if (nohang) {
		if (!child_ready(&wr))
			return 0; /* children, none dead yet */
	} else {
		int r = waitq_wait(&kern_st()->child_wq, false, true, SIMK_FOREVER, child_ready,
				   &wr);
		if (r != 0)
			return r;
	}
	if (wr.result < 0)
		return wr.result;
	struct kproc_info *ci = kern_pinfo(wr.result);
	KASSERT(ci->dead, "proc_wait picked pid %d that is no zombie", wr.result);
	KASSERT(!ci->reaped, "proc_wait picked pid %d that is no zombie", wr.result);
	sim_write(SIM_OID(SIM_OID_PROC, wr.result));
	ci->reaped = true;
	if (status != NULL)
		*status = ci->status;
	trace_emit(TR_INFO, "kern:reap", wr.result, ci->status, 0, 0);
	return wr.result;
}

/* Thread or host context. p NULL: the kernel process. A thread made by a
 * thread of the same process inherits its signal mask. NULL when p is dead
 * or the engine is out of threads. */
struct simk_thread *kthread_create(struct simk_proc *p, const char *name, simk_thread_fn fn,
				   void *arg, bool daemon)
{
	if (p == NULL)
		p = kernel_proc();
	sim_read(SIM_OID(SIM_OID_PROC, p->pid));
	if (p->exited || kern_pinfo(p->pid)->dead)
		return NULL;
	struct simk_thread *t = sim_thread_spawn(p, name, fn, arg, daemon);
	struct simk_thread *cur = sim_in_irq() ? NULL : sim_thread_current();
	if (t != NULL && cur != NULL && cur->proc == p)
		t->sigmask = cur->sigmask;
	return t;
}

static bool thread_gone(void *arg)
{
	const struct simk_thread *t = arg;
	sim_read(SIM_OID(SIM_OID_TEXIT, t->tid));
	return *kern_thread_exited_slot(t->tid) != 0;
}

/* Thread context; sleeps interruptibly (a signal returns -EINTR and the
 * thread can be joined again). 0 and t's exit code in *code. */
int kthread_join(struct simk_thread *t, int *code)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "kthread_join outside thread context");
	KASSERT(!sim_in_irq(), "kthread_join outside thread context");
	if (t == NULL || t == cur)
		return -EINVAL;
	sim_write(SIM_OID(SIM_OID_TEXIT, t->tid)); /* joined */
	if (t->joined)
		return -EINVAL;
	t->joined = true;
	int r = waitq_wait(&kern_st()->thread_exit_wq, false, true, SIMK_FOREVER, thread_gone, t);
	if (r != 0) {
		sim_write(SIM_OID(SIM_OID_TEXIT, t->tid));
		t->joined = false;
		return r;
	}
	if (code != NULL)
		*code = t->exit_code;
	return 0;
}
