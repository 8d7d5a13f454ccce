/*
 * The system calls of the kernel proper — processes, threads, signals,
 * sleeping — with their descriptors and user-side stubs (simk_<name>,
 * declared in include/simk/proc.h). The handlers are small adapters over
 * kern/proc.h and kern/signal.h, which kernel code calls directly.
 *
 * fork takes host pointers (the child's thread function and its
 * argument): they are SA_HOST arguments, recorded in the trace as 0.
 */
#include "simk/proc.h"
#include "simk/sigevent.h"

#include <errno.h>
#include <stdlib.h>

#include "kern/proc.h"
#include "kern/rlimit.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/umem.h"
#include "sim/access.h"

#include <signal.h>

/* The public values (include/simk/proc.h, time.h) are Linux's. */
_Static_assert(SIMK_SIGHUP == SIGHUP && SIMK_SIGINT == SIGINT && SIMK_SIGKILL == SIGKILL &&
		   SIMK_SIGUSR1 == SIGUSR1 && SIMK_SIGUSR2 == SIGUSR2 && SIMK_SIGPIPE == SIGPIPE &&
		   SIMK_SIGALRM == SIGALRM && SIMK_SIGTERM == SIGTERM && SIMK_SIGCHLD == SIGCHLD &&
		   SIMK_SIGIO == SIGIO,
	       "signal numbers");
_Static_assert(SIMK_SIG_BLOCK == SIG_BLOCK && SIMK_SIG_UNBLOCK == SIG_UNBLOCK &&
		   SIMK_SIG_SETMASK == SIG_SETMASK,
	       "sigprocmask how");
_Static_assert(sizeof(struct simk_timespec) == 16 && sizeof(struct simk_itimerspec) == 32 &&
		   sizeof(struct simk_timeval) == 16 && sizeof(struct simk_sigevent) == 32,
	       "time and sigevent layouts");

#define NS_PER_S 1000000000LL

static int64_t h_getpid(const int64_t *a)
{
	(void)a;
	return sim_proc_current()->pid;
}

static int64_t h_getppid(const int64_t *a)
{
	(void)a;
	return proc_ppid(sim_proc_current());
}

static int64_t h_gettid(const int64_t *a)
{
	(void)a;
	return sim_thread_current()->tid;
}

static int64_t h_fork(const int64_t *a)
{
	const char *name = (const char *)(intptr_t)a[0];
	simk_thread_fn fn = (simk_thread_fn)(intptr_t)a[1];
	if (fn == NULL)
		return -EINVAL;
	return proc_fork(name != NULL ? name : sim_proc_current()->name, fn,
			 (void *)(intptr_t)a[2]);
}

static int64_t h_exit(const int64_t *a)
{
	proc_exit((int)a[0]);
}

static int64_t h_thread_exit(const int64_t *a)
{
	sim_thread_exit((int)a[0]);
}

static int64_t h_waitpid(const int64_t *a)
{
	int64_t pid = a[0];
	uaddr_t ustatus = (uaddr_t)a[1];
	if ((a[2] & ~(int64_t)SIMK_WNOHANG) != 0)
		return -EINVAL; /* no WUNTRACED...: nothing stops */
	if (pid < -1 || pid > SIM_MAX_PROCS)
		return -ECHILD; /* no process groups */
	int status = 0;
	int r = proc_wait_opts(pid > 0 ? (int)pid : -1, &status, a[2] & SIMK_WNOHANG);
	/* proc_wait's status is already the wait(2) word (kern/proc.h) */
	if (r > 0 && ustatus != 0 && copyout(&status, ustatus, sizeof(status)) != 0)
		return -EFAULT;
	return r;
}

static bool signo_ok(int64_t sig)
{
	return sig >= 0 && sig <= SIMK_NSIG; /* 0: only check the target */
}

static int64_t h_kill(const int64_t *a)
{
	int64_t pid = a[0], sig = a[1];
	if (!signo_ok(sig))
		return -EINVAL;
	struct simk_proc *p = pid > 0 && pid <= SIM_MAX_PROCS ? sim_proc_by_pid((int)pid) : NULL;
	if (p == NULL || p->exited)
		return -ESRCH;
	return sig == 0 ? 0 : sig_kill_proc(p, (int)sig);
}

static int64_t h_tkill(const int64_t *a)
{
	int64_t tid = a[0], sig = a[1];
	if (!signo_ok(sig))
		return -EINVAL;
	struct simk_thread *t =
	    tid > 0 && tid <= SIM_MAX_THREADS ? sim_thread_by_tid((int)tid) : NULL;
	if (t == NULL || t->state == TS_ZOMBIE)
		return -ESRCH;
	return sig_kill_thread(t, (int)sig);
}

static int64_t h_sigprocmask(const int64_t *a)
{
	uaddr_t uset = (uaddr_t)a[1], uold = (uaddr_t)a[2];
	uint64_t old = sim_thread_current()->sigmask;
	if (uset != 0) {
		uint64_t set;
		if (copyin(uset, &set, sizeof(set)) != 0)
			return -EFAULT;
		int r = sig_procmask((int)a[0], set, &old);
		if (r != 0)
			return r;
	}
	if (uold != 0 && copyout(&old, uold, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

static int64_t h_sigpending(const int64_t *a)
{
	struct simk_thread *t = sim_thread_current();
	uint64_t set = t->sigpending | t->proc->sigpending;
	return copyout(&set, (uaddr_t)a[0], sizeof(set)) != 0 ? -EFAULT : 0;
}

static int64_t h_nanosleep(const int64_t *a)
{
	struct simk_timespec req;
	if (copyin((uaddr_t)a[0], &req, sizeof(req)) != 0)
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= NS_PER_S)
		return -EINVAL;
	uint64_t ns = SIMK_FOREVER - 1; /* a sleep too long to represent never ends */
	if (req.tv_sec < (int64_t)((SIMK_FOREVER - 1) / NS_PER_S) - 1)
		ns = (uint64_t)req.tv_sec * NS_PER_S + (uint64_t)req.tv_nsec;
	uint64_t deadline = sim_now() + ns;
	if (deadline < ns)
		deadline = SIMK_FOREVER - 1;
	thread_prepare_sleep("nanosleep", true);
	int r = thread_sleep(ns);
	if (r != -EINTR)
		return 0;
	uaddr_t urem = (uaddr_t)a[1];
	if (urem != 0) {
		uint64_t left = deadline > sim_now() ? deadline - sim_now() : 0;
		struct simk_timespec rem = {(int64_t)(left / NS_PER_S), (int64_t)(left % NS_PER_S)};
		if (copyout(&rem, urem, sizeof(rem)) != 0)
			return -EFAULT;
	}
	return -EINTR;
}

/* Every clock is the virtual clock (as for POSIX timers, docs/kern.md):
 * REALTIME starts at the epoch, MONOTONIC and BOOTTIME at boot, which is
 * the same instant; the coarse and raw variants are the same clock. */
static bool clock_known(int64_t id)
{
	return id == SIMK_CLOCK_REALTIME || id == SIMK_CLOCK_MONOTONIC ||
	       id == SIMK_CLOCK_MONOTONIC_RAW || id == SIMK_CLOCK_REALTIME_COARSE ||
	       id == SIMK_CLOCK_MONOTONIC_COARSE || id == SIMK_CLOCK_BOOTTIME;
}

static int64_t h_clock_gettime(const int64_t *a)
{
	if (!clock_known(a[0]))
		return -EINVAL;
	sim_read(SIM_OID_CLOCK);
	uint64_t now = sim_now();
	struct simk_timespec ts = {(int64_t)(now / NS_PER_S), (int64_t)(now % NS_PER_S)};
	return copyout(&ts, (uaddr_t)a[1], sizeof(ts)) != 0 ? -EFAULT : 0;
}

static int64_t h_clock_getres(const int64_t *a)
{
	if (!clock_known(a[0]))
		return -EINVAL;
	struct simk_timespec ts = {0, 1}; /* nanoseconds */
	if (a[1] != 0 && copyout(&ts, (uaddr_t)a[1], sizeof(ts)) != 0)
		return -EFAULT;
	return 0;
}

/* ---- descriptors and stubs ------------------------------------------ */

static const struct syscall_desc desc_getpid = {.name = "getpid",
						.subsys = "kern",
						.fn = h_getpid,
						.nargs = 0,
						.flags = SYSCALL_ANNOTATED,
						.res = SA_PID};
static const struct syscall_desc desc_getppid = {
    .name = "getppid", .subsys = "kern", .fn = h_getppid, .nargs = 0, .res = SA_PID};
static const struct syscall_desc desc_gettid = {.name = "gettid",
						.subsys = "kern",
						.fn = h_gettid,
						.nargs = 0,
						.flags = SYSCALL_ANNOTATED,
						.res = SA_TID};
static const struct syscall_desc desc_fork = {.name = "fork",
					      .subsys = "kern",
					      .fn = h_fork,
					      .nargs = 3,
					      .arg = {SA_HOST, SA_HOST, SA_HOST},
					      .res = SA_PID};
static const struct syscall_desc desc_exit = {.name = "exit",
					      .subsys = "kern",
					      .fn = h_exit,
					      .nargs = 1,
					      .flags = SYSCALL_NORETURN,
					      .arg = {SA_INT}};
static const struct syscall_desc desc_thread_exit = {.name = "thread_exit",
						     .subsys = "kern",
						     .fn = h_thread_exit,
						     .nargs = 1,
						     .flags = SYSCALL_NORETURN,
						     .arg = {SA_INT}};
static const struct syscall_desc desc_waitpid = {.name = "waitpid",
						 .subsys = "kern",
						 .fn = h_waitpid,
						 .nargs = 3,
						 .arg = {SA_PID, SA_UPTR, SA_HEX},
						 .res = SA_PID};
static const struct syscall_desc desc_kill = {
    .name = "kill", .subsys = "kern", .fn = h_kill, .nargs = 2, .arg = {SA_PID, SA_SIGNO}};
static const struct syscall_desc desc_tkill = {
    .name = "tkill", .subsys = "kern", .fn = h_tkill, .nargs = 2, .arg = {SA_TID, SA_SIGNO}};
static const struct syscall_desc desc_sigprocmask = {
    .name = "sigprocmask",
    .subsys = "kern",
    .fn = h_sigprocmask,
    .nargs = 3,
    .arg = {SA_SIGMASK_HOW, SA_SIGSET_PTR, SA_SIGSET_PTR}};
static const struct syscall_desc desc_sigpending = {
    .name = "sigpending", .subsys = "kern", .fn = h_sigpending, .nargs = 1, .arg = {SA_SIGSET_PTR}};
static const struct syscall_desc desc_nanosleep = {.name = "nanosleep",
						   .subsys = "kern",
						   .fn = h_nanosleep,
						   .nargs = 2,
						   .arg = {SA_UTIMESPEC, SA_UTIMESPEC}};
static const struct syscall_desc desc_clock_gettime = {.name = "clock_gettime",
						       .subsys = "kern",
						       .fn = h_clock_gettime,
						       .nargs = 2,
						       .arg = {SA_CLOCK_ID, SA_UTIMESPEC}};
static const struct syscall_desc desc_clock_getres = {.name = "clock_getres",
						      .subsys = "kern",
						      .fn = h_clock_getres,
						      .nargs = 2,
						      .arg = {SA_CLOCK_ID, SA_UTIMESPEC}};

int simk_getpid(void)
{
	return (int)syscall_invoke(&desc_getpid, NULL);
}

int simk_getppid(void)
{
	return (int)syscall_invoke(&desc_getppid, NULL);
}

int simk_gettid(void)
{
	return (int)syscall_invoke(&desc_gettid, NULL);
}

int simk_fork(const char *name, simk_thread_fn fn, void *arg)
{
	const int64_t a[] = {(int64_t)(intptr_t)name, (int64_t)(intptr_t)fn,
			     (int64_t)(intptr_t)arg};
	return (int)syscall_invoke(&desc_fork, a);
}

_Noreturn void simk_exit(int status)
{
	const int64_t a[] = {status};
	(void)syscall_invoke(&desc_exit, a);
	abort(); /* outside a thread: the run failed with a message already */
}

_Noreturn void simk_thread_exit(int code)
{
	const int64_t a[] = {code};
	(void)syscall_invoke(&desc_thread_exit, a);
	abort();
}

int simk_waitpid(int pid, simk_uaddr_t status, int options)
{
	const int64_t a[] = {pid, (int64_t)status, options};
	return (int)syscall_invoke(&desc_waitpid, a);
}

int simk_kill(int pid, int sig)
{
	const int64_t a[] = {pid, sig};
	return (int)syscall_invoke(&desc_kill, a);
}

int simk_tkill(int tid, int sig)
{
	const int64_t a[] = {tid, sig};
	return (int)syscall_invoke(&desc_tkill, a);
}

int simk_sigprocmask(int how, simk_uaddr_t set, simk_uaddr_t oldset)
{
	const int64_t a[] = {how, (int64_t)set, (int64_t)oldset};
	return (int)syscall_invoke(&desc_sigprocmask, a);
}

int simk_sigpending(simk_uaddr_t set)
{
	const int64_t a[] = {(int64_t)set};
	return (int)syscall_invoke(&desc_sigpending, a);
}

int simk_nanosleep(simk_uaddr_t req, simk_uaddr_t rem)
{
	const int64_t a[] = {(int64_t)req, (int64_t)rem};
	return (int)syscall_invoke(&desc_nanosleep, a);
}

static int64_t h_getrlimit(const int64_t *a)
{
	return sys_getrlimit((int)a[0], (uaddr_t)a[1]);
}

static int64_t h_setrlimit(const int64_t *a)
{
	return sys_setrlimit((int)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_getrlimit = {
    .name = "getrlimit", .subsys = "kern", .fn = h_getrlimit, .nargs = 2, .arg = {SA_INT, SA_UPTR}};
static const struct syscall_desc desc_setrlimit = {
    .name = "setrlimit", .subsys = "kern", .fn = h_setrlimit, .nargs = 2, .arg = {SA_INT, SA_UPTR}};

int simk_getrlimit(int resource, simk_uaddr_t rlim)
{
	const int64_t a[] = {resource, (int64_t)rlim};
	return (int)syscall_invoke(&desc_getrlimit, a);
}

int simk_setrlimit(int resource, simk_uaddr_t rlim)
{
	const int64_t a[] = {resource, (int64_t)rlim};
	return (int)syscall_invoke(&desc_setrlimit, a);
}

int simk_clock_gettime(int clockid, simk_uaddr_t ts)
{
	const int64_t a[] = {clockid, (int64_t)ts};
	return (int)syscall_invoke(&desc_clock_gettime, a);
}

int simk_clock_getres(int clockid, simk_uaddr_t res)
{
	const int64_t a[] = {clockid, (int64_t)res};
	return (int)syscall_invoke(&desc_clock_getres, a);
}

static const struct syscall_desc *const kern_syscall_table[] = {
    &desc_clock_gettime, &desc_clock_getres,
    &desc_getpid, &desc_getppid,     &desc_gettid,     &desc_fork,
    &desc_exit,	  &desc_thread_exit, &desc_waitpid,    &desc_kill,
    &desc_tkill,  &desc_sigprocmask, &desc_sigpending, &desc_nanosleep,
    &desc_getrlimit, &desc_setrlimit,
};

void kern_syscalls_register(void)
{
	syscall_register_table(kern_syscall_table,
			       (int)(sizeof(kern_syscall_table) / sizeof(kern_syscall_table[0])));
}
