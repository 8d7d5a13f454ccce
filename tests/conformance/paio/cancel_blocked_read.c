/*
 * aio_cancel of a request that cannot complete yet (LTP aio_cancel 3-1,
 * 5-1, 6-1; FreeBSD aio_test's cancel cases): a read blocked on an empty
 * pipe is canceled — AIO_CANCELED, then aio_error ECANCELED and
 * aio_return -1 (errno ECANCELED, as Solaris libc sets it) — and no byte
 * written once the worker has unwound is consumed by it. Solaris libc
 * aio.c interrupts a worker blocked in the read the same way. (simk's
 * window: a worker told to cancel that has not run yet when bytes
 * arrive takes them, its result staying ECANCELED — docs/paio.md,
 * "Cancellation"; the program lets it unwind first.)
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
	static char in[16];
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	CHECK(aio_read(&r) == 0);
	usleep(1000); /* let a worker take it and block in the pipe */
	CHECK(aio_error(&r) == EINPROGRESS);
	CHECK(aio_cancel(p[0], &r) == AIO_CANCELED);
	CHECK(aio_error(&r) == ECANCELED);
	CHECK_ERR(aio_return(&r), ECANCELED);
	CHECK_ERR(aio_return(&r), EINVAL);
	usleep(1000); /* the canceled worker unwinds */

	CHECK(write(p[1], "abc", 3) == 3);
	char back[3];
	CHECK(read(p[0], back, 3) == 3 && memcmp(back, "abc", 3) == 0);
	/* the canceled block can be submitted again */
	CHECK(aio_read(&r) == 0);
	CHECK(write(p[1], "de", 2) == 2);
	const struct aiocb *l[1] = {&r};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&r) == 2);
	return 0;
}
