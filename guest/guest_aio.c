/*
 * <aio.h> and <sys/asynch.h> (POSIX and Solaris AIO, syscalls/posix_aio/)
 * for guests. Each call is the simulated kernel's system call of the same
 * name (include/simk/paio.h), made through the one entry path; the guest's
 * struct aiocb and aio_result_t are laid out as the kernel reads them
 * (guest/include/aio.h checks it), so the guest's pointers go to the
 * kernel as they are. Results follow libc: -1 and errno.
 *
 * Notifications:
 *  - SIGEV_NONE, SIGEV_PORT, SIGEV_KEVENT: the kernel's own.
 *  - SIGEV_THREAD: sigev_notify_function is the guest's code. The kernel
 *    asks this file (the hooks of simk_paio_set_thread_hooks) whether an
 *    address is the guest's code, and the notification starts a
 *    simulated thread of the guest's process ("sigev_thread") that
 *    becomes a guest thread (detached) and calls the function with
 *    sigev_value.
 *  - SIGEV_SIGNAL: the kernel queues the signal to the process with
 *    si_code SI_ASYNCIO and si_value sigev_value; the guest's handler
 *    runs, or sigwaitinfo takes it (guest_signal.c). Signal 0 sends
 *    nothing (Solaris libc).
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "guest/guest.h"
#include "kern/syscall.h"
#include "simk/paio.h"

#define FAMILY "aio.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

/* ---- SIGEV_THREAD ------------------------------------------------------------- */

static bool thread_code_valid(uint64_t code)
{
	struct guest_run *r = guest_run_current();
	return r != NULL && code != 0 && guest_is_text(r, (uintptr_t)code);
}

/* On the new thread the notification started, in the guest's process. */
static void thread_code_start(uint64_t code, int64_t value)
{
	struct guest_run *r = guest_run_current();
	struct simk_thread *t = sim_thread_current();
	KASSERT(r != NULL, "SIGEV_THREAD thread without a guest run");
	KASSERT(t != NULL, "SIGEV_THREAD thread outside thread context");
	KASSERT(t->proc == r->proc, "SIGEV_THREAD thread outside the guest's process");
	struct guest_thread *gt = guest_thread_new(r, t);
	if (gt == NULL)
		sim_fail(SIMK_FAIL_PANIC, "guest: out of host memory for a SIGEV_THREAD thread");
	/* The thread keeps the kernel's name, "sigev_thread": its events
	 * already carry that name (renaming a running thread would change
	 * what those events say). */
	/* void fn(union sigval): an 8-byte union goes where a pointer does */
	gt->start = (void *(*)(void *))(uintptr_t)code;
	gt->arg = (void *)(intptr_t)value;
	gt->detached = true;
	guest_thread_start(gt, gt->start, gt->arg);
}

static const struct simk_paio_thread_hooks thread_hooks = {
    .valid = thread_code_valid,
    .start = thread_code_start,
};

/* The hooks are set by the first AIO call of the host process: only these
 * calls can hand the kernel a guest's SIGEV_THREAD. */
static void hooks_ensure(void)
{
	static bool set;
	if (!set) {
		simk_paio_set_thread_hooks(&thread_hooks);
		set = true;
	}
}

/* ---- POSIX -------------------------------------------------------------------- */

int __wrap_aio_read(void *aiocbp)
{
	GUEST_ENTER("aio_read");
	hooks_ensure();
	return (int)GUEST_RET(simk_aio_read(U(aiocbp)));
}

int __wrap_aio_write(void *aiocbp)
{
	GUEST_ENTER("aio_write");
	hooks_ensure();
	return (int)GUEST_RET(simk_aio_write(U(aiocbp)));
}

int __wrap_aio_fsync(int op, void *aiocbp)
{
	GUEST_ENTER("aio_fsync");
	hooks_ensure();
	return (int)GUEST_RET(simk_aio_fsync(op, U(aiocbp)));
}

int __wrap_aio_error(const void *aiocbp)
{
	GUEST_ENTER("aio_error");
	return (int)GUEST_RET(simk_aio_error(U(aiocbp)));
}

/* The kernel returns a failed request's error as -errno: -1 and errno
 * set to it (Solaris libc sets errno from aio_errno the same way). */
ssize_t __wrap_aio_return(void *aiocbp)
{
	GUEST_ENTER("aio_return");
	return (ssize_t)GUEST_RET(simk_aio_return(U(aiocbp)));
}

int __wrap_aio_cancel(int fd, void *aiocbp)
{
	GUEST_ENTER("aio_cancel");
	return (int)GUEST_RET(simk_aio_cancel(fd, U(aiocbp)));
}

int __wrap_aio_suspend(const void *list, int nent, const struct timespec *timeout)
{
	GUEST_ENTER("aio_suspend");
	return (int)GUEST_RET(simk_aio_suspend(U(list), nent, U(timeout)));
}

int __wrap_lio_listio(int mode, void *const *list, int nent, void *sig)
{
	GUEST_ENTER("lio_listio");
	hooks_ensure();
	return (int)GUEST_RET(simk_lio_listio(mode, U(list), nent, U(sig)));
}

int __wrap_aio_waitn(void *list, unsigned int nent, unsigned int *nwait,
		     const struct timespec *timeout)
{
	GUEST_ENTER("aio_waitn");
	return (int)GUEST_RET(simk_aio_waitn(U(list), nent, U(nwait), U(timeout)));
}

/* ---- glibc's aio_init ----------------------------------------------------------- */

/* glibc's struct aioinit (<aio.h> with _GNU_SOURCE): eight ints. */
struct guest_aioinit {
	int aio_threads, aio_num, aio_locks, aio_usedba, aio_debug, aio_numusers, aio_idle_time,
	    aio_reserved;
};

/* A system call (traced, a switch point): the pool's size is the run's,
 * which another thread's first request reads. */
static int64_t h_aio_init(const int64_t *a)
{
	return simk_paio_init_pool((int)a[0]);
}
static const struct syscall_desc desc_aio_init = {
    .name = "aio_init",
    .subsys = "guest",
    .fn = h_aio_init,
    .nargs = 3,
    .arg = {SA_INT, SA_INT, SA_INT},
};

/*
 * aio_threads is the pool's largest size (below 1: 1, as glibc). aio_num
 * is a hint glibc rounds and grows beyond, and simk's limit of outstanding
 * requests stays sysconf(_SC_AIO_MAX); idle workers never end here, so
 * aio_idle_time changes nothing. glibc applies aio_threads only while the
 * process has made no request yet (its request table does not exist):
 * after that the call changes nothing, here too. glibc dereferences init:
 * a pointer that is not the guest's fails the run, as the crash would.
 */
void __wrap_aio_init(const struct guest_aioinit *init)
{
	GUEST_ENTER("aio_init");
	struct guest_run *r = guest_run_of(gt_);
	if (r != NULL && !guest_user_readable(r, init, sizeof(*init)))
		guest_fail(gt_, "aio_init(%p): not a struct aioinit in the guest's memory",
			   (const void *)init);
	if (r != NULL)
		(void)syscall_invoke(&desc_aio_init, (const int64_t[]){init->aio_threads,
									init->aio_num,
									init->aio_idle_time});
	GUEST_LEAVE();
}

/* ---- Solaris <sys/asynch.h> ----------------------------------------------------- */

int __wrap_aioread(int fd, char *buf, int bufsz, off_t offset, int whence, void *resultp)
{
	GUEST_ENTER("aioread");
	return (int)GUEST_RET(simk_aioread(fd, U(buf), bufsz, offset, whence, U(resultp)));
}

int __wrap_aiowrite(int fd, const char *buf, int bufsz, off_t offset, int whence, void *resultp)
{
	GUEST_ENTER("aiowrite");
	return (int)GUEST_RET(simk_aiowrite(fd, U(buf), bufsz, offset, whence, U(resultp)));
}

int __wrap_aiocancel(void *resultp)
{
	GUEST_ENTER("aiocancel");
	return (int)GUEST_RET(simk_aiocancel(U(resultp)));
}

/* The finished result's address, 0 on timeout, or (aio_result_t *)-1. */
void *__wrap_aiowait(const struct timeval *timeout)
{
	GUEST_ENTER("aiowait");
	int64_t r = simk_aiowait(U(timeout));
	GUEST_LEAVE();
	if (r < 0) {
		gt_->err = (int)-r;
		return (void *)(intptr_t)-1;
	}
	return (void *)(uintptr_t)r;
}

const struct guest_call guest_calls_aio[] = {
    GUEST_WRAP(aio_read, "SIGEV_THREAD runs on a simulated thread; SIGEV_SIGNAL is SI_ASYNCIO"),
    GUEST_WRAP(aio_write, "O_APPEND writes land in call order"),
    GUEST_WRAP(aio_fsync, "reads only aio_fildes and aio_sigevent"),
    GUEST_WRAP(aio_error, "EINVAL for a block that names no request"),
    GUEST_WRAP(aio_return, "once; a failed request: -1 and errno set to its error (Solaris)"),
    GUEST_WRAP(aio_cancel,
	       "Solaris's values: AIO_ALLDONE 1, AIO_NOTCANCELED 2; in progress: only "
	       "while blocked in the file"),
    GUEST_WRAP(aio_suspend, "a never-submitted block counts as done; the timeout is virtual"),
    GUEST_WRAP(lio_listio, "the list's notification comes after every entry's own"),
    GUEST_WRAP(aio_init, "glibc's: aio_threads bounds the pool (one worker first, one more per "
			 "request that finds none idle); ignored after the first request, as glibc; "
			 "aio_num and aio_idle_time change nothing"),
    GUEST_WRAP(aio_waitn, "Solaris: collects requests with SIGEV_NONE only"),
#undef FAMILY
#define FAMILY "sys/asynch.h"
    GUEST_WRAP(aioread, "whence is resolved at submission; the file offset never moves"),
    GUEST_WRAP(aiowrite, "as aioread"),
    GUEST_WRAP(aiocancel, "EACCES when not canceled, EINVAL with nothing in flight"),
    GUEST_WRAP(aiowait, "0 on timeout, (aio_result_t *)-1 and errno on error"),
};
const int guest_calls_aio_n = GUEST_NCALLS(guest_calls_aio);
