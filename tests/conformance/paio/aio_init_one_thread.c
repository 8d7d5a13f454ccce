/*
 * aio_init(3) with aio_threads = 0: "if this field is specified with a
 * value less than 1, the value 1 is used". One worker serves the process:
 * requests run one after the other, in submission order, so a read whose
 * data is there waits for the blocked read before it and then both end.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	struct aioinit init;
	memset(&init, 0, sizeof(init));
	aio_init(&init);
	int a[2], b[2];
	CHECK(pipe(a) == 0 && pipe(b) == 0);
	CHECK(write(b[1], "B", 1) == 1);
	char ca = 0, cbyte = 0;
	struct aiocb ra, rb;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	ra.aio_fildes = a[0];
	ra.aio_buf = &ca;
	ra.aio_nbytes = 1;
	rb.aio_fildes = b[0];
	rb.aio_buf = &cbyte;
	rb.aio_nbytes = 1;
	CHECK(aio_read(&ra) == 0);
	CHECK(aio_read(&rb) == 0);
	const struct aiocb *l[1] = {&rb};
	struct timespec ts = {0, 20 * 1000 * 1000};
	CHECK_ERR(aio_suspend(l, 1, &ts), EAGAIN);
	CHECK(aio_error(&rb) == EINPROGRESS);

	CHECK(write(a[1], "A", 1) == 1);
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&rb) == 1 && cbyte == 'B');
	l[0] = &ra;
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&ra) == 1 && ca == 'A');
	printf("ok\n");
	return 0;
}
