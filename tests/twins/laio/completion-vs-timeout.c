/* Twin of scenarios/laio/completion-vs-timeout.scn (run it with
 * --device latency=fixed:100us --step-cost 0, as the scenario declares):
 * io_getevents with a 200 us timeout while another thread submits an
 * O_DIRECT write at the same virtual instant — the write and its read-back
 * take 200 us, so the completion interrupt and the timeout are due
 * together. Outcomes: "event" (io_getevents returned it) or "timeout" (it
 * returned 0 and the event waited in the ring for the next call); never
 * lost, never seen twice. */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <pthread.h>
#include <time.h>

#include "twin.h"

static io_context_t ctx;
static int fd;
static char buf[512] __attribute__((aligned(512)));

static void *submitter(void *arg)
{
	(void)arg;
	struct iocb cb, *list[1] = {&cb};
	io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
	cb.data = (void *)7;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	return NULL;
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	CHECK_IS(io_setup(4, &ctx), 0);
	fd = open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, submitter, NULL) == 0);
	struct io_event ev;
	struct timespec ts = {0, 200000};
	long long t0 = now_ns();
	int n = io_getevents(ctx, 1, 1, &ev, &ts);
	CHECK(now_ns() - t0 <= 200000);
	CHECK(n == 0 || n == 1);
	int first = n;
	if (n == 0)
		n = io_getevents(ctx, 1, 1, &ev, NULL); /* the timeout won: still there */
	CHECK_IS(n, 1);
	CHECK(ev.data == (void *)7 && ev.res == 512);
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	CHECK(pthread_join(t, NULL) == 0);
	outcome(first ? "event" : "timeout");
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
