/*
 * <sys/wait.h> for guests: waiting for child processes (kern/proc.c).
 *
 * A guest is one process and cannot fork yet (fork is refused: the
 * design it needs is in docs/guest.md, "Processes"), so it never has a
 * child: wait and waitpid fail with ECHILD, as on Linux for a process
 * without children. They are the kernel's waitpid system call all the
 * same — the status word it stores is Linux's (WIFEXITED, WEXITSTATUS,
 * WIFSIGNALED, WTERMSIG: kern/proc.h) — and restart after a handler with
 * SA_RESTART, so they will work unchanged once a guest has children.
 */
#include <errno.h>
#include <sys/wait.h>

#include "guest/guest.h"
#include "simk/proc.h"

#define FAMILY "sys/wait.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

static int64_t do_wait(struct guest_thread *gt, pid_t pid, int *status, int options)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return -EPERM;
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED))
		return -EINVAL;
	if (status != NULL && !guest_user_writable(r, status, sizeof(*status)))
		return -EFAULT;
	/* nothing stops or continues; WNOHANG needs no kernel support while
	 * there is no child (the call returns ECHILD at once) */
	struct guest_thread *gt_ = gt;
	return GUEST_RESTARTABLE(simk_waitpid(pid == 0 ? -1 : pid, U(status), 0));
}

pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
	GUEST_ENTER("waitpid");
	return (pid_t)GUEST_RET(do_wait(gt_, pid, status, options));
}

pid_t __wrap_wait(int *status)
{
	GUEST_ENTER("wait");
	return (pid_t)GUEST_RET(do_wait(gt_, -1, status, 0));
}

const struct guest_call guest_calls_proc[] = {
    GUEST_WRAP(waitpid, "no fork yet: ECHILD; Linux's status word (WIFEXITED, WTERMSIG...)"),
    GUEST_WRAP(wait, "no fork yet: ECHILD"),
};
const int guest_calls_proc_n = GUEST_NCALLS(guest_calls_proc);
