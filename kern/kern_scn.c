/*
 * Scenario operations and declarations for the kernel primitives: wait
 * queues, mutexes, condition variables, virtual time, threads, processes
 * and signals; and the constants scenarios use with them (errno names,
 * signal numbers).
 *
 * Misuse the kernel calls a bug (unlocking a mutex you do not hold,
 * locking it twice, exiting with a mutex held) panics there, as it would
 * in a kernel: exit 3. A thread whose process is exiting (SIGKILL pending)
 * ends at its next switch point, like a return to user mode.
 *
 * Each operation decodes its evaluated arguments and calls the primitive;
 * it returns what the primitive returns (0 or a negative errno), or a
 * documented value (trylock: 1 when acquired). The interpreter makes each
 * call a syscall: traced, with switch points at entry and exit.
 *
 * Context: every op runs in thread context on the calling scenario thread.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "simk/proc.h"

#include "kern/completion.h"
#include "kern/kern.h"
#include "kern/lock.h"
#include "kern/proc.h"
#include "kern/rlimit.h"
#include "kern/signal.h"
#include "kern/umem.h"
#include "kern/waitq.h"
#include "sim/access.h"
#include "scn/scn.h"

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
    [A_WQ] = {"wq", SCN_OBJ, "waitqueue", 0, 0},
    [A_TIMEOUT] = {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    [A_INTR] = {"intr", SCN_INT, NULL, SCN_NAMED, 0},
    [A_EXCL] = {"excl", SCN_INT, NULL, SCN_NAMED, 0},
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
    {"wq", SCN_OBJ, "waitqueue", 0, 0},
};

static int64_t op_wake(struct scn_call *c)
{
	return waitq_wake_all(c->args[0].obj);
}

static int64_t op_wake_one(struct scn_call *c)
{
	return waitq_wake_one(c->args[0].obj);
}

/* ---- completions (Linux's struct completion) -------------------------- */

static int completion_create(void *obj, const struct scn_decl *d, const struct scn_val *args)
{
	(void)args;
	completion_init(obj, d->name);
	return 0;
}

static void completion_destroy_obj(void *obj, const struct scn_decl *d, bool run_ok)
{
	(void)d;
	if (run_ok)
		completion_destroy(obj); /* panics if a waiter is left */
}

static const struct scn_kind kind_completion = {
    .name = "completion",
    .size = sizeof(struct completion),
    .create = completion_create,
    .destroy = completion_destroy_obj,
    .doc = "completion NAME: a Linux completion (wait_for_completion / complete / complete_all)",
};

static const struct scn_argspec wfc_args[] = {
    {"completion", SCN_OBJ, "completion", 0, 0},
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    {"intr", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_wait_for_completion(struct scn_call *c)
{
	return wait_for_completion_timeout(c->args[0].obj, timeout_of(&c->args[1]),
					   c->args[2].i != 0);
}

static const struct scn_argspec completion_args[] = {
    {"completion", SCN_OBJ, "completion", 0, 0},
};

static int64_t op_try_wait_for_completion(struct scn_call *c)
{
	return try_wait_for_completion(c->args[0].obj) ? 1 : 0;
}

static int64_t op_complete(struct scn_call *c)
{
	complete(c->args[0].obj);
	return 0;
}

static int64_t op_complete_all(struct scn_call *c)
{
	complete_all(c->args[0].obj);
	return 0;
}

/* ---- time and the CPU ------------------------------------------------ */

static const struct scn_argspec delay_args[] = {
    {"duration", SCN_DUR, NULL, 0, 0},
    {"intr", SCN_INT, NULL, SCN_NAMED, 0},
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
    {"duration", SCN_DUR, NULL, 0, 0},
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
	sim_yield();
	return 0;
}

static int64_t op_now(struct scn_call *c)
{
	(void)c;
	sim_read(SIM_OID_CLOCK);
	return (int64_t)sim_now();
}

static int64_t op_gettid(struct scn_call *c)
{
	(void)c;
	return simk_gettid();
}

static int64_t op_getpid(struct scn_call *c)
{
	(void)c;
	return simk_getpid();
}

static const struct scn_op kern_ops[] = {
    SCN_OP_E("sleep", sleep_args, op_sleep,
	   "sleep on a wait queue without re-checking anything; 0, -ETIMEDOUT or -EINTR"),
    SCN_OP("wake", wq_args, op_wake, "wake every sleeper of a wait queue; the number woken"),
    SCN_OP("wake_one", wq_args, op_wake_one,
	   "wake one exclusive sleeper (and every non-exclusive one); the number woken"),
    SCN_OP_E("wait_for_completion", wfc_args, op_wait_for_completion,
	   "wait for (and consume) one complete; 0, -ETIMEDOUT or -EINTR with intr=1"),
    SCN_OP("try_wait_for_completion", completion_args, op_try_wait_for_completion,
	   "consume one complete without sleeping: 1, else 0"),
    SCN_OP("complete", completion_args, op_complete, "one more done; wakes one waiter; 0"),
    SCN_OP("complete_all", completion_args, op_complete_all,
	   "every wait succeeds from now on; wakes every waiter; 0"),
    SCN_OP_E("delay", delay_args, op_delay,
	   "sleep for a duration of virtual time; 0, or -EINTR with intr=1"),
    SCN_OP("compute", dur_args, op_compute,
	   "spend a duration of CPU time (the clock moves, nobody else runs); 0"),
    SCN_OP0("yield", op_yield, "offer the CPU to another runnable thread; 0"),
    SCN_OP0("now", op_now, "the virtual time in ns"),
    SCN_SYSCALL_OP0("gettid", op_gettid, "the calling thread's id"),
    SCN_SYSCALL_OP0("getpid", op_getpid, "the calling process's id"),
};

/* ---- mutexes and condition variables: declarations -------------------- */

static int mutex_create(void *obj, const struct scn_decl *d, const struct scn_val *args)
{
	(void)args;
	mutex_init(obj, d->name);
	return 0;
}

static void mutex_destroy_obj(void *obj, const struct scn_decl *d, bool run_ok)
{
	(void)d;
	if (run_ok)
		mutex_destroy(obj); /* panics if a thread exited holding it */
}

static const struct scn_kind kind_mutex = {
    .name = "mutex",
    .size = sizeof(struct mutex),
    .create = mutex_create,
    .destroy = mutex_destroy_obj,
    .doc = "mutex NAME: a sleeping mutex (lock / unlock / trylock)",
};

static int cv_create(void *obj, const struct scn_decl *d, const struct scn_val *args)
{
	(void)args;
	cv_init(obj, d->name);
	return 0;
}

static void cv_destroy_obj(void *obj, const struct scn_decl *d, bool run_ok)
{
	(void)d;
	if (run_ok)
		cv_destroy(obj);
}

static const struct scn_kind kind_cv = {
    .name = "cv",
    .size = sizeof(struct condvar),
    .create = cv_create,
    .destroy = cv_destroy_obj,
    .doc = "cv NAME: a condition variable, Mesa semantics (cv_wait / cv_signal / cv_broadcast)",
};

/* ---- mutexes and condition variables --------------------------------- */

static const struct scn_argspec lock_args[] = {
    {"mutex", SCN_OBJ, "mutex", 0, 0},
    {"intr", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_lock(struct scn_call *c)
{
	if (c->args[1].i != 0)
		return mutex_lock_interruptible(c->args[0].obj);
	mutex_lock(c->args[0].obj);
	return 0;
}

static const struct scn_argspec mutex_args[] = {
    {"mutex", SCN_OBJ, "mutex", 0, 0},
};

static int64_t op_unlock(struct scn_call *c)
{
	mutex_unlock(c->args[0].obj);
	return 0;
}

static int64_t op_trylock(struct scn_call *c)
{
	return mutex_trylock(c->args[0].obj) ? 1 : 0;
}

static const struct scn_argspec cv_wait_args[] = {
    {"cv", SCN_OBJ, "cv", 0, 0},
    {"mutex", SCN_OBJ, "mutex", 0, 0},
    {"timeout", SCN_DUR, NULL, SCN_NAMED, 0},
    {"intr", SCN_INT, NULL, SCN_NAMED, 0},
};

static int64_t op_cv_wait(struct scn_call *c)
{
	const struct scn_val *a = c->args;
	if (!a[2].given && a[3].i == 0) {
		cv_wait(a[0].obj, a[1].obj);
		return 0;
	}
	uint64_t timeout = a[2].given ? (uint64_t)a[2].i : SIMK_FOREVER;
	return cv_timedwait(a[0].obj, a[1].obj, timeout, a[3].i != 0);
}

static const struct scn_argspec cv_args[] = {
    {"cv", SCN_OBJ, "cv", 0, 0},
};

static int64_t op_cv_signal(struct scn_call *c)
{
	cv_signal(c->args[0].obj);
	return 0;
}

static int64_t op_cv_broadcast(struct scn_call *c)
{
	cv_broadcast(c->args[0].obj);
	return 0;
}

/* ---- threads and processes ------------------------------------------- */

static const struct scn_argspec thread_args[] = {
    {"thread", SCN_OBJ, "thread", 0, 0},
};

/* A new thread in the caller's process runs the body; its tid. */
static int64_t op_spawn(struct scn_call *c)
{
	struct scn_thread_obj *o = c->args[0].obj;
	struct simk_thread *t = kthread_create(sim_proc_current(), o->name, o->fn, o->arg, false);
	if (t == NULL)
		return -EAGAIN;
	scn_thread_started(o, t);
	return t->tid;
}

static const struct scn_argspec tid_args[] = {
    {"tid", SCN_INT, NULL, 0, 0},
};

/* Waits for a thread to exit; its exit code. */
static int64_t op_join(struct scn_call *c)
{
	int64_t tid = c->args[0].i;
	struct simk_thread *t =
	    tid > 0 && tid <= SIM_MAX_THREADS ? sim_thread_by_tid((int)tid) : NULL;
	if (t == NULL)
		return -ESRCH;
	int code = 0;
	int r = kthread_join(t, &code);
	return r < 0 ? r : code;
}

static const struct scn_argspec code_args[] = {
    {"code", SCN_INT, NULL, SCN_OPTIONAL, 0},
};

static int64_t op_thread_exit(struct scn_call *c)
{
	simk_thread_exit((int)c->args[0].i);
}

static int64_t op_exit(struct scn_call *c)
{
	simk_exit((int)c->args[0].i);
}

/* The child process's first thread runs the body; the child's pid. */
static int64_t op_fork(struct scn_call *c)
{
	struct scn_thread_obj *o = c->args[0].obj;
	int pid = simk_fork(o->name, o->fn, o->arg);
	if (pid > 0) {
		struct simk_proc *child = sim_proc_by_pid(pid);
		if (child != NULL && !list_empty(&child->threads))
			scn_thread_started(o,
					   list_entry(child->threads.next, struct simk_thread, pl));
	}
	return pid;
}

static const struct scn_argspec wait_args[] = {
    {"pid", SCN_INT, NULL, SCN_OPTIONAL, -1},
    {"status", SCN_OUT, NULL, SCN_NAMED, 0},
};

/* Reaps a child (pid, or any with -1); its pid, -ECHILD or -EINTR; status=
 * gets the wait(2) status word (kern/proc.h). */
static int64_t op_wait(struct scn_call *c)
{
	int64_t pid = c->args[0].i;
	int status = 0;
	if (pid > SIM_MAX_PROCS)
		return -ECHILD;
	int r = proc_wait(pid > 0 ? (int)pid : -1, &status);
	if (r > 0)
		scn_out(&c->args[1], status);
	return r;
}

static int64_t op_getppid(struct scn_call *c)
{
	(void)c;
	return simk_getppid();
}

/* ---- signals --------------------------------------------------------- */

static bool sig_ok(int64_t sig)
{
	return sig >= 1 && sig <= SIMK_NSIG;
}

static const struct scn_argspec kill_args[] = {
    {"target", SCN_OBJ, "thread|process", 0, 0},
    {"signal", SCN_INT, NULL, 0, 0},
};

/* A scenario integer as an int argument of a system call: out of range
 * values become `bad`, which the call refuses the same way. */
static int int_arg(int64_t v, int bad)
{
	return v >= INT_MIN && v <= INT_MAX ? (int)v : bad;
}

/* To a process, or to the latest started instance of a thread (kill or
 * tkill: 0, -EINVAL for a bad signal, -ESRCH for a target that is gone;
 * signal 0 only checks the target, as in kill(2)). */
static int64_t op_kill(struct scn_call *c)
{
	int sig = int_arg(c->args[1].i, -1);
	if (strcmp(c->args[0].decl->kind, "process") == 0) {
		struct scn_proc_obj *po = c->args[0].obj;
		return simk_kill(po->proc->pid, sig);
	}
	struct scn_thread_obj *to = c->args[0].obj;
	return simk_tkill(to->last_tid, sig);
}

static const struct scn_argspec tid_sig_args[] = {
    {"tid", SCN_INT, NULL, 0, 0},
    {"signal", SCN_INT, NULL, 0, 0},
};

static const struct scn_argspec pid_sig_args[] = {
    {"pid", SCN_INT, NULL, 0, 0},
    {"signal", SCN_INT, NULL, 0, 0},
};

static int64_t op_tkill(struct scn_call *c)
{
	return simk_tkill(int_arg(c->args[0].i, 0), int_arg(c->args[1].i, -1));
}

static int64_t op_kill_pid(struct scn_call *c)
{
	return simk_kill(int_arg(c->args[0].i, 0), int_arg(c->args[1].i, -1));
}

static const struct scn_argspec sig_args[] = {
    {"signal", SCN_INT, NULL, 0, 0},
};

static int64_t op_sigpending(struct scn_call *c)
{
	int64_t sig = c->args[0].i;
	if (!sig_ok(sig))
		return -EINVAL;
	return sig_pending(sim_thread_current(), (int)sig) ? 1 : 0;
}

/* Takes the lowest pending unblocked signal; 0 when none. */
static int64_t op_sigtake(struct scn_call *c)
{
	(void)c;
	struct siginfo_sim info;
	return sig_dequeue(&info);
}

static int64_t mask_op(struct scn_call *c, int how)
{
	int64_t sig = c->args[0].i;
	if (!sig_ok(sig))
		return -EINVAL;
	return sig_procmask(how, 1ULL << (sig - 1), NULL);
}

static int64_t op_sigblock(struct scn_call *c)
{
	return mask_op(c, SIMK_SIG_BLOCK);
}

static int64_t op_sigunblock(struct scn_call *c)
{
	return mask_op(c, SIMK_SIG_UNBLOCK);
}

static const struct scn_argspec sigignore_args[] = {
    {"signal", SCN_INT, NULL, 0, 0},
    {"on", SCN_INT, NULL, SCN_OPTIONAL, 1},
};

static int64_t op_sigignore(struct scn_call *c)
{
	int64_t sig = c->args[0].i;
	if (!sig_ok(sig))
		return -EINVAL;
	return sig_ignore(sim_proc_current(), (int)sig, c->args[1].i != 0);
}

static const struct scn_op sync_ops[] = {
    SCN_OP_E("lock", lock_args, op_lock,
	   "lock a mutex (sleeps while held); 0, or -EINTR with intr=1"),
    SCN_OP("unlock", mutex_args, op_unlock, "unlock a mutex you hold (anything else panics); 0"),
    SCN_OP("trylock", mutex_args, op_trylock, "1 if the mutex was free and is now yours, else 0"),
    SCN_OP_E("cv_wait", cv_wait_args, op_cv_wait,
	   "drop the mutex, sleep on the cv, take the mutex back; 0, -ETIMEDOUT or -EINTR"),
    SCN_OP("cv_signal", cv_args, op_cv_signal, "wake one waiter of the cv; 0"),
    SCN_OP("cv_broadcast", cv_args, op_cv_broadcast, "wake every waiter of the cv; 0"),
    SCN_OP("spawn", thread_args, op_spawn,
	   "start a new thread running a thread body, in the caller's process; its tid"),
    SCN_OP_E("join", tid_args, op_join,
	   "wait for a thread to exit; its exit code (or -ESRCH, -EINVAL, -EINTR)"),
    SCN_SYSCALL_OP("thread_exit", code_args, op_thread_exit, "end the calling thread"),
    SCN_SYSCALL_OP("exit", code_args, op_exit,
		   "end the calling process (its other threads get SIGKILL) with a status"),
    SCN_SYSCALL_OP("fork", thread_args, op_fork,
		   "a child process whose thread runs a thread body; the child's pid"),
    SCN_OP_E("wait", wait_args, op_wait,
	   "reap a child (-1: any); its pid, -ECHILD or -EINTR; status=VAR gets its wait(2) status"),
    SCN_SYSCALL_OP0("getppid", op_getppid, "the parent process's id (0 for none)"),
    SCN_SYSCALL_OP(
	"kill", kill_args, op_kill,
	"send a signal to a process, or to the latest instance of a thread; 0 or -ESRCH"),
    SCN_SYSCALL_OP("tkill", tid_sig_args, op_tkill, "send a signal to a thread by tid"),
    SCN_SYSCALL_OP("kill_pid", pid_sig_args, op_kill_pid, "send a signal to a process by pid"),
    SCN_OP("sigpending", sig_args, op_sigpending,
	   "1 if the signal is pending for the calling thread, else 0"),
    SCN_OP0("sigtake", op_sigtake, "dequeue the lowest pending unblocked signal; 0 if none"),
    SCN_OP("sigblock", sig_args, op_sigblock, "block a signal in the calling thread"),
    SCN_OP("sigunblock", sig_args, op_sigunblock, "unblock a signal"),
    SCN_OP("sigignore", sigignore_args, op_sigignore,
	   "ignore a signal in the calling process (on=0 restores the default)"),
};

/* ---- resource limits --------------------------------------------------- */

/* getrlimit into the caller's memory; 0 and *r, or -errno. */
static int get_limits(int resource, struct simk_rlimit *r)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t u = umem_alloc(p, sizeof(*r));
	if (u == 0)
		return -ENOMEM;
	int rc = simk_getrlimit(resource, u);
	if (rc == 0 && copyin(u, r, sizeof(*r)) != 0)
		rc = -EFAULT;
	umem_free(p, u);
	return rc;
}

static const struct scn_argspec getrlimit_args[] = {
    {"resource", SCN_INT, NULL, 0, 0},
    {"cur", SCN_OUT, NULL, SCN_NAMED, 0},
    {"max", SCN_OUT, NULL, SCN_NAMED, 0},
};

/* cur= and max= get the limits (RLIM_INFINITY reads as -1). */
static int64_t op_getrlimit(struct scn_call *c)
{
	struct simk_rlimit r;
	int rc = get_limits((int)c->args[0].i, &r);
	if (rc == 0) {
		scn_out(&c->args[1], (int64_t)r.rlim_cur);
		scn_out(&c->args[2], (int64_t)r.rlim_max);
	}
	return rc;
}

static const struct scn_argspec setrlimit_args[] = {
    {"resource", SCN_INT, NULL, 0, 0},
    {"cur", SCN_INT, NULL, 0, 0},
    {"max", SCN_INT, NULL, SCN_NAMED, 0},
};

/* Without max=, the hard limit stays as it is (only the soft one moves). */
static int64_t op_setrlimit(struct scn_call *c)
{
	int resource = (int)c->args[0].i;
	struct simk_rlimit r = {(uint64_t)c->args[1].i, (uint64_t)c->args[2].i};
	struct simk_proc *p = sim_proc_current();
	if (!c->args[2].given) {
		/* the statement is one system call: the hard limit is read
		 * here, as the C library's caller would have it at hand */
		struct simk_rlimit old;
		if (proc_rlimit_get(p, resource, &old) == 0)
			r.rlim_max = old.rlim_max;
	}
	uaddr_t u = umem_alloc(p, sizeof(r));
	if (u == 0)
		return -ENOMEM;
	int rc = copyout(&r, u, sizeof(r)) != 0 ? -EFAULT : simk_setrlimit(resource, u);
	umem_free(p, u);
	return rc;
}

static const struct scn_op rlimit_ops[] = {
    SCN_SYSCALL_OP("getrlimit", getrlimit_args, op_getrlimit,
		   "getrlimit RESOURCE [cur=V] [max=V]: 0 or -EINVAL (RLIMIT_FSIZE only)"),
    SCN_SYSCALL_OP("setrlimit", setrlimit_args, op_setrlimit,
		   "setrlimit RESOURCE CUR [max=]: 0, -EINVAL, -EPERM (raising the hard limit)"),
};

static const struct scn_const rlimit_consts[] = {
    {"RLIMIT_FSIZE", SIMK_RLIMIT_FSIZE},
    {"RLIM_INFINITY", (int64_t)SIMK_RLIM_INFINITY},
};

static const struct scn_const signal_consts[] = {
    {"SIGHUP", SIMK_SIGHUP},   {"SIGINT", SIMK_SIGINT},	    {"SIGKILL", SIMK_SIGKILL},
    {"SIGUSR1", SIMK_SIGUSR1}, {"SIGUSR2", SIMK_SIGUSR2},   {"SIGPIPE", SIMK_SIGPIPE},
    {"SIGALRM", SIMK_SIGALRM}, {"SIGTERM", SIMK_SIGTERM},   {"SIGCHLD", SIMK_SIGCHLD},
    {"SIGIO", SIMK_SIGIO},     {"SIGRTMIN", SIMK_SIGRTMIN}, {"SIGXFSZ", SIMK_SIGXFSZ},
};

/* Every kernel operation annotates its accesses to shared state (wait
 * queues, mutexes, condition variables, the clock, threads, processes,
 * signals): the dfs search reorders their calls freely when they do not
 * conflict. */
static const char *const annotated_ops[] = {
    "sleep",	  "wake",	"wake_one",   "delay",	      "compute",    "yield",
    "now",	  "gettid",	"getpid",     "lock",	      "unlock",	    "trylock",
    "cv_wait",	  "cv_signal",	"cv_broadcast", "spawn",      "join",	    "thread_exit",
    "exit",	  "fork",	"wait",	      "getppid",      "kill",	    "tkill",
    "kill_pid",	  "sigpending", "sigtake",    "sigblock",     "sigunblock", "sigignore",
};

/* ---- constants ------------------------------------------------------- */

/* errno names, positive, as in <errno.h>: `expect r == -EINTR`. */
static const struct scn_const errno_consts[] = {
    {"EPERM", EPERM},
    {"ENOENT", ENOENT},
    {"ESRCH", ESRCH},
    {"EINTR", EINTR},
    {"EIO", EIO},
    {"ENXIO", ENXIO},
    {"E2BIG", E2BIG},
    {"ENOEXEC", ENOEXEC},
    {"EBADF", EBADF},
    {"ECHILD", ECHILD},
    {"EAGAIN", EAGAIN},
    {"EWOULDBLOCK", EWOULDBLOCK},
    {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},
    {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},
    {"EEXIST", EEXIST},
    {"EXDEV", EXDEV},
    {"ENODEV", ENODEV},
    {"ENOTDIR", ENOTDIR},
    {"EISDIR", EISDIR},
    {"EINVAL", EINVAL},
    {"ENFILE", ENFILE},
    {"EMFILE", EMFILE},
    {"ENOTTY", ENOTTY},
    {"EFBIG", EFBIG},
    {"ENOSPC", ENOSPC},
    {"ESPIPE", ESPIPE},
    {"EROFS", EROFS},
    {"EMLINK", EMLINK},
    {"EPIPE", EPIPE},
    {"EDOM", EDOM},
    {"ERANGE", ERANGE},
    {"EDEADLK", EDEADLK},
    {"ENAMETOOLONG", ENAMETOOLONG},
    {"ENOSYS", ENOSYS},
    {"ENOTEMPTY", ENOTEMPTY},
    {"ELOOP", ELOOP},
    {"ENOMSG", ENOMSG},
    {"EIDRM", EIDRM},
    {"ENODATA", ENODATA},
    {"ETIME", ETIME},
    {"EBADMSG", EBADMSG},
    {"EOVERFLOW", EOVERFLOW},
    {"EBADFD", EBADFD},
    {"ENOTSOCK", ENOTSOCK},
    {"EMSGSIZE", EMSGSIZE},
    {"ENOTSUP", ENOTSUP},
    {"EOPNOTSUPP", EOPNOTSUPP},
    {"ENOTCONN", ENOTCONN},
    {"ECONNRESET", ECONNRESET},
    {"ETIMEDOUT", ETIMEDOUT},
    {"EALREADY", EALREADY},
    {"EINPROGRESS", EINPROGRESS},
    {"ECANCELED", ECANCELED},
};

void scn_ops_kern_register(void)
{
	scn_register_kind(&kind_waitqueue);
	scn_register_kind(&kind_mutex);
	scn_register_kind(&kind_cv);
	scn_register_kind(&kind_completion);
	scn_register_ops(kern_ops, SCN_NARGS(kern_ops));
	scn_register_ops(sync_ops, SCN_NARGS(sync_ops));
	scn_mark_annotated(annotated_ops, SCN_NARGS(annotated_ops));
	scn_register_consts(errno_consts, SCN_NARGS(errno_consts));
	scn_register_consts(signal_consts, SCN_NARGS(signal_consts));
	scn_register_ops(rlimit_ops, SCN_NARGS(rlimit_ops));
	scn_register_consts(rlimit_consts, SCN_NARGS(rlimit_consts));
}
