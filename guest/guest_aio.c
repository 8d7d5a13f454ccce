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
 *  - SIGEV_SIGNAL with a signal: refused with EINVAL (FreeBSD's errno for
 *    "notification method not supported"), since guests cannot catch
 *    signals yet and the default action would end the process. Signal 0
 *    sends nothing (Solaris libc) and is accepted.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>

#include "guest/guest.h"
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
	KASSERT(r != NULL && t != NULL && t->proc == r->proc,
		"SIGEV_THREAD thread outside the guest's process");
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

/* ---- SIGEV_SIGNAL ------------------------------------------------------------- */

/* Whether the sigevent at sev (guest memory, maybe unreadable: then the
 * kernel answers EFAULT) asks for a signal. */
static bool wants_signal(struct guest_run *r, const void *sev)
{
	const struct simk_sigevent *se = sev;
	if (sev == NULL || r == NULL || !guest_user_readable(r, se, sizeof(*se)))
		return false;
	return se->sigev_notify == SIMK_SIGEV_SIGNAL && se->sigev_signo != 0;
}

static const void *sigev_of(const void *aiocbp)
{
	if (aiocbp == NULL)
		return NULL;
	return (const char *)aiocbp + offsetof(struct simk_aiocb, aio_sigevent);
}

/* ---- POSIX -------------------------------------------------------------------- */

int __wrap_aio_read(void *aiocbp)
{
	GUEST_ENTER("aio_read");
	hooks_ensure();
	if (wants_signal(guest_run_of(gt_), sigev_of(aiocbp)))
		return (int)GUEST_RET(-EINVAL);
	return (int)GUEST_RET(simk_aio_read(U(aiocbp)));
}

int __wrap_aio_write(void *aiocbp)
{
	GUEST_ENTER("aio_write");
	hooks_ensure();
	if (wants_signal(guest_run_of(gt_), sigev_of(aiocbp)))
		return (int)GUEST_RET(-EINVAL);
	return (int)GUEST_RET(simk_aio_write(U(aiocbp)));
}

int __wrap_aio_fsync(int op, void *aiocbp)
{
	GUEST_ENTER("aio_fsync");
	hooks_ensure();
	if (wants_signal(guest_run_of(gt_), sigev_of(aiocbp)))
		return (int)GUEST_RET(-EINVAL);
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

/* Whether the list's own sigevent (LIO_NOWAIT) or an entry's asks for a
 * signal: the whole call is refused before anything is queued. */
static bool list_wants_signal(struct guest_run *r, int mode, void *const *list, int nent,
			      const void *sig)
{
	if (mode == SIMK_LIO_NOWAIT && wants_signal(r, sig))
		return true;
	if (list == NULL || nent < 1 || nent > 4096 ||
	    !guest_user_readable(r, list, (size_t)nent * sizeof(list[0])))
		return false;
	for (int i = 0; i < nent; i++) {
		const struct simk_aiocb *cb = list[i];
		if (cb == NULL || !guest_user_readable(r, cb, sizeof(*cb)))
			continue;
		if ((cb->aio_lio_opcode == SIMK_LIO_READ || cb->aio_lio_opcode == SIMK_LIO_WRITE) &&
		    wants_signal(r, sigev_of(cb)))
			return true;
	}
	return false;
}

int __wrap_lio_listio(int mode, void *const *list, int nent, void *sig)
{
	GUEST_ENTER("lio_listio");
	hooks_ensure();
	if (list_wants_signal(guest_run_of(gt_), mode, list, nent, sig))
		return (int)GUEST_RET(-EINVAL);
	return (int)GUEST_RET(simk_lio_listio(mode, U(list), nent, U(sig)));
}

int __wrap_aio_waitn(void *list, unsigned int nent, unsigned int *nwait,
		     const struct timespec *timeout)
{
	GUEST_ENTER("aio_waitn");
	return (int)GUEST_RET(simk_aio_waitn(U(list), nent, U(nwait), U(timeout)));
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
    GUEST_WRAP(aio_read, "SIGEV_SIGNAL with a signal is EINVAL (no guest signals yet); "
			 "SIGEV_THREAD runs on a simulated thread"),
    GUEST_WRAP(aio_write, "O_APPEND writes land in call order; SIGEV_SIGNAL as aio_read"),
    GUEST_WRAP(aio_fsync, "reads only aio_fildes and aio_sigevent"),
    GUEST_WRAP(aio_error, "EINVAL for a block that names no request"),
    GUEST_WRAP(aio_return, "once; a failed request: -1 and errno set to its error (Solaris)"),
    GUEST_WRAP(aio_cancel,
	       "Solaris's values: AIO_ALLDONE 1, AIO_NOTCANCELED 2; in progress: only "
	       "while blocked in the file"),
    GUEST_WRAP(aio_suspend, "a never-submitted block counts as done; the timeout is virtual"),
    GUEST_WRAP(lio_listio, "an entry asking for a signal refuses the whole list (EINVAL)"),
    GUEST_WRAP(aio_waitn, "Solaris: collects requests with SIGEV_NONE only"),
#undef FAMILY
#define FAMILY "sys/asynch.h"
    GUEST_WRAP(aioread, "whence is resolved at submission; the file offset never moves"),
    GUEST_WRAP(aiowrite, "as aioread"),
    GUEST_WRAP(aiocancel, "EACCES when not canceled, EINVAL with nothing in flight"),
    GUEST_WRAP(aiowait, "0 on timeout, (aio_result_t *)-1 and errno on error"),
};
const int guest_calls_aio_n = GUEST_NCALLS(guest_calls_aio);
