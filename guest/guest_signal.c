/*
 * <signal.h> for guests: dispositions (sigaction, signal), masks
 * (sigprocmask, pthread_sigmask), sending (kill, raise, pthread_kill,
 * sigqueue), waiting (sigwait, sigwaitinfo, sigtimedwait, sigsuspend,
 * pause) and alarm, over the simulated kernel's signals (kern/signal.c:
 * pending sets, masks, the ignore disposition, interrupted sleeps).
 *
 * The kernel runs no handler; the runtime does, where a kernel would: on
 * the way back to user mode. Every runtime call that returns through
 * GUEST_RET (guest.h) checks whether the thread has a pending signal it
 * does not block and, if so, takes it (a traced primitive, so `explore`
 * sees it) and acts on it before the call returns to the guest:
 *  - a handler runs on the thread's stack with the action's mask added
 *    (and the signal itself unless SA_NODEFER), then the mask is put back;
 *  - SIG_DFL of a signal whose default is to end the process ends it as
 *    killed by that signal (wait status: the signal in the low bits, the
 *    run fails "killed by SIGTERM"); the other threads get SIGKILL;
 *  - signals whose default is to be ignored (SIGCHLD, SIGURG, SIGWINCH,
 *    SIGCONT; the stop signals: there is no job control), and SIG_IGN,
 *    are ignored in the kernel, so they are never pending.
 * A blocking call interrupted for a handler returns EINTR, or starts
 * again when it is one Linux restarts (signal(7)) and every handler that
 * ran had SA_RESTART (GUEST_RESTARTABLE).
 *
 * The dispositions are per run, which is one process (struct guest_run).
 * Signal sets: glibc's sigset_t; signals 1..64 are its first 64 bits,
 * which is the kernel's mask layout, so sets go to the kernel as they are.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "guest/guest.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "simk/proc.h"
#include "simk/ptimer.h"
#include "simk/sigevent.h"

#define FAMILY "signal.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))
#define A(p) ((int64_t)(uintptr_t)(p))
#define NS 1000000000LL

_Static_assert(SIMK_NSIG == GUEST_NSIG, "signal numbers");

#define PRIM_DESC(var, nm, handler, n, ...)                                                        \
	static const struct syscall_desc var = {                                                   \
	    .name = nm, .subsys = "guest", .fn = handler, .nargs = n, .arg = {__VA_ARGS__}}

static uint64_t bit(int sig)
{
	return 1ULL << (sig - 1);
}

#define UNBLOCKABLE (bit(SIGKILL) | bit(SIGSTOP))

/* glibc keeps 32 and 33 for itself (SIGCANCEL, SIGSETXID): its sigaction
 * and sigaddset refuse them, and so does simk. */
static bool sig_user(int sig)
{
	return sig >= 1 && sig <= GUEST_NSIG && sig != 32 && sig != 33;
}

/* The default action is to ignore it (stop signals too: no job control). */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
	       sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Signals ignored in the kernel while their disposition is SIG_DFL:
 * every run starts with them (guest_sig_run_init). */
static uint64_t default_ignore_set(void)
{
	uint64_t s = 0;
	for (int sig = 1; sig <= GUEST_NSIG; sig++)
		if (default_ignored(sig) && !(bit(sig) & UNBLOCKABLE))
			s |= bit(sig);
	return s;
}

void guest_sig_run_init(struct guest_run *r)
{
	r->proc->sigignore |= default_ignore_set();
	waitq_init(&r->sig_wq, "signal");
}

static uint64_t set_bits(const sigset_t *set)
{
	uint64_t b;
	memcpy(&b, set, sizeof(b));
	return b;
}

/* ---- delivery ------------------------------------------------------------------- */

/* What h_take hands back to the runtime: the action to run. */
struct taken {
	struct siginfo_sim info;
	struct guest_sigact act;
	uint64_t oldmask;
};

enum { TAKE_NONE = 0, TAKE_DISCARDED = -1 };

/* A thread-directed signal carries no siginfo in the kernel: raise and
 * pthread_kill are tgkill's, SI_TKILL from the process itself. */
static void tkill_info(const struct simk_thread *t, struct siginfo_sim *info)
{
	if (info->code == SIMK_SI_USER && info->sender_pid == 0) {
		info->code = SI_TKILL;
		info->sender_pid = t->proc->pid;
	}
}

/* The process dies of sig: the other threads get SIGKILL (they end at
 * their next return from the kernel), the caller ends now. */
static _Noreturn void killed_by(struct guest_run *r, struct simk_thread *t, int sig)
{
	if (r->termsig == 0) {
		r->termsig = sig;
		r->exit_status = 128 + sig;
	}
	struct simk_proc *p = t->proc;
	for (struct list_node *n = p->threads.next; n != &p->threads; n = n->next) {
		struct simk_thread *o = list_entry(n, struct simk_thread, pl);
		if (o != t && o->state != TS_ZOMBIE)
			(void)sig_kill_thread(o, SIGKILL);
	}
	proc_thread_killed(sig);
}

/* Takes the lowest pending signal the thread does not block and, for a
 * handler, switches to the handler's mask. Returns the signal,
 * TAKE_DISCARDED or TAKE_NONE. */
static int64_t h_take(const int64_t *a)
{
	struct taken *tk = (struct taken *)(uintptr_t)a[0];
	struct guest_run *r = guest_run_current();
	struct simk_thread *t = sim_thread_current();
	if ((t->sigpending | t->proc->sigpending) & bit(SIGKILL))
		return TAKE_NONE; /* the process is ending: the kernel ends the thread */
	bool to_thread = (t->sigpending & ~t->sigmask) != 0; /* sig_dequeue takes those first */
	int sig = sig_dequeue(&tk->info);
	if (sig == 0)
		return TAKE_NONE;
	if (to_thread)
		tkill_info(t, &tk->info);
	struct guest_sigact *act = &r->sigact[sig];
	if (act->handler == (uintptr_t)SIG_IGN)
		return TAKE_DISCARDED;
	if (act->handler == (uintptr_t)SIG_DFL) {
		if (default_ignored(sig))
			return TAKE_DISCARDED;
		killed_by(r, t, sig);
	}
	tk->act = *act;
	if (act->flags & SA_RESETHAND) {
		act->handler = (uintptr_t)SIG_DFL;
		act->flags &= ~SA_SIGINFO;
		if (default_ignored(sig))
			(void)sig_ignore(t->proc, sig, true);
	}
	uint64_t mask = t->sigmask | act->mask;
	if (!(act->flags & SA_NODEFER))
		mask |= bit(sig);
	(void)sig_procmask(SIMK_SIG_SETMASK, mask, &tk->oldmask);
	return sig;
}
PRIM_DESC(desc_take, "signal_deliver", h_take, 1, SA_HOST);

/* Where a handler's frames start: this far below the guest frame that
 * made the interrupted call, past every frame of the runtime's (whose
 * sizes differ between builds), so the handler's stack addresses — which
 * the trace shows when it passes a local to a call — are the same in
 * every build, as the guest's own are (guest_thread.c). */
#define HANDLER_GAP (32 * 1024)

/* Where the runtime's kernel-visible bytes of a delivery go: its own
 * corner of the thread's scratch (the interrupted call may still need
 * the rest), at a fixed address for the trace. */
#define SIG_SCRATCH 3072

/* Runs the handler of tk in user mode, on the stack at user_sp -
 * HANDLER_GAP, then restores the mask. */
static void run_handler(struct guest_thread *gt, int sig, struct taken *tk, uintptr_t user_sp)
{
	/* the frame a kernel builds: siginfo and context above the handler's
	 * stack, at fixed places too */
	struct frame {
		siginfo_t si;
		ucontext_t uc;
	} *f = (struct frame *)((user_sp - HANDLER_GAP) & ~(uintptr_t)63);
	char *sp = (char *)f;
	if ((char *)__builtin_frame_address(0) - 2048 < (char *)(f + 1) ||
	    sp < (char *)gt->stack_lo + 4096)
		guest_fail(gt, "%s: no stack left to run the handler of %s (%d nested handlers?)",
			   gt->call, sig_name(sig), GUEST_STACK_SIZE / HANDLER_GAP);
	memset(f, 0, sizeof(*f));
	f->si.si_signo = sig;
	f->si.si_code = tk->info.code;
	f->si.si_pid = tk->info.sender_pid;
	f->si.si_uid = 0;
	f->si.si_value.sival_ptr = (void *)(intptr_t)tk->info.value;
	/* called straight from the trampoline, as main is: (sig, info, context) */
	int (*fn)(int, char **, char **) = (int (*)(int, char **, char **))tk->act.handler;
	gt->kernel--;
	if (tk->act.flags & SA_SIGINFO)
		(void)guest_call_main_on_stack(fn, sig, (char **)(void *)&f->si,
					       (char **)(void *)&f->uc, sp);
	else
		(void)guest_call_main_on_stack(fn, sig, NULL, NULL, sp);
	gt->kernel++;
	memcpy(gt->scratch + SIG_SCRATCH, &tk->oldmask, sizeof(tk->oldmask));
	(void)simk_sigprocmask(SIMK_SIG_SETMASK, U(gt->scratch + SIG_SCRATCH), 0);
}

/* Delivers what is pending; returns how many handlers ran and whether all
 * of them had SA_RESTART. */
static int deliver(struct guest_thread *gt, bool *all_restart)
{
	int ran = 0;
	*all_restart = true;
	gt->entering = false;
	uintptr_t user_sp = gt->user_sp; /* the handlers' own calls change it */
	/* the interrupted runtime call may have bytes in flight in the
	 * scratch buffer (a printf's text on its way to write): the handlers'
	 * calls use it too, so it is put back as it was (a copy per level:
	 * handlers nest) */
	unsigned char saved[GUEST_SCRATCH_SIZE];
	memcpy(saved, gt->scratch, sizeof(saved));
	gt->kernel++;
	for (int n = 0; n < 4 * GUEST_NSIG && thread_signal_pending(gt->t); n++) {
		struct taken tk;
		int64_t sig = syscall_invoke(&desc_take, (const int64_t[]){A(&tk)});
		if (sig == TAKE_NONE)
			break;
		if (sig == TAKE_DISCARDED)
			continue;
		if (!(tk.act.flags & SA_RESTART))
			*all_restart = false;
		run_handler(gt, (int)sig, &tk, user_sp);
		gt->user_sp = user_sp;
		ran++;
	}
	gt->kernel--;
	memcpy(gt->scratch, saved, sizeof(saved));
	return ran;
}

/* The switch point before a system call's entry (kern/syscall.h): a
 * signal sent while the thread waited there reached it in user mode, just
 * before the call, so its handler runs first and the call then starts as
 * usual (a pause() then sleeps: the lost-signal race is real). Only at
 * the first system call of a runtime call made from user mode: later ones
 * are the runtime's own steps. */
static void entry_hook(struct simk_thread *t)
{
	/* set only while a guest's run exists (guest_sig_hook) */
	struct guest_run *r = sim_cur()->subsys[guest_subsys_slot];
	if (r == NULL)
		return;
	struct guest_thread *gt = guest_thread_of(r, t->tid);
	if (gt == NULL || !gt->entering || gt->kernel != 1)
		return;
	if (r->fs_busy)
		return; /* mounting the root: a handler's file call would wait for itself */
	gt->entering = false;
	if (!guest_sig_pending(t))
		return;
	bool all_restart;
	gt->kernel = 0;
	(void)deliver(gt, &all_restart);
	gt->kernel = 1;
}

void guest_sig_hook(bool on)
{
	syscall_set_entry_hook(on ? entry_hook : NULL);
}

void guest_sig_deliver(struct guest_thread *gt)
{
	bool all_restart;
	if (guest_run_of(gt) != NULL)
		(void)deliver(gt, &all_restart);
}

bool guest_sig_restart(struct guest_thread *gt)
{
	if (guest_run_of(gt) == NULL)
		return false;
	bool all_restart = true;
	int k = gt->kernel;
	gt->kernel = 0; /* the handlers run in user mode */
	int ran = thread_signal_pending(gt->t) ? deliver(gt, &all_restart) : 0;
	gt->kernel = k;
	return ran == 0 || all_restart;
}

/* ---- dispositions --------------------------------------------------------------- */

static int64_t h_sigaction(const int64_t *a)
{
	int sig = (int)a[0];
	const struct sigaction *act = (const struct sigaction *)(uintptr_t)a[1];
	struct sigaction *oact = (struct sigaction *)(uintptr_t)a[2];
	struct guest_run *r = guest_run_current();
	struct guest_sigact old = r->sigact[sig];
	if (act != NULL) {
		struct guest_sigact n = {(uintptr_t)act->sa_handler, act->sa_flags,
					 set_bits(&act->sa_mask) & ~UNBLOCKABLE};
		if (n.flags & SA_SIGINFO)
			n.handler = (uintptr_t)act->sa_sigaction;
		bool ignore = n.handler == (uintptr_t)SIG_IGN ||
			      (n.handler == (uintptr_t)SIG_DFL && default_ignored(sig));
		int e = sig_ignore(r->proc, sig, ignore);
		if (e != 0)
			return e;
		r->sigact[sig] = n;
	}
	if (oact != NULL) {
		memset(oact, 0, sizeof(*oact));
		if (old.flags & SA_SIGINFO)
			oact->sa_sigaction = (void (*)(int, siginfo_t *, void *))old.handler;
		else
			oact->sa_handler = (void (*)(int))old.handler;
		oact->sa_flags = old.flags;
		memcpy(&oact->sa_mask, &old.mask, sizeof(old.mask));
	}
	return 0;
}
PRIM_DESC(desc_sigaction, "sigaction", h_sigaction, 3, SA_INT, SA_UPTR, SA_UPTR);

static int do_sigaction(struct guest_thread *gt, int sig, const struct sigaction *act,
			struct sigaction *oact)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return -EPERM;
	if (!sig_user(sig) || (act != NULL && (bit(sig) & UNBLOCKABLE)))
		return -EINVAL;
	if (act != NULL && !guest_user_readable(r, act, sizeof(*act)))
		return -EFAULT;
	if (oact != NULL && !guest_user_writable(r, oact, sizeof(*oact)))
		return -EFAULT;
	return (int)syscall_invoke(&desc_sigaction, (const int64_t[]){sig, A(act), A(oact)});
}

int __wrap_sigaction(int sig, const struct sigaction *act, struct sigaction *oact)
{
	GUEST_ENTER("sigaction");
	return (int)GUEST_RET(do_sigaction(gt_, sig, act, oact));
}

/* glibc's signal(): BSD semantics, the handler stays and calls restart. */
sighandler_t __wrap_signal(int sig, sighandler_t handler)
{
	GUEST_ENTER("signal");
	/* in the scratch buffer: the kernel sees their addresses (the trace) */
	struct sigaction *act = (struct sigaction *)(void *)gt_->scratch;
	struct sigaction *old = act + 1;
	memset(act, 0, sizeof(*act));
	act->sa_handler = handler;
	act->sa_flags = SA_RESTART;
	int e = do_sigaction(gt_, sig, act, old);
	sighandler_t prev = old->sa_handler;
	if (GUEST_RET(e) < 0)
		return SIG_ERR;
	return prev;
}

/* ---- masks ---------------------------------------------------------------------- */

int __wrap_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	GUEST_ENTER("sigprocmask");
	return (int)GUEST_RET(simk_sigprocmask(how, U(set), U(old)));
}

int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	GUEST_ENTER("pthread_sigmask");
	int r = simk_sigprocmask(how, U(set), U(old));
	(void)GUEST_RET(0);
	return -r;
}

/* The pending signals the thread blocks (the others are delivered). */
int __wrap_sigpending(sigset_t *set)
{
	GUEST_ENTER("sigpending");
	int r = simk_sigpending(U(set));
	if (r == 0) {
		uint64_t b = set_bits(set) & gt_->t->sigmask;
		memcpy(set, &b, sizeof(b));
	}
	return (int)GUEST_RET(r);
}

/* ---- sending -------------------------------------------------------------------- */

/* Process groups are not modelled: pid 0 and -1 name the caller, and so
 * does -pid; another pid is that process (a forked child, a parent). */
int __wrap_kill(pid_t pid, int sig)
{
	GUEST_ENTER("kill");
	if (sig < 0 || sig > GUEST_NSIG)
		return (int)GUEST_RET(-EINVAL);
	int self = simk_getpid();
	if (pid == 0 || pid == -1 || pid == -self)
		pid = self;
	else if (pid < 0)
		return (int)GUEST_RET(-ESRCH);
	return (int)GUEST_RET(simk_kill(pid, sig));
}

int __wrap_raise(int sig)
{
	GUEST_ENTER("raise");
	return (int)GUEST_RET(simk_tkill(gt_->tid, sig));
}

int __wrap_pthread_kill(pthread_t th, int sig)
{
	GUEST_ENTER("pthread_kill");
	struct guest_run *r = guest_run_of(gt_);
	int r_ = -ESRCH;
	if (sig < 0 || sig > GUEST_NSIG)
		r_ = -EINVAL;
	else if (r != NULL && th > 0 && th < (pthread_t)INT32_MAX) {
		/* a thread that returned (or was joined) is gone for signals,
		 * even while its simulated thread is still ending */
		const struct guest_thread *target = guest_thread_of(r, (int)th);
		if (target != NULL && !target->finished && !target->exited && !target->joined)
			r_ = simk_tkill((int)th, sig);
	}
	(void)GUEST_RET(0);
	return -r_;
}

static int64_t h_sigqueue(const int64_t *a)
{
	struct simk_proc *p = a[0] > 0 && a[0] <= SIM_MAX_PROCS ? sim_proc_by_pid((int)a[0]) : NULL;
	if (p == NULL || p->exited)
		return -ESRCH;
	if (a[1] == 0)
		return 0;
	struct siginfo_sim info = {(int)a[1], SIMK_SI_QUEUE, a[2], sim_proc_current()->pid};
	return sig_queue_proc(p, &info);
}
PRIM_DESC(desc_sigqueue, "sigqueue", h_sigqueue, 3, SA_INT, SA_INT, SA_INT);

int __wrap_sigqueue(pid_t pid, int sig, const union sigval value)
{
	GUEST_ENTER("sigqueue");
	if (sig < 0 || sig > GUEST_NSIG)
		return (int)GUEST_RET(-EINVAL);
	return (int)GUEST_RET(
	    syscall_invoke(&desc_sigqueue, (const int64_t[]){pid, sig, A(value.sival_ptr)}));
}

/* ---- waiting -------------------------------------------------------------------- */

/* The run's waitq nobody wakes: the sleeps below end by a signal or a
 * timeout. What the thread waits for goes to deadlock reports. */
static struct waitq *sleep_wq(const char *what)
{
	struct guest_thread *gt = guest_current();
	if (gt != NULL)
		snprintf(gt->waits, sizeof(gt->waits), "waits for a signal (%s)", what);
	return &guest_run_current()->sig_wq;
}

static void slept(void)
{
	struct guest_thread *gt = guest_current();
	if (gt != NULL)
		gt->waits[0] = '\0';
}

/* Takes the lowest pending signal of want (the thread's, then the
 * process's), whatever the mask; 0 if none. */
static int take_from(struct simk_thread *t, uint64_t want, struct siginfo_sim *info)
{
	uint64_t pending = (t->sigpending | t->proc->sigpending) & want;
	if (pending == 0)
		return 0;
	bool to_thread = (t->sigpending & want) != 0;
	uint64_t old;
	(void)sig_procmask(SIMK_SIG_SETMASK, ~want, &old);
	int sig = sig_dequeue(info);
	if (to_thread)
		tkill_info(t, info);
	(void)sig_procmask(SIMK_SIG_SETMASK, old, NULL);
	return sig;
}

/* sigtimedwait: a[0] the set, a[1] a struct siginfo_sim out, a[2] the
 * timeout in ns (-1: none). While it sleeps the set is unblocked, as on
 * Linux, so a signal of the set wakes it; another unblocked signal
 * interrupts it (EINTR, its handler runs on the way out). */
static int64_t h_sigwait(const int64_t *a)
{
	uint64_t want = (uint64_t)a[0] & ~UNBLOCKABLE;
	struct siginfo_sim *info = (struct siginfo_sim *)(uintptr_t)a[1];
	int64_t timeout = a[2];
	struct simk_thread *t = sim_thread_current();
	int sig = take_from(t, want, info);
	if (sig != 0)
		return sig;
	if (timeout == 0)
		return -EAGAIN;
	uint64_t old;
	(void)sig_procmask(SIMK_SIG_SETMASK, t->sigmask & ~want, &old);
	int w = waitq_sleep(sleep_wq("sigwait"), false, true,
			    timeout < 0 ? SIMK_FOREVER : (uint64_t)timeout);
	slept();
	(void)sig_procmask(SIMK_SIG_SETMASK, old, NULL);
	sig = take_from(t, want, info);
	if (sig != 0)
		return sig;
	return w == -ETIMEDOUT ? -EAGAIN : -EINTR;
}
PRIM_DESC(desc_sigwait, "sigtimedwait", h_sigwait, 3, SA_INT, SA_HOST, SA_INT);

static void fill_siginfo(siginfo_t *si, const struct siginfo_sim *k)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = k->signo;
	si->si_code = k->code;
	si->si_pid = k->sender_pid;
	si->si_value.sival_ptr = (void *)(intptr_t)k->value;
}

static int64_t sigwait_common(struct guest_thread *gt, const sigset_t *set, siginfo_t *info,
			      const struct timespec *ts)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return -EPERM;
	if (set == NULL || !guest_user_readable(r, set, sizeof(uint64_t)))
		return -EFAULT;
	if (info != NULL && !guest_user_writable(r, info, sizeof(*info)))
		return -EFAULT;
	int64_t timeout = -1;
	if (ts != NULL) {
		if (!guest_user_readable(r, ts, sizeof(*ts)))
			return -EFAULT;
		if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS)
			return -EINVAL;
		timeout = ts->tv_sec > (time_t)(INT64_MAX / NS - 1) ? INT64_MAX
								   : ts->tv_sec * NS + ts->tv_nsec;
	}
	struct siginfo_sim k;
	int64_t sig = syscall_invoke(&desc_sigwait, (const int64_t[]){(int64_t)set_bits(set),
								       A(&k), timeout});
	if (sig > 0 && info != NULL)
		fill_siginfo(info, &k);
	return sig;
}

int __wrap_sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts)
{
	GUEST_ENTER("sigtimedwait");
	return (int)GUEST_RET(sigwait_common(gt_, set, info, ts));
}

int __wrap_sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	GUEST_ENTER("sigwaitinfo");
	return (int)GUEST_RET(sigwait_common(gt_, set, info, NULL));
}

/* sigwait returns the error number. */
int __wrap_sigwait(const sigset_t *set, int *sig)
{
	GUEST_ENTER("sigwait");
	struct guest_run *r = guest_run_of(gt_);
	int64_t s;
	if (r != NULL && sig != NULL && !guest_user_writable(r, sig, sizeof(*sig)))
		s = -EFAULT;
	else
		do /* never EINTR (POSIX): glibc waits again after the handlers */
			s = sigwait_common(gt_, set, NULL, NULL);
		while (s == -EINTR && (guest_sig_restart(gt_) || true));
	(void)GUEST_RET(0);
	if (s < 0)
		return (int)-s;
	if (sig != NULL)
		*sig = (int)s;
	return 0;
}

/* Sleeps interruptibly until a signal the mask a[0] does not block is
 * pending, with that mask; the caller's mask is put back by the caller
 * once the handlers ran (a[1]: where the old mask goes). -EINTR. */
static int64_t h_suspend(const int64_t *a)
{
	uint64_t *old = (uint64_t *)(uintptr_t)a[1];
	(void)sig_procmask(SIMK_SIG_SETMASK, (uint64_t)a[0], old);
	(void)waitq_sleep(sleep_wq(a[2] ? "sigsuspend" : "pause"), false, true, SIMK_FOREVER);
	slept();
	return -EINTR;
}
PRIM_DESC(desc_suspend, "sigsuspend", h_suspend, 3, SA_INT, SA_HOST, SA_INT);
PRIM_DESC(desc_pause, "pause", h_suspend, 3, SA_INT, SA_HOST, SA_INT);

int __wrap_sigsuspend(const sigset_t *mask)
{
	GUEST_ENTER("sigsuspend");
	struct guest_run *r = guest_run_of(gt_);
	if (r == NULL || mask == NULL || !guest_user_readable(r, mask, sizeof(uint64_t)))
		return (int)GUEST_RET(-EFAULT);
	uint64_t old = 0;
	int64_t e = syscall_invoke(&desc_suspend, (const int64_t[]){(int64_t)set_bits(mask), A(&old), 1});
	/* the handlers run with the temporary mask, then the old one is back */
	GUEST_LEAVE();
	guest_sig_deliver(gt_);
	gt_->kernel++;
	memcpy(gt_->scratch + SIG_SCRATCH, &old, sizeof(old));
	(void)simk_sigprocmask(SIMK_SIG_SETMASK, U(gt_->scratch + SIG_SCRATCH), 0);
	return (int)GUEST_RET(e);
}

int __wrap_pause(void)
{
	GUEST_ENTER("pause");
	uint64_t old = 0;
	int64_t e = syscall_invoke(&desc_pause, (const int64_t[]){(int64_t)gt_->t->sigmask, A(&old), 0});
	return (int)GUEST_RET(e);
}

/* ---- alarm ---------------------------------------------------------------------- */

/* SIGALRM after secs seconds of virtual time: a kernel POSIX timer of the
 * process (made at the first call), so it is the kernel's timer wheel
 * that fires it. Returns the seconds left of the previous alarm, rounded
 * as Linux rounds them (up from half a second, and never 0 for time left). */
unsigned __wrap_alarm(unsigned secs)
{
	GUEST_ENTER("alarm");
	struct guest_run *r = guest_run_of(gt_);
	if (r == NULL) {
		GUEST_LEAVE();
		return 0;
	}
	struct simk_sigevent *ev = (struct simk_sigevent *)(void *)gt_->scratch;
	struct simk_itimerspec *val = (struct simk_itimerspec *)(void *)(gt_->scratch + 64);
	struct simk_itimerspec *old = (struct simk_itimerspec *)(void *)(gt_->scratch + 128);
	int32_t *id = (int32_t *)(void *)(gt_->scratch + 192);
	if (r->alarm_timer == 0) {
		memset(ev, 0, sizeof(*ev));
		ev->sigev_notify = SIMK_SIGEV_SIGNAL;
		ev->sigev_signo = SIGALRM;
		if (simk_timer_create(SIMK_CLOCK_REALTIME, U(ev), U(id)) != 0) {
			GUEST_LEAVE();
			return 0;
		}
		r->alarm_timer = *id + 1;
	}
	memset(val, 0, sizeof(*val));
	memset(old, 0, sizeof(*old));
	val->it_value.tv_sec = secs;
	(void)simk_timer_settime(r->alarm_timer - 1, 0, U(val), U(old));
	unsigned left = (unsigned)old->it_value.tv_sec;
	if ((left == 0 && old->it_value.tv_nsec > 0) || old->it_value.tv_nsec >= NS / 2)
		left++;
	(void)GUEST_RET(0);
	return left;
}

/* ---- glibc's real-time signal range ---------------------------------------------- */

int __wrap___libc_current_sigrtmin(void)
{
	return SIMK_SIGRTMIN;
}

int __wrap___libc_current_sigrtmax(void)
{
	return SIMK_NSIG;
}

const struct guest_call guest_calls_signal[] = {
    GUEST_WRAP(sigaction, "SA_SIGINFO, SA_RESTART, SA_RESETHAND, SA_NODEFER; SA_ONSTACK and "
			  "SA_NOCLDSTOP are accepted and do nothing; ucontext is zeroed"),
    GUEST_WRAP(signal, "glibc's BSD semantics: SA_RESTART, the handler stays"),
    GUEST_WRAP(sigprocmask, ""),
    GUEST_WRAP(pthread_sigmask, ""),
    GUEST_WRAP(sigpending, ""),
    GUEST_WRAP(kill, "any pid; pid 0, -1 and -getpid() name the caller (no process groups)"),
    GUEST_WRAP(raise, "a signal to the calling thread (tgkill)"),
    GUEST_WRAP(pthread_kill, "ESRCH for a thread that exited"),
    GUEST_WRAP(sigqueue, "at most 32 queued values per process (EAGAIN)"),
    GUEST_WRAP(sigwait, ""),
    GUEST_WRAP(sigwaitinfo, "si_signo, si_code, si_pid, si_value; si_uid is 0"),
    GUEST_WRAP(sigtimedwait, "the timeout is virtual"),
    GUEST_WRAP(sigsuspend, ""),
    GUEST_WRAP(pause, ""),
    GUEST_WRAP(alarm, "virtual seconds (a kernel POSIX timer)"),
    GUEST_WRAP(__libc_current_sigrtmin, "SIGRTMIN is 34"),
    GUEST_WRAP(__libc_current_sigrtmax, "SIGRTMAX is 64"),
};
const int guest_calls_signal_n = GUEST_NCALLS(guest_calls_signal);
