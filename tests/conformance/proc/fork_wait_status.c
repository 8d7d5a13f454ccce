/* waitpid's status words for children that end in different ways: exit(3)
 * gives WIFEXITED with WEXITSTATUS 3; a child killed with SIGKILL while it
 * sleeps gives WIFSIGNALED with WTERMSIG SIGKILL; a child that returns 42
 * from main's caller (exit through the atexit handler it inherited)
 * gives 42. WNOHANG returns 0 while a child still lives; wait() with no
 * child left fails with ECHILD. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int handler_ran;

static void at_exit(void)
{
	handler_ran = 1; /* the child's copy: the parent's stays 0 */
}

int main(void)
{
	CHECK(atexit(at_exit) == 0);
	int block[2];
	CHECK(pipe(block) == 0);
	pid_t a = fork();
	CHECK(a >= 0);
	if (a == 0)
		exit(3);
	pid_t b = fork();
	CHECK(b >= 0);
	if (b == 0) {
		char c;
		(void)read(block[0], &c, 1); /* sleeps until killed: nobody writes */
		_exit(9);
	}
	int st = -1;
	CHECK(waitpid(b, &st, WNOHANG) == 0); /* b sleeps in read */
	CHECK(waitpid(a, &st, 0) == a);
	CHECK(WIFEXITED(st) && !WIFSIGNALED(st) && WEXITSTATUS(st) == 3);
	CHECK(kill(b, SIGKILL) == 0);
	CHECK(waitpid(b, &st, 0) == b);
	CHECK(WIFSIGNALED(st) && !WIFEXITED(st) && WTERMSIG(st) == SIGKILL);
	pid_t c = fork();
	CHECK(c >= 0);
	if (c == 0)
		exit(42);
	CHECK(wait(&st) == c && WIFEXITED(st) && WEXITSTATUS(st) == 42);
	CHECK_ERR(wait(&st), ECHILD);
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	CHECK(handler_ran == 0);
	CHECK(close(block[0]) == 0 && close(block[1]) == 0);
	return 0;
}
