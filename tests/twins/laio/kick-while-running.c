/* Twin of scenarios/laio/kick-while-running.scn: a 12 KiB AIO write into a
 * full pipe; a reader drains it 4 KiB at a time, each read making the pipe
 * writable and kicking the request, some kicks arriving while the retry
 * runs (the kernel's laio:kick trace event shows them: run state 2). The
 * write must end once, with all 12 KiB, and nothing else in the ring.
 * A guest cannot see the kernel's run state, so the outcomes are what it
 * can see: whether the reader had "drained" everything or was still
 * "draining" when the writer's io_getevents returned. */
#include <pthread.h>

#include "twin.h"

#define FILL 16384
#define WRITE (12 * 1024)

static int ready;
static int rd;
static int got;
static char fill[FILL];

static void *drainer(void *arg)
{
	(void)arg;
	WAIT_NONZERO(&ready);
	char b[4096];
	while (__atomic_load_n(&got, __ATOMIC_SEQ_CST) < FILL + WRITE) {
		ssize_t n = read(rd, b, sizeof(b));
		CHECK(n > 0);
		__atomic_add_fetch(&got, (int)n, __ATOMIC_SEQ_CST);
		sched_yield();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	int p[2];
	CHECK(pipe(p) == 0);
	rd = p[0];
	pthread_t t;
	CHECK(pthread_create(&t, NULL, drainer, NULL) == 0);
	io_context_t ctx = 0;
	CHECK_IS(io_setup(4, &ctx), 0);
	CHECK(write(p[1], fill, FILL) == FILL);
	static char data[WRITE];
	struct iocb cb, *list[1] = {&cb};
	io_prep_pwrite(&cb, p[1], data, WRITE, 0);
	cb.data = (void *)9;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	struct io_event ev;
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK(ev.data == (void *)9);
	CHECK_IS(ev.res, WRITE);
	int drained = __atomic_load_n(&got, __ATOMIC_SEQ_CST) == FILL + WRITE;
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), 0);
	CHECK(pthread_join(t, NULL) == 0);
	outcome(drained ? "drained" : "draining");
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
