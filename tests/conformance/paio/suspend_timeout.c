/*
 * aio_suspend's timeout (LTP aio_suspend 4-1, 9-1): with nothing done in
 * the list it returns -1 with EAGAIN once the time has passed — on the
 * virtual clock, so exactly after it; a zero timespec polls; a timespec
 * with tv_nsec out of range is EINVAL; nent outside 1..AIO_LISTIO_MAX is
 * EINVAL. A request that ends within the timeout wakes it early.
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int wfd;

static void *writer(void *arg)
{
	(void)arg;
	usleep(3000);
	CHECK(write(wfd, "z", 1) == 1);
	return NULL;
}

static long long now_ns(void)
{
	struct timespec t;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	wfd = p[1];
	static char in[1];
	struct aiocb r;
	memset(&r, 0, sizeof(r));
	r.aio_fildes = p[0];
	r.aio_buf = in;
	r.aio_nbytes = 1;
	CHECK(aio_read(&r) == 0);
	const struct aiocb *l[1] = {&r};

	struct timespec ts = {0, 20 * 1000 * 1000};
	long long t0 = now_ns();
	CHECK_ERR(aio_suspend(l, 1, &ts), EAGAIN);
	CHECK(now_ns() - t0 >= 20 * 1000 * 1000);
	struct timespec zero = {0, 0};
	CHECK_ERR(aio_suspend(l, 1, &zero), EAGAIN);
	struct timespec bad = {0, 1000000000};
	CHECK_ERR(aio_suspend(l, 1, &bad), EINVAL);
	CHECK_ERR(aio_suspend(l, 0, &ts), EINVAL);
	CHECK_ERR(aio_suspend(l, -1, &ts), EINVAL);

	pthread_t t;
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	struct timespec long_ts = {10, 0};
	t0 = now_ns();
	CHECK(aio_suspend(l, 1, &long_ts) == 0);
	CHECK(now_ns() - t0 < 1000000000LL);
	CHECK(aio_return(&r) == 1);
	CHECK(pthread_join(t, NULL) == 0);
	return 0;
}
