/* A process without children: wait and waitpid fail with ECHILD, for any
 * child (-1), a given pid, the process group (0) and with WNOHANG; an
 * unknown option bit is EINVAL. The wait-status macros decode Linux's
 * status words (exit code in bits 8..15, a terminating signal in bits
 * 0..6), which is what the kernel stores. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int st = 12345;
	CHECK_ERR(wait(&st), ECHILD);
	CHECK_ERR(wait(NULL), ECHILD);
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
	CHECK_ERR(waitpid(0, &st, 0), ECHILD);
	CHECK_ERR(waitpid(getpid() + 1, &st, 0), ECHILD);
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(-1, &st, 0x40000000), EINVAL);
	CHECK(st == 12345); /* untouched */

	int exited = 3 << 8, killed = SIGTERM;
	CHECK(WIFEXITED(exited) && WEXITSTATUS(exited) == 3 && !WIFSIGNALED(exited));
	CHECK(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGTERM && !WIFEXITED(killed));
	return 0;
}
