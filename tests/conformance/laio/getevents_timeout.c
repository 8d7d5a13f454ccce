/* io_getevents's waiting (Linux 2.6 read_events): a zero timeout returns
 * at once with what is there; a relative timeout of 5 ms with nothing to
 * come returns 0 after exactly 5 ms of (virtual) time; when min_nr events
 * do not all arrive before the timeout, it returns the ones that did; a
 * NULL timeout waits as long as it takes — here for a pipe read that a
 * thread satisfies 2 ms later. */
#include <pthread.h>
#include <time.h>

#include "laio_test.h"

static long long now_ns(void)
{
	struct timespec t;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int wfd;

static void *late_writer(void *arg)
{
	(void)arg;
	usleep(2000);
	CHECK(write(wfd, "x", 1) == 1);
	return NULL;
}

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	struct io_event ev[4];
	struct timespec zero = {0, 0}, five_ms = {0, 5000000};

	long long t0 = now_ns();
	CHECK_IS(io_getevents(ctx, 1, 4, ev, &zero), 0);
	CHECK(now_ns() - t0 < 1000000);
	t0 = now_ns();
	CHECK_IS(io_getevents(ctx, 1, 4, ev, &five_ms), 0);
	long long waited = now_ns() - t0;
	CHECK(waited >= 5000000 && waited < 6000000);

	/* one event now, a second never: min_nr 2 returns the one */
	int fd = make_file("/t", 64, 2, O_RDWR);
	int p[2];
	CHECK(pipe(p) == 0);
	char a[8], b[8];
	struct iocb ca, cb, *list[2] = {&ca, &cb};
	io_prep_pread(&ca, fd, a, sizeof(a), 0);
	io_prep_pread(&cb, p[0], b, sizeof(b), 0);
	CHECK_IS(io_submit(ctx, 2, list), 2);
	t0 = now_ns();
	CHECK_IS(io_getevents(ctx, 2, 4, ev, &five_ms), 1);
	CHECK(ev[0].obj == &ca);
	CHECK(now_ns() - t0 >= 5000000);

	/* no timeout: wait for the pipe read */
	wfd = p[1];
	pthread_t t;
	CHECK(pthread_create(&t, NULL, late_writer, NULL) == 0);
	t0 = now_ns();
	CHECK_IS(io_getevents(ctx, 1, 4, ev, NULL), 1);
	CHECK(ev[0].obj == &cb && ev[0].res == 1 && b[0] == 'x');
	CHECK(now_ns() - t0 >= 2000000);
	CHECK(pthread_join(t, NULL) == 0);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
