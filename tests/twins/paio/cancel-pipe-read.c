/*
 * Twin of scenarios/paio/cancel-pipe-read.scn: aio_cancel of a read
 * blocked in an empty pipe while a writer puts three bytes in. If the
 * cancel finds the worker asleep in the pipe the request ends at once with
 * ECANCELED (AIO_CANCELED) — and if the bytes arrived before the worker
 * unwound, that read consumed them (the reference's window: Solaris libc
 * aio.c's longjmp after a completed read). If the bytes woke the worker
 * first, the read is not cancelable (AIO_NOTCANCELED) or already done
 * (AIO_ALLDONE) and returns them. The request ends exactly once and no
 * byte is delivered twice. Differences: simk's default pool.
 *
 * Arguments: forbid=NAME fails the run on that cancel outcome;
 * forbid=eaten / forbid=left on a canceled read that did / did not take
 * the bytes.
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int rd, wr;
static struct aiocb cb;
static int outcome = -1;

static void *writer(void *arg)
{
	(void)arg;
	CHECK(write(wr, "xxx", 3) == 3);
	return NULL;
}

static void *canceller(void *arg)
{
	(void)arg;
	outcome = aio_cancel(rd, &cb);
	return NULL;
}

static const char *name(int o)
{
	return o == AIO_CANCELED ? "AIO_CANCELED" : o == AIO_NOTCANCELED ? "AIO_NOTCANCELED"
						 : o == AIO_ALLDONE    ? "AIO_ALLDONE"
								       : "?";
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
	int p[2];
	CHECK(pipe(p) == 0);
	rd = p[0];
	wr = p[1];
	static char in[16], rest[16];
	cb.aio_fildes = rd;
	cb.aio_buf = in;
	cb.aio_nbytes = sizeof(in);
	CHECK(aio_read(&cb) == 0);
	usleep(10); /* the worker is asleep in the pipe now */
	pthread_t w, c;
	CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
	CHECK(pthread_create(&c, NULL, canceller, NULL) == 0);
	CHECK(pthread_join(w, NULL) == 0);
	CHECK(pthread_join(c, NULL) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	ssize_t n = aio_return(&cb);
	if (outcome == AIO_CANCELED) {
		CHECK(n == -1 && errno == ECANCELED);
	} else {
		CHECK(outcome == AIO_NOTCANCELED || outcome == AIO_ALLDONE);
		CHECK(n == 3 && memcmp(in, "xxx", 3) == 0);
	}
	/* what the request did not deliver is still in the pipe, or was
	 * eaten by the canceled read; never both delivered and left */
	CHECK(close(wr) == 0);
	ssize_t left = read(rd, rest, sizeof(rest));
	if (n == 3)
		CHECK(left == 0);
	else
		CHECK(left == 0 || left == 3);
	CHECK(aio_return(&cb) == -1 && errno == EINVAL);
	CHECK(close(rd) == 0);
	const char *bytes = n == 3 ? "delivered" : left == 0 ? "eaten" : "left";
	printf("outcome %s bytes %s\n", name(outcome), bytes);
	return forbidden(argc, argv, name(outcome)) || forbidden(argc, argv, bytes);
}
