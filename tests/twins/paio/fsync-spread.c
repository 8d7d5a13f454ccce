/*
 * Twin of scenarios/paio/fsync-spread.scn: writes spread over the
 * workers, then aio_fsync. The fsync puts a barrier piece on every
 * worker's queue and the worker that takes the last piece runs it
 * (Solaris libc aio.c's fan-out), so it completes only after every
 * earlier write, whichever worker it was on. One worker is held by a pipe
 * read until a helper writes a byte 2 ms later, and round robin queues
 * some writes behind it: the fsync waits for those too. Another thread
 * submits a write while the fsync is being done, which may end before or
 * after the fsync (both allowed: it was not queued before it). Differences: simk's default pool (four workers)
 * and the kernel-asynchronous path on (the fsync also waits for O_DIRECT
 * writes the device holds).
 *
 * Argument forbid=before / forbid=after fails the run when the other
 * thread's write ended before / after the fsync.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define NW 5

static int fd, wr;
static struct aiocb late;
static char late_buf[512] __attribute__((aligned(512)));

static void *helper(void *arg)
{
	(void)arg;
	usleep(2000);
	CHECK(write(wr, "!", 1) == 1);
	return NULL;
}

static void *other(void *arg)
{
	(void)arg;
	usleep(2700); /* while the fsync is being done: it may end before or after it */
	late.aio_fildes = fd;
	late.aio_buf = late_buf;
	late.aio_nbytes = sizeof(late_buf);
	late.aio_offset = 40960;
	CHECK(aio_write(&late) == 0);
	return NULL;
}

static long long now_ns(void)
{
	struct timespec t;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* forbid=NAME among the arguments and this run reached NAME: say so */
static int forbidden(int argc, char **argv, const char *what)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "forbid=", 7) == 0 && strcmp(argv[i] + 7, what) == 0) {
			printf("outcome %s reached\n", what);
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	long long t0 = now_ns();
	fd = open("/f", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	wr = p[1];
	static char one[1];
	static struct aiocb blocker, w[NW], f;
	static char bufs[NW][512] __attribute__((aligned(512)));
	blocker.aio_fildes = p[0];
	blocker.aio_buf = one;
	blocker.aio_nbytes = 1;
	CHECK(aio_read(&blocker) == 0);
	usleep(1); /* a worker is asleep in the pipe */
	pthread_t h, o;
	CHECK(pthread_create(&h, NULL, helper, NULL) == 0);
	CHECK(pthread_create(&o, NULL, other, NULL) == 0);
	for (int i = 0; i < NW; i++) {
		w[i].aio_fildes = fd;
		w[i].aio_buf = bufs[i];
		w[i].aio_nbytes = 512;
		w[i].aio_offset = (off_t)i * 4096;
		CHECK(aio_write(&w[i]) == 0);
	}
	f.aio_fildes = fd;
	CHECK(aio_fsync(O_SYNC, &f) == 0);
	const struct aiocb *l[1] = {&f};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(now_ns() - t0 >= 2000000); /* not before the held worker was freed */
	/* when the fsync is done, every write queued before it is done */
	for (int i = 0; i < NW; i++)
		CHECK(aio_error(&w[i]) == 0);
	const char *late_at = aio_error(&late) == EINPROGRESS ? "after" : "before";
	CHECK(aio_return(&f) == 0);
	for (int i = 0; i < NW; i++)
		CHECK(aio_return(&w[i]) == 512);
	CHECK(pthread_join(h, NULL) == 0);
	CHECK(pthread_join(o, NULL) == 0);
	l[0] = &late;
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&late) == 512);
	CHECK(aio_return(&blocker) == 1);
	printf("the other write ended %s the fsync\n", late_at);
	return forbidden(argc, argv, late_at);
}
