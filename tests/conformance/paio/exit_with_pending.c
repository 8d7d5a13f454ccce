/*
 * A process may exit with requests outstanding: they are canceled (Solaris
 * libc aio.c cancels everything at exit) and the exit does not wait for
 * them to complete. Here reads are left blocked — or about to block — on
 * a pipe nobody will write, beside a finished write whose result is never
 * taken, and main returns right after submitting: the run ends cleanly in
 * every schedule, including one where a worker has taken a read but not
 * yet started to wait in the pipe when the exit cancels.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char bufs[3][8];
	static struct aiocb cbs[3];
	for (int i = 0; i < 3; i++) {
		cbs[i].aio_fildes = i == 2 ? fd : p[0];
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = 8;
		CHECK((i == 2 ? aio_write(&cbs[i]) : aio_read(&cbs[i])) == 0);
	}
	return 0;
}
