/*
 * NULL entries in aio_suspend's list are ignored (POSIX; LTP aio_suspend
 * 5-1): a list of NULLs and one pending read waits for that read; a list
 * of NULLs only waits for the timeout (EAGAIN). Any completed entry
 * anywhere in the list ends the wait (2-1, 3-1).
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
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char in[4], out[4] = "abcd";
	struct aiocb r, w;
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = sizeof(in);
	CHECK(aio_read(&r) == 0);

	const struct aiocb *nulls[3] = {NULL, NULL, NULL};
	struct timespec ts = {0, 2 * 1000 * 1000};
	CHECK_ERR(aio_suspend(nulls, 3, &ts), EAGAIN);

	const struct aiocb *mixed[4] = {NULL, &r, NULL, NULL};
	CHECK_ERR(aio_suspend(mixed, 4, &ts), EAGAIN);
	/* a write completing at the end of the list ends the wait */
	w.aio_fildes = fd;
	w.aio_buf = out;
	w.aio_nbytes = sizeof(out);
	CHECK(aio_write(&w) == 0);
	mixed[3] = &w;
	CHECK(aio_suspend(mixed, 4, NULL) == 0);
	CHECK(aio_error(&w) == 0);
	CHECK(aio_error(&r) == EINPROGRESS);
	CHECK(aio_return(&w) == 4);

	CHECK(write(p[1], "wxyz", 4) == 4);
	mixed[3] = NULL;
	CHECK(aio_suspend(mixed, 4, NULL) == 0);
	CHECK(aio_return(&r) == 4);
	return 0;
}
