/* Twin of scenarios/laio/two-getevents.scn: two threads wait in
 * io_getevents (5 ms timeout) for the one completion of an O_DIRECT write.
 * io_getevents waits exclusively, so the completion wakes one of them; the
 * other times out with nothing. Outcomes: "first" or "second" waiter got
 * the event; the invariant: exactly one did, with the request's data. */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <pthread.h>

#include "twin.h"

static io_context_t ctx;
static int got[2], done;
static char buf[512] __attribute__((aligned(512)));

static void *waiter(void *arg)
{
	long i = (long)arg;
	WAIT_NONZERO(&ctx);
	struct io_event ev;
	struct timespec ts = {0, 5000000};
	int n = io_getevents(ctx, 1, 1, &ev, &ts);
	CHECK(n == 0 || n == 1);
	if (n == 1)
		CHECK(ev.data == (void *)42);
	got[i] = n;
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, waiter, (void *)i) == 0);
	io_context_t c = 0;
	CHECK_IS(io_setup(4, &c), 0);
	__atomic_store_n(&ctx, c, __ATOMIC_SEQ_CST);
	int fd = open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	struct iocb cb, *list[1] = {&cb};
	io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
	cb.data = (void *)42;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK_IS(got[0] + got[1], 1);
	outcome(got[0] ? "first" : "second");
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
