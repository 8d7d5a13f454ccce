/* Twin of scenarios/laio/close-inflight.scn: a thread closes an O_DIRECT
 * file while another submits a write to it and waits. Outcomes: "closed"
 * (the close came first: io_submit -EBADF) or "written" (the request
 * holds the file and completes normally, with 4096; the file's last
 * reference is then dropped by deferred work after the completion). One
 * event at most, nothing left behind. */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <pthread.h>

#include "twin.h"

static int fd = -1;
static char buf[4096] __attribute__((aligned(4096)));

static void *closer(void *arg)
{
	(void)arg;
	CHECK(close(fd) == 0);
	return NULL;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	io_context_t ctx = 0;
	CHECK_IS(io_setup(4, &ctx), 0);
	fd = open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, closer, NULL) == 0);
	struct iocb cb, *list[1] = {&cb};
	io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
	cb.data = (void *)3;
	int r = io_submit(ctx, 1, list);
	CHECK(r == 1 || r == -EBADF);
	struct io_event ev;
	if (r == 1) {
		CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
		CHECK_IS(ev.res, 4096);
	}
	CHECK(pthread_join(t, NULL) == 0);
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	outcome(r == 1 ? "written" : "closed");
	CHECK_IS(io_destroy(ctx), 0);
	return 0;
}
