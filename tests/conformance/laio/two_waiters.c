/* Two threads in io_getevents on one context, each for one event (Linux
 * 2.6 read_events: exclusive waiters): two pipe reads complete one after
 * the other and each thread gets exactly one of the two events — never
 * both to one, never one twice. */
#include <pthread.h>

#include "laio_test.h"

static io_context_t ctx;
static struct io_event got[2];

static void *waiter(void *arg)
{
	long i = (long)arg;
	CHECK_IS(io_getevents(ctx, 1, 1, &got[i], NULL), 1);
	return NULL;
}

int main(void)
{
	CHECK_IS(io_setup(4, &ctx), 0);
	int p[2];
	CHECK(pipe(p) == 0);
	char a[1], b[1];
	struct iocb ca, cb, *list[2] = {&ca, &cb};
	io_prep_pread(&ca, p[0], a, 1, 0);
	io_prep_pread(&cb, p[0], b, 1, 0);
	CHECK_IS(io_submit(ctx, 2, list), 2);
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, waiter, (void *)i) == 0);
	CHECK(write(p[1], "1", 1) == 1);
	usleep(500);
	CHECK(write(p[1], "2", 1) == 1);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(got[0].obj != got[1].obj);
	CHECK(got[0].obj == &ca || got[0].obj == &cb);
	CHECK(got[1].obj == &ca || got[1].obj == &cb);
	CHECK(got[0].res == 1 && got[1].res == 1);
	CHECK(a[0] != b[0]);
	struct timespec zero = {0, 0};
	struct io_event more;
	CHECK_IS(io_getevents(ctx, 0, 1, &more, &zero), 0);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
