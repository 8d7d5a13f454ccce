/*
 * An aio_read on a pipe stays in progress until bytes arrive (FreeBSD
 * aio_test's pipe case): aio_error is EINPROGRESS and aio_suspend with a
 * timeout returns EAGAIN while the pipe is empty; after a write it
 * completes with the bytes written (a pipe read takes what is there, up
 * to aio_nbytes); the offset is ignored on a pipe. An aio_write to a pipe
 * with a reader completes the same way.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	static char in[64];
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	r.aio_offset = 12345; /* no meaning on a pipe */
	CHECK(aio_read(&r) == 0);
	const struct aiocb *l[1] = {&r};
	struct timespec ts = {0, 5 * 1000 * 1000};
	CHECK_ERR(aio_suspend(l, 1, &ts), EAGAIN);
	CHECK(aio_error(&r) == EINPROGRESS);
	CHECK_ERR(aio_return(&r), EINPROGRESS);

	CHECK(write(p[1], "hello", 5) == 5);
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_error(&r) == 0);
	CHECK(aio_return(&r) == 5);
	CHECK(memcmp(in, "hello", 5) == 0);

	struct aiocb w;
	memset(&w, 0, sizeof(w));
	w.aio_fildes = p[1];
	w.aio_buf = "world";
	w.aio_nbytes = 5;
	CHECK(aio_write(&w) == 0);
	l[0] = &w;
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&w) == 5);
	char back[5];
	CHECK(read(p[0], back, 5) == 5 && memcmp(back, "world", 5) == 0);
	return 0;
}
