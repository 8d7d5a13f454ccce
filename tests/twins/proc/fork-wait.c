/*
 * Twin of scenarios/proc/fork-wait.scn: the parent forks a child, waits
 * for it and reads its wait(2) status: the exit code is WEXITSTATUS
 * ((st >> 8) & 0xff) and WTERMSIG (st & 0x7f) is 0; a second wait finds
 * no child (ECHILD). The scenario's shared variable is a pipe here: the
 * child's memory is a copy, so its "I ran" reaches the parent only
 * through the kernel. The child's write of the flag races the parent's
 * wait; either way the flag is there once the wait returned.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int child_ran; /* the child's copy is set, never the parent's */

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		child_ran = 1;
		CHECK(write(p[1], "r", 1) == 1);
		_exit(7);
	}
	int st = -1;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(((st >> 8) & 0xff) == 7 && (st & 0x7f) == 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	char c;
	CHECK(read(p[0], &c, 1) == 1 && c == 'r'); /* written before the exit */
	CHECK(child_ran == 0);
	CHECK_ERR(wait(&st), ECHILD);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
