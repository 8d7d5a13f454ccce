/*
 * Signals: pending sets, masks, the ignore disposition, queued siginfo and
 * observers. The kernel runs no handler; a pending signal matters because
 * it interrupts interruptible sleeps (-EINTR) and because sig_dequeue
 * hands it to whoever asks (a scenario's sigwait, a test, the guest
 * runtime, which runs guest handlers and default actions on the way back
 * to user mode: guest/guest_signal.c).
 *
 * The invariant: a signal is pending on a process iff its bit is set in
 * p->sigpending; the per-process siginfo queue (p->subsys[kern_subsys_slot],
 * bounded to SIGQ_MAX entries) only adds values to pending bits and never
 * holds an entry whose bit is clear. Standard signals (below SIGRTMIN)
 * coalesce: a second one while the first is pending adds nothing, as on
 * Linux. Real-time ones queue one entry each; when the queue is full,
 * sig_kill_proc still makes the signal pending (without a value) while
 * sig_queue_proc fails with -EAGAIN, as sigqueue(3) does.
 *
 * Which thread is interrupted: the first thread of the process, in
 * creation order, that does not block the signal and sleeps
 * interruptibly. A process-directed signal stays pending on the process;
 * any of its threads that does not block it may dequeue it.
 *
 * Deliberately not modelled: default actions (SIGKILL does not terminate;
 * a process that wants to die on it checks sig_pending), SIGCHLD on child
 * exit (kqueue's EVFILT_PROC uses process observers instead), stop/continue.
 * SIGKILL and SIGSTOP cannot be blocked or ignored.
 *
 * dfs: a process's signal state (pending, ignored, queued) is one object
 * (SIM_OID_PROC_SIG), a thread's (pending, mask) is the thread's object
 * (SIM_OID_THREAD, shared with its sleep state: a signal interrupts sleeps).
 */
#include "kern/signal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kern/kern_priv.h"
#include "kern/kmem.h"
#include "sim/access.h"

#define SIGQ_MAX 32
#define SIG_OBSERVERS_MAX 16
#define SIMK_SIGSTOP 19

struct sigq {
	int n;
	struct siginfo_sim q[SIGQ_MAX];
};

static KMEM_TYPE(kmt_sigq, "kern.sigqueue");

/* Per host process: registered once by the layers above, in fixed order. */
static sig_observer_fn observers[SIG_OBSERVERS_MAX];
static int nobservers;

static uint64_t sigbit(int signo)
{
	return 1ULL << (signo - 1);
}

#define SIG_UNBLOCKABLE (sigbit(SIMK_SIGKILL) | sigbit(SIMK_SIGSTOP))

static bool sig_valid(int signo)
{
	return signo >= 1 && signo <= SIMK_NSIG;
}

void sig_register_observer(sig_observer_fn fn)
{
	for (int i = 0; i < nobservers; i++)
		if (observers[i] == fn)
			return;
	KASSERT(nobservers < SIG_OBSERVERS_MAX, "too many signal observers");
	observers[nobservers++] = fn;
}

static void notify(struct simk_proc *p, int signo)
{
	for (int i = 0; i < nobservers; i++)
		observers[i](p, signo);
}

static bool proc_alive(const struct simk_proc *p)
{
	if (p != NULL)
		sim_read(SIM_OID(SIM_OID_PROC, p->pid));
	return p != NULL && !p->exited && !kern_pinfo(p->pid)->dead;
}

static int current_pid(void)
{
	struct simk_proc *p = sim_in_irq() ? NULL : sim_proc_current();
	return p != NULL ? p->pid : 0;
}

static struct sigq *sigq_of(struct simk_proc *p, bool create)
{
	struct sigq *sq = p->subsys[kern_subsys_slot];
	if (sq == NULL && create) {
		sq = kmem_zalloc(&kmt_sigq, sizeof(*sq));
		p->subsys[kern_subsys_slot] = sq;
	}
	return sq;
}

/* Interrupts the first thread of p that can take signo and sleeps
 * interruptibly. */
static void wake_one_taker(struct simk_proc *p, int signo)
{
	uint64_t b = sigbit(signo);
	int bound = 0;
	for (struct list_node *n = p->threads.next; n != &p->threads; n = n->next) {
		KASSERT(++bound <= SIM_MAX_THREADS, "thread list of %s loops", p->name);
		struct simk_thread *t = list_entry(n, struct simk_thread, pl);
		sim_read(SIM_OID(SIM_OID_THREAD, t->tid));
		if (t->state == TS_ZOMBIE || (t->sigmask & b))
			continue;
		if (t->sleep_prepared && t->interruptible) {
			thread_interrupt(t);
			return;
		}
	}
}

/* The trace's a3 for TR_SIGNAL: what became of the signal. */
enum sig_outcome { SIGO_PENDING = 0, SIGO_IGNORED = 1, SIGO_COALESCED = 2, SIGO_OVERFLOW = 3 };

static int send_proc(const char *op, struct simk_proc *p, const struct siginfo_sim *info,
		     bool must_queue)
{
	int signo = info->signo;
	if (signo == 0)
		return proc_alive(p) ? 0 : -ESRCH; /* existence check */
	if (!sig_valid(signo))
		return -EINVAL;
	if (!proc_alive(p))
		return -ESRCH;
	sim_write(SIM_OID(SIM_OID_PROC_SIG, p->pid));
	uint64_t b = sigbit(signo);
	if (p->sigignore & b) {
		trace_emit(TR_SIGNAL, op, signo, p->pid, 0, SIGO_IGNORED);
		notify(p, signo);
		return 0;
	}
	if (signo < SIMK_SIGRTMIN && (p->sigpending & b)) {
		trace_emit(TR_SIGNAL, op, signo, p->pid, 0, SIGO_COALESCED);
		notify(p, signo);
		return 0;
	}
	struct sigq *sq = sigq_of(p, true);
	if (sq != NULL && sq->n < SIGQ_MAX) {
		sq->q[sq->n++] = *info;
	} else if (must_queue) {
		trace_emit(TR_SIGNAL, op, signo, p->pid, 0, SIGO_OVERFLOW);
		return -EAGAIN;
	}
	p->sigpending |= b;
	trace_emit(TR_SIGNAL, op, signo, p->pid, 0, SIGO_PENDING);
	wake_one_taker(p, signo);
	notify(p, signo);
	return 0;
}

/* Any context. */
int sig_kill_proc(struct simk_proc *p, int signo)
{
	struct siginfo_sim info = {signo, SIMK_SI_USER, 0, current_pid()};
	return send_proc("kern:kill", p, &info, false);
}

/* Any context. info->code and value are kept; -EAGAIN when p already has
 * SIGQ_MAX queued signals (or the queue cannot be allocated). */
int sig_queue_proc(struct simk_proc *p, const struct siginfo_sim *info)
{
	if (info == NULL)
		return -EINVAL;
	return send_proc("kern:sigqueue", p, info, true);
}

/* Any context. Thread-directed: pending on t only, no queued value. */
int sig_kill_thread(struct simk_thread *t, int signo)
{
	if (signo != 0 && !sig_valid(signo))
		return -EINVAL;
	if (t != NULL)
		sim_read(SIM_OID(SIM_OID_TEXIT, t->tid));
	if (t == NULL || t->state == TS_ZOMBIE || *kern_thread_exited_slot(t->tid))
		return -ESRCH;
	if (signo == 0)
		return 0;
	struct simk_proc *p = t->proc;
	sim_read(SIM_OID(SIM_OID_PROC_SIG, p->pid));
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	uint64_t b = sigbit(signo);
	enum sig_outcome o = SIGO_PENDING;
	if (p->sigignore & b)
		o = SIGO_IGNORED;
	else if (signo < SIMK_SIGRTMIN && (t->sigpending & b))
		o = SIGO_COALESCED;
	trace_emit(TR_SIGNAL, "kern:tkill", signo, p->pid, t->tid, o);
	if (o != SIGO_IGNORED) {
		t->sigpending |= b;
		if (!(t->sigmask & b))
			thread_interrupt(t);
	}
	notify(p, signo);
	return 0;
}

static void discard_queued(struct simk_proc *p, int signo)
{
	struct sigq *sq = sigq_of(p, false);
	if (sq == NULL)
		return;
	int k = 0;
	for (int i = 0; i < sq->n; i++)
		if (sq->q[i].signo != signo)
			sq->q[k++] = sq->q[i];
	sq->n = k;
}

/* Any context. Ignoring a pending signal discards it (POSIX). */
int sig_ignore(struct simk_proc *p, int signo, bool ignore)
{
	if (!sig_valid(signo) || (sigbit(signo) & SIG_UNBLOCKABLE))
		return -EINVAL;
	if (p == NULL)
		return -ESRCH;
	sim_write(SIM_OID(SIM_OID_PROC_SIG, p->pid));
	uint64_t b = sigbit(signo);
	if (!ignore) {
		p->sigignore &= ~b;
		return 0;
	}
	p->sigignore |= b;
	p->sigpending &= ~b;
	discard_queued(p, signo);
	for (struct list_node *n = p->threads.next; n != &p->threads; n = n->next) {
		struct simk_thread *t = list_entry(n, struct simk_thread, pl);
		sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
		t->sigpending &= ~b;
	}
	trace_emit(TR_SIGNAL, "kern:sigignore", signo, p->pid, 0, SIGO_IGNORED);
	return 0;
}

/* Thread context. SIGKILL and SIGSTOP are silently kept unblocked. */
int sig_procmask(int how, uint64_t set, uint64_t *oldset)
{
	struct simk_thread *t = sim_thread_current();
	KASSERT(t != NULL, "sig_procmask outside thread context");
	KASSERT(!sim_in_irq(), "sig_procmask outside thread context");
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	uint64_t old = t->sigmask;
	set &= ~SIG_UNBLOCKABLE;
	switch (how) {
	case SIMK_SIG_BLOCK:
		t->sigmask |= set;
		break;
	case SIMK_SIG_UNBLOCK:
		t->sigmask &= ~set;
		break;
	case SIMK_SIG_SETMASK:
		t->sigmask = set;
		break;
	default:
		return -EINVAL;
	}
	if (oldset != NULL)
		*oldset = old;
	return 0;
}

static int lowest(uint64_t set)
{
	return __builtin_ctzll(set) + 1;
}

/* Thread context. Thread-directed signals first, then the process's. */
int sig_dequeue(struct siginfo_sim *out)
{
	struct simk_thread *t = sim_thread_current();
	KASSERT(t != NULL, "sig_dequeue outside thread context");
	KASSERT(!sim_in_irq(), "sig_dequeue outside thread context");
	struct simk_proc *p = t->proc;
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	sim_write(SIM_OID(SIM_OID_PROC_SIG, p->pid));
	struct siginfo_sim info = {0, SIMK_SI_USER, 0, 0};
	uint64_t tset = t->sigpending & ~t->sigmask;
	uint64_t pset = p->sigpending & ~t->sigmask;
	if (tset != 0) {
		info.signo = lowest(tset);
		t->sigpending &= ~sigbit(info.signo);
	} else if (pset != 0) {
		info.signo = lowest(pset);
		struct sigq *sq = sigq_of(p, false);
		bool more = false;
		int found = -1;
		for (int i = 0; sq != NULL && i < sq->n; i++) {
			if (sq->q[i].signo != info.signo)
				continue;
			if (found < 0)
				found = i;
			else
				more = true;
		}
		if (found >= 0) {
			info = sq->q[found];
			memmove(&sq->q[found], &sq->q[found + 1],
				(size_t)(sq->n - found - 1) * sizeof(sq->q[0]));
			sq->n--;
		}
		if (!more)
			p->sigpending &= ~sigbit(info.signo);
	}
	if (info.signo != 0)
		trace_emit(TR_SIGNAL, "kern:sigdequeue", info.signo, p->pid, t->tid, info.code);
	if (out != NULL)
		*out = info;
	return info.signo;
}

static const char *const std_names[32] = {
    [1] = "SIGHUP",	[2] = "SIGINT",	  [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
    [6] = "SIGABRT",	[7] = "SIGBUS",	  [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
    [11] = "SIGSEGV",	[12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
    [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN",	[22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
    [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
    [31] = "SIGSYS",
};

/* "SIGRTMIN", "SIGRTMIN+1" ... "SIGRTMAX" for 34..64; 32 and 33 are
 * reserved (by the C library on Linux) and named "SIG32", "SIG33". */
static const char *const rt_names[SIMK_NSIG - 31] = {
    "SIG32",	   "SIG33",	  "SIGRTMIN",	 "SIGRTMIN+1",	"SIGRTMIN+2",  "SIGRTMIN+3",
    "SIGRTMIN+4",  "SIGRTMIN+5",  "SIGRTMIN+6",	 "SIGRTMIN+7",	"SIGRTMIN+8",  "SIGRTMIN+9",
    "SIGRTMIN+10", "SIGRTMIN+11", "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
    "SIGRTMIN+16", "SIGRTMIN+17", "SIGRTMIN+18", "SIGRTMIN+19", "SIGRTMIN+20", "SIGRTMIN+21",
    "SIGRTMIN+22", "SIGRTMIN+23", "SIGRTMIN+24", "SIGRTMIN+25", "SIGRTMIN+26", "SIGRTMIN+27",
    "SIGRTMIN+28", "SIGRTMIN+29", "SIGRTMAX",
};

const char *sig_name(int signo)
{
	if (signo >= 1 && signo < 32)
		return std_names[signo];
	if (signo >= 32 && signo <= SIMK_NSIG)
		return rt_names[signo - 32];
	return "SIG?";
}

/* Case-insensitive, with or without the "SIG" prefix; also "RTMAX" and
 * "RTMIN+n". */
int sig_from_name(const char *name)
{
	if (name == NULL)
		return 0;
	char full[24];
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	if (strlen(name) + 4 > sizeof(full))
		return 0;
	snprintf(full, sizeof(full), "SIG%s", name);
	for (int s = 1; s <= SIMK_NSIG; s++)
		if (strcasecmp(sig_name(s), full) == 0)
			return s;
	return 0;
}

/* Process exit (kern.c): the queue goes; the process cannot get signals any
 * more (it is dead for send_proc). */
void ksig_proc_exit(struct simk_proc *p)
{
	sim_write(SIM_OID(SIM_OID_PROC_SIG, p->pid));
	struct sigq *sq = p->subsys[kern_subsys_slot];
	if (sq != NULL)
		kmem_free(&kmt_sigq, sq);
	p->subsys[kern_subsys_slot] = NULL;
}

/* End of run (host context): queues of processes that are still alive
 * (the kernel process, processes of daemon threads only). */
void ksig_end(struct simk *s)
{
	for (int i = 0; i < s->nprocs; i++)
		ksig_proc_exit(s->procs[i]);
}
