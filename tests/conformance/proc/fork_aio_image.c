/* A completion that writes into a process which is not running: the
 * child reads a pipe with Linux AIO into its copy of a global buffer and
 * sleeps in io_getevents; the parent then writes the pipe, so the read
 * completes in the parent's context, while the parent's memory is the one
 * in place. The bytes and the completion event (in the ring, in the
 * child's heap) must reach the child's memory — its buffer has the data,
 * its ring the event — and the parent's buffer at the same address must
 * keep its own bytes. */
#include <libaio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char buf[32];

int main(void)
{
	int data[2], ready[2];
	CHECK(pipe(data) == 0 && pipe(ready) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		io_context_t ctx = 0;
		CHECK(io_setup(4, &ctx) == 0);
		struct iocb cb, *list[1] = {&cb};
		memset(buf, 'c', sizeof(buf));
		io_prep_pread(&cb, data[0], buf, sizeof(buf), 0);
		CHECK(io_submit(ctx, 1, list) == 1);
		CHECK(write(ready[1], "r", 1) == 1);
		struct io_event ev;
		CHECK(io_getevents(ctx, 1, 1, &ev, NULL) == 1);
		CHECK(ev.obj == &cb && ev.res == 10);
		CHECK(memcmp(buf, "child data", 10) == 0 && buf[10] == 'c');
		CHECK(io_destroy(ctx) == 0);
		_exit(0);
	}
	memset(buf, 'P', sizeof(buf));
	char c;
	CHECK(read(ready[0], &c, 1) == 1);
	CHECK(write(data[1], "child data", 10) == 10); /* completes the child's read here */
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 'P');
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 'P');
	return 0;
}
