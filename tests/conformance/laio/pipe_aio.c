/* Linux AIO on pipes, through 2.6's retry-and-kick machinery (which
 * mainline 2.6 gave only a few file types; simk gives it to pipes and
 * sockets, docs/laio.md "Where simk differs"): a read of an empty pipe
 * is accepted and completes when a writer brings data, with what it got
 * (a pipe read does not wait to fill the buffer); a write larger than the
 * pipe's 16 KiB buffer completes only once a reader has drained enough,
 * with every byte; a read after the write end is closed completes with 0
 * (end of file); a write after the read end is closed completes with
 * -EPIPE. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "laio_test.h"

#define BIG (40 * 1024)

static int rfd;
static long drained;

static void *drain(void *arg)
{
	(void)arg;
	char b[4096];
	while (drained < BIG) {
		ssize_t n = read(rfd, b, sizeof(b));
		CHECK(n > 0);
		drained += n;
	}
	return NULL;
}

int main(void)
{
	/* a write to a pipe with no reader raises SIGPIPE in the submitter,
	 * which would end the program before it sees -EPIPE */
	signal(SIGPIPE, SIG_IGN);
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	int p[2];
	CHECK(pipe(p) == 0);
	char rb[64];
	struct iocb cb, *list[1] = {&cb};
	struct io_event ev;
	struct timespec zero = {0, 0};
	io_prep_pread(&cb, p[0], rb, sizeof(rb), 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	CHECK(write(p[1], "partial", 7) == 7);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 7);
	CHECK(memcmp(rb, "partial", 7) == 0);

	char *big = malloc(BIG);
	CHECK(big != NULL);
	memset(big, 'p', BIG);
	io_prep_pwrite(&cb, p[1], big, BIG, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	rfd = p[0];
	pthread_t t;
	CHECK(pthread_create(&t, NULL, drain, NULL) == 0);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, BIG);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_IS(drained, BIG);
	free(big);

	io_prep_pread(&cb, p[0], rb, sizeof(rb), 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK(close(p[1]) == 0);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 0);

	int q[2];
	CHECK(pipe(q) == 0);
	CHECK(close(q[0]) == 0);
	io_prep_pwrite(&cb, q[1], rb, 8, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS((long)ev.res, -EPIPE);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(p[0]) == 0 && close(q[1]) == 0);
	return 0;
}
