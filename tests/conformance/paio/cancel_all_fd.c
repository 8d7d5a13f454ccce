/*
 * aio_cancel(fd, NULL) cancels every outstanding request on fd (LTP
 * aio_cancel 2-1, 4-1): three reads blocked on one pipe all end with
 * ECANCELED and the call answers AIO_CANCELED; a read blocked on another
 * pipe is left alone and completes when that pipe is written.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int a[2], b[2];
	CHECK(pipe(a) == 0 && pipe(b) == 0);
	static char bufs[4][8];
	static struct aiocb cbs[4];
	for (int i = 0; i < 4; i++) {
		cbs[i].aio_fildes = i < 3 ? a[0] : b[0];
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = sizeof(bufs[i]);
		CHECK(aio_read(&cbs[i]) == 0);
	}
	usleep(1000);
	CHECK(aio_cancel(a[0], NULL) == AIO_CANCELED);
	for (int i = 0; i < 3; i++) {
		CHECK(aio_error(&cbs[i]) == ECANCELED);
		CHECK_ERR(aio_return(&cbs[i]), ECANCELED);
	}
	CHECK(aio_error(&cbs[3]) == EINPROGRESS);
	CHECK(aio_cancel(a[0], NULL) == AIO_ALLDONE);
	CHECK(write(b[1], "x", 1) == 1);
	const struct aiocb *l[1] = {&cbs[3]};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&cbs[3]) == 1);
	return 0;
}
