/* fork gives the child a copy of the parent's memory at the same
 * addresses: a global, a heap block (reached through a pointer kept in a
 * global, so pointers into the heap stay valid) and a local of the
 * forking function all read the parent's values in the child, and the
 * child's writes to them never reach the parent. The child returns 0 from
 * fork, the parent gets the child's pid; getppid in the child is the
 * parent's pid; waitpid reaps the child with its exit status. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int counter = 7;
static char *block;

int main(void)
{
	int local = 11;
	block = malloc(64);
	CHECK(block != NULL);
	strcpy(block, "parent");
	pid_t self = getpid();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(getppid() == self);
		CHECK(getpid() != self);
		CHECK(counter == 7 && local == 11 && strcmp(block, "parent") == 0);
		counter = 100;
		local = 200;
		strcpy(block, "child");
		char *more = malloc(32); /* the child's heap grows on its own */
		CHECK(more != NULL);
		strcpy(more, "mine");
		CHECK(counter == 100 && local == 200 && strcmp(block, "child") == 0);
		free(more);
		free(block);
		exit(3);
	}
	CHECK(pid != self);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CHECK(counter == 7 && local == 11 && strcmp(block, "parent") == 0);
	CHECK_ERR(waitpid(pid, &st, 0), ECHILD);
	free(block);
	return 0;
}
