/*
 * Twin of scenarios/paio/cancel-vs-pickup.scn: aio_cancel races the
 * worker that takes a synchronous write off its queue. Before the
 * pick-up the request is canceled (AIO_CANCELED: aio_error ECANCELED,
 * aio_return -1); after it the write is in progress on the disk, not at a
 * blocking point, so it is AIO_NOTCANCELED and completes; once it
 * completed, AIO_ALLDONE. Whatever the interleaving the request ends
 * exactly once with the result the answer promises. Differences: simk's
 * default pool (four workers, an idle one takes the write) instead of the
 * scenario's one.
 *
 * Argument forbid=NAME (AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE) makes
 * that outcome fail the run, so `simk explore` shows it happens.
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int fd;
static struct aiocb cb;
static int outcome = -1;

static void *canceller(void *arg)
{
	(void)arg;
	outcome = aio_cancel(fd, &cb);
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
	static char buf[512];
	memset(buf, 7, sizeof(buf));
	fd = open("/f", O_CREAT | O_RDWR | O_SYNC, 0644);
	CHECK(fd >= 0);
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	CHECK(aio_write(&cb) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, canceller, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	int e = aio_error(&cb);
	ssize_t n = aio_return(&cb);
	if (outcome == AIO_CANCELED) {
		CHECK(e == ECANCELED && n == -1);
	} else {
		CHECK(outcome == AIO_NOTCANCELED || outcome == AIO_ALLDONE);
		CHECK(e == 0 && n == 512);
	}
	CHECK(aio_return(&cb) == -1 && errno == EINVAL); /* exactly once */
	CHECK(close(fd) == 0);
	printf("outcome %s\n", name(outcome));
	return forbidden(argc, argv, name(outcome));
}
