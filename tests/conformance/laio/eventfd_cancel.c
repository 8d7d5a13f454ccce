/* The eventfd of a request counts its completion however it ends: a pipe
 * read cancelled with io_cancel still adds 1 (Linux 2.6 signals the
 * eventfd in aio_complete, which a cancelled request goes through), and a
 * completed one adds 1; a request that io_submit refused adds nothing.
 * A thread blocked in eventfd_read wakes for the completion. */
#include <pthread.h>
#include <sys/eventfd.h>

#include "laio_test.h"

static int efd;
static eventfd_t woke;

static void *reader(void *arg)
{
	(void)arg;
	CHECK(eventfd_read(efd, &woke) == 0);
	return NULL;
}

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	char a[4];
	struct iocb cb, *list[1] = {&cb};
	io_prep_pread(&cb, p[0], a, sizeof(a), 0);
	io_set_eventfd(&cb, efd);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	struct io_event res;
	CHECK_IS(io_cancel(ctx, &cb, &res), 0);
	eventfd_t n = 0;
	CHECK(eventfd_read(efd, &n) == 0 && n == 1);

	/* refused: no signal (the eventfd stays at 0, so a read would block) */
	cb.aio_fildes = 1000;
	CHECK_IS(io_submit(ctx, 1, list), -EBADF);

	/* a blocked reader wakes when the read completes */
	pthread_t t;
	CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
	io_prep_pread(&cb, p[0], a, sizeof(a), 0);
	io_set_eventfd(&cb, efd);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	usleep(100);
	CHECK_IS(woke, 0);
	CHECK(write(p[1], "ok", 2) == 2);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_IS(woke, 1);
	struct io_event ev;
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 2);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(efd) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
