/*
 * aio_init(3) "must be called before employing any other functions in
 * the POSIX AIO API" to be effective: glibc applies aio_threads only while
 * it has not yet set up its request table (the process's first request),
 * and a later call changes nothing. Here aio_threads = 2 before the first
 * request and 8 after it: the pool stays at two workers (a third request
 * waits behind two blocked pipe reads). aio_threads below 1 means 1
 * (checked before the first request, then raised by the second call).
 */
#define _GNU_SOURCE
#include <aio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int pipes[3][2];
static struct aiocb cb[3];
static char bytes[3];

static void read_one(int i)
{
	memset(&cb[i], 0, sizeof(cb[i]));
	cb[i].aio_fildes = pipes[i][0];
	cb[i].aio_buf = &bytes[i];
	cb[i].aio_nbytes = 1;
	CHECK(aio_read(&cb[i]) == 0);
}

static int ends_soon(int i)
{
	const struct aiocb *l[1] = {&cb[i]};
	struct timespec ts = {0, 5 * 1000 * 1000};
	if (aio_suspend(l, 1, &ts) == 0)
		return 1;
	CHECK(errno == EAGAIN && aio_error(&cb[i]) == EINPROGRESS);
	return 0;
}

int main(void)
{
	struct aioinit init;
	memset(&init, 0, sizeof(init));
	init.aio_threads = -5; /* 1 */
	aio_init(&init);
	init.aio_threads = 2; /* still before any request: this one counts */
	aio_init(&init);
	for (int i = 0; i < 3; i++)
		CHECK(pipe(pipes[i]) == 0);

	read_one(0);
	init.aio_threads = 8; /* too late: changes nothing */
	aio_init(&init);
	read_one(1);
	CHECK(!ends_soon(0) && !ends_soon(1));
	CHECK(write(pipes[2][1], "z", 1) == 1);
	read_one(2);
	CHECK(!ends_soon(2)); /* no third worker */

	CHECK(write(pipes[1][1], "y", 1) == 1);
	CHECK(write(pipes[0][1], "x", 1) == 1);
	const char want[3] = {'x', 'y', 'z'};
	for (int i = 0; i < 3; i++) {
		const struct aiocb *l[1] = {&cb[i]};
		CHECK(aio_suspend(l, 1, NULL) == 0);
		CHECK(aio_return(&cb[i]) == 1 && bytes[i] == want[i]);
	}
	printf("ok\n");
	return 0;
}
