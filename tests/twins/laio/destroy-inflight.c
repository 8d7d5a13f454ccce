/* Twin of scenarios/laio/destroy-inflight.scn: one thread submits two
 * O_DIRECT writes and two pipe reads and waits for all four in
 * io_getevents; another destroys the context meanwhile. io_destroy cancels
 * the pipe reads, waits for the writes on the device and wakes the waiter.
 * Outcomes: "refused" (the destroy came first: io_submit -EINVAL),
 * "woken-empty" (the waiter got -EINVAL with no event) or "woken-with-events"
 * (it returned the writes' events it had). Whatever happened, the run's
 * end-of-run check finds every request ended once and nothing left. */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <pthread.h>

#include "twin.h"

static io_context_t ctx;
static char w1[4096] __attribute__((aligned(4096)));
static char w2[512] __attribute__((aligned(512)));

static void *destroyer(void *arg)
{
	(void)arg;
	WAIT_NONZERO(&ctx);
	CHECK_IS(io_destroy(ctx), 0);
	return NULL;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, destroyer, NULL) == 0);
	int fd = open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	char r1[8], r2[8];
	struct iocb cb[4], *list[4];
	io_prep_pwrite(&cb[0], fd, w1, sizeof(w1), 0);
	io_prep_pread(&cb[1], p[0], r1, sizeof(r1), 0);
	io_prep_pwrite(&cb[2], fd, w2, sizeof(w2), 8192);
	io_prep_pread(&cb[3], p[0], r2, sizeof(r2), 0);
	for (int i = 0; i < 4; i++)
		list[i] = &cb[i];
	io_context_t c = 0;
	CHECK_IS(io_setup(8, &c), 0);
	__atomic_store_n(&ctx, c, __ATOMIC_SEQ_CST);
	int r = io_submit(c, 4, list);
	CHECK(r == -EINVAL || (r >= 0 && r <= 4));
	struct io_event ev[4];
	int n = io_getevents(c, 4, 4, ev, NULL);
	CHECK(n == -EINVAL || (n >= 0 && n <= 2));
	for (int i = 0; i < n; i++)
		CHECK(ev[i].obj == &cb[0] || ev[i].obj == &cb[2]);
	CHECK(pthread_join(t, NULL) == 0);
	outcome(r == -EINVAL ? "refused" : n > 0 ? "woken-with-events" : "woken-empty");
	CHECK(close(fd) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
