/*
 * glibc's aio_init(3) (a GNU extension): aio_threads is the most worker
 * threads the implementation uses; "if the number of outstanding I/O
 * operations exceeds this limit, then excess operations will be queued
 * until a worker thread becomes free". With aio_threads = 3: three reads
 * on three empty pipes each get a worker (a byte written to the third pipe
 * completes its read while the other two still wait), and a fourth
 * request, whose data is already there, stays queued behind them until a
 * worker is free. aio_num and aio_idle_time are hints: any value is taken.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int pipes[4][2];
static struct aiocb cb[5];
static char bytes[5];

static void read_one(int i, int pipe_no)
{
	memset(&cb[i], 0, sizeof(cb[i]));
	cb[i].aio_fildes = pipes[pipe_no][0];
	cb[i].aio_buf = &bytes[i];
	cb[i].aio_nbytes = 1;
	cb[i].aio_sigevent.sigev_notify = SIGEV_NONE;
	CHECK(aio_read(&cb[i]) == 0);
}

/* 1 when cb[i] ends within 5 ms of virtual time, 0 when it is still in progress */
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
	init.aio_threads = 3;
	init.aio_num = 7;	    /* below glibc's minimum of 32: a hint all the same */
	init.aio_idle_time = 1000; /* seconds */
	aio_init(&init);
	for (int i = 0; i < 4; i++)
		CHECK(pipe(pipes[i]) == 0);

	read_one(0, 0);
	read_one(1, 1);
	read_one(2, 2);
	CHECK(!ends_soon(0) && !ends_soon(1) && !ends_soon(2));
	/* the third read has a worker of its own */
	CHECK(write(pipes[2][1], "c", 1) == 1);
	CHECK(ends_soon(2));
	CHECK(aio_return(&cb[2]) == 1 && bytes[2] == 'c');

	/* three reads wait again; a fourth request finds its data at once but
	 * no worker: aio_threads is reached */
	read_one(2, 2);
	CHECK(write(pipes[3][1], "d", 1) == 1);
	read_one(3, 3);
	CHECK(!ends_soon(3));

	/* each byte frees a worker; everything ends, each read once */
	CHECK(write(pipes[0][1], "a", 1) == 1);
	CHECK(write(pipes[1][1], "b", 1) == 1);
	CHECK(write(pipes[2][1], "e", 1) == 1);
	const char want[4] = {'a', 'b', 'e', 'd'};
	for (int i = 0; i < 4; i++) {
		const struct aiocb *l[1] = {&cb[i]};
		CHECK(aio_suspend(l, 1, NULL) == 0);
		CHECK(aio_error(&cb[i]) == 0 && aio_return(&cb[i]) == 1);
		CHECK(bytes[i] == want[i]);
	}
	for (int i = 0; i < 4; i++)
		CHECK(close(pipes[i][0]) == 0 && close(pipes[i][1]) == 0);
	printf("ok\n");
	return 0;
}
