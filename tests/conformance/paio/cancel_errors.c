/*
 * aio_cancel's errors (LTP aio_cancel 2-2; POSIX): a descriptor that is
 * not open — including -1 — is EBADF; an aiocb whose aio_fildes is not
 * the fd given is EINVAL (Solaris libc and POSIX: "the behavior is
 * undefined" there, simk answers EINVAL), and the request it names goes
 * on undisturbed.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK_ERR(aio_cancel(-1, NULL), EBADF);
	CHECK_ERR(aio_cancel(77, NULL), EBADF);
	int p[2];
	CHECK(pipe(p) == 0);
	int f = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(f >= 0);
	static char in[4];
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	CHECK(aio_read(&r) == 0);
	CHECK_ERR(aio_cancel(f, &r), EINVAL);
	CHECK_ERR(aio_cancel(-1, &r), EBADF);
	CHECK(aio_error(&r) == EINPROGRESS);
	CHECK(write(p[1], "four", 4) == 4);
	const struct aiocb *l[1] = {&r};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&r) == 4);
	return 0;
}
