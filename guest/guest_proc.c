/*
 * <unistd.h> fork and <sys/wait.h> for guests: child processes
 * (kern/proc.c; the images in guest_image.c; docs/guest.md, "Processes").
 *
 * fork is the kernel's fork system call, a switch point and a traced call
 * like the others: the child is a process of its own with a copy of the
 * parent's globals, heap and the forking thread's stack at the same
 * addresses, and one thread — the one that forked — returning 0. wait and
 * waitpid are the kernel's waitpid: the status word it stores is Linux's
 * (WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG: kern/proc.h), WNOHANG
 * returns 0 while the children live, and both restart after a handler
 * with SA_RESTART.
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

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
	/* nothing stops or continues: WUNTRACED and WCONTINUED change nothing.
	 * Every child is in the caller's process group, so pid 0 is any child. */
	struct guest_thread *gt_ = gt;
	return GUEST_RESTARTABLE(
	    simk_waitpid(pid == 0 ? -1 : pid, U(status), options & WNOHANG ? SIMK_WNOHANG : 0));
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

pid_t __wrap_fork(void)
{
	GUEST_ENTER("fork");
	int64_t r = guest_fork(gt_);
	/* asked again: in the child this is its own thread, not the copy of
	 * the parent's pointer the frame holds */
	struct guest_thread *gt = guest_current();
	GUEST_LEAVE_GT(gt);
	return (pid_t)guest_ret(gt, r);
}

const struct guest_call guest_calls_proc[] = {
    GUEST_WRAP(waitpid, "Linux's status word (WIFEXITED, WTERMSIG...); WNOHANG; pid 0 is any child"),
    GUEST_WRAP(wait, "Linux's status word"),
#undef FAMILY
#define FAMILY "unistd.h"
    GUEST_WRAP(fork, "copies globals, heap and the caller's stack; only the caller runs in the child"),
};
const int guest_calls_proc_n = GUEST_NCALLS(guest_calls_proc);
