/* A pipe made before fork joins parent and child: the child writes a
 * message and its own pid, the parent reads them after closing its write
 * end, then sees end of file once the child's end is closed by its exit;
 * the child reads the parent's answer on a second pipe. Each process's
 * buffers are its own memory at the same addresses. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char buf[64];

int main(void)
{
	int up[2], down[2];
	CHECK(pipe(up) == 0 && pipe(down) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(close(up[0]) == 0 && close(down[1]) == 0);
		pid_t me = getpid();
		CHECK(write(up[1], "hello", 5) == 5);
		CHECK(write(up[1], &me, sizeof(me)) == (ssize_t)sizeof(me));
		memset(buf, 0, sizeof(buf));
		CHECK(read(down[0], buf, sizeof(buf)) == 3 && memcmp(buf, "ack", 3) == 0);
		_exit(0);
	}
	CHECK(close(up[1]) == 0 && close(down[0]) == 0);
	size_t got = 0;
	while (got < 5 + sizeof(pid_t)) {
		ssize_t n = read(up[0], buf + got, sizeof(buf) - got);
		CHECK(n > 0);
		got += (size_t)n;
	}
	pid_t sent;
	memcpy(&sent, buf + 5, sizeof(sent));
	CHECK(memcmp(buf, "hello", 5) == 0 && sent == pid);
	CHECK(write(down[1], "ack", 3) == 3);
	CHECK(read(up[0], buf, sizeof(buf)) == 0); /* the child's end closed at its exit */
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(close(up[0]) == 0 && close(down[1]) == 0);
	return 0;
}
