/* A lost update between two processes: parent and child each read a
 * counter from a file they share (opened before fork), add one and write
 * it back. Each step is a system call, so the scheduler may run the
 * other process between the read and the write; then both write 1 and
 * the parent, which checks for 2 after reaping the child, exits 1.
 * explore finds that order and the seed replays it. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void bump(int fd)
{
	int n = 0;
	CHECK(pread(fd, &n, sizeof(n), 0) == (ssize_t)sizeof(n));
	n++;
	CHECK(pwrite(fd, &n, sizeof(n), 0) == (ssize_t)sizeof(n));
}

int main(void)
{
	int fd = open("/counter", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	int zero = 0;
	CHECK(pwrite(fd, &zero, sizeof(zero), 0) == (ssize_t)sizeof(zero));
	pid_t pid = fork();
	CHECK(pid >= 0);
	bump(fd);
	if (pid == 0)
		_exit(0);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	int n = 0;
	CHECK(pread(fd, &n, sizeof(n), 0) == (ssize_t)sizeof(n));
	CHECK(close(fd) == 0);
	return n == 2 ? 0 : 1;
}
