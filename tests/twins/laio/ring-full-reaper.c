/* Twin of scenarios/laio/ring-full-reaper.scn: a ring of 127 slots
 * (io_setup(1): at most 126 events in it). A submitter pushes 200
 * buffered one-byte writes, each completing inside io_submit; when the
 * ring is full io_submit says -EAGAIN and it sleeps 1 us. A reaper takes
 * events straight from the ring — io_events[head], then head moves, as
 * libaio-based programs do, no system call — and frees slots. The ring
 * wraps; every event is seen exactly once, in order. Outcomes: the ring
 * was "full" at least once, or "never-full". */
#include <fcntl.h>
#include <pthread.h>

#include "twin.h"

#define N 200

static io_context_t ctx;
static int reaped;

static void *reaper(void *arg)
{
	(void)arg;
	WAIT_NONZERO(&ctx);
	struct simk_aio_ring *ring = (struct simk_aio_ring *)ctx;
	CHECK(ring->magic == SIMK_AIO_RING_MAGIC && ring->nr == 127);
	while (__atomic_load_n(&reaped, __ATOMIC_SEQ_CST) < N) {
		int n = 0;
		while (ring->head != ring->tail && n < 16) {
			struct io_event ev = ring->io_events[ring->head];
			ring->head = (ring->head + 1) % ring->nr;
			CHECK(ev.data == (void *)(long)reaped);
			CHECK_IS(ev.res, 1);
			__atomic_add_fetch(&reaped, 1, __ATOMIC_SEQ_CST);
			n++;
		}
		if (n == 0)
			usleep(1);
		else
			sched_yield();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, reaper, NULL) == 0);
	int fd = open("/b", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	io_context_t c = 0;
	CHECK_IS(io_setup(1, &c), 0);
	__atomic_store_n(&ctx, c, __ATOMIC_SEQ_CST);
	int full = 0;
	static struct iocb cb[N];
	char byte = 'b';
	for (int submitted = 0; submitted < N;) {
		struct iocb *list[1] = {&cb[submitted]};
		io_prep_pwrite(&cb[submitted], fd, &byte, 1, submitted);
		cb[submitted].data = (void *)(long)submitted;
		int r = io_submit(c, 1, list);
		if (r == 1) {
			submitted++;
		} else {
			CHECK_IS(r, -EAGAIN);
			full = 1;
			usleep(1);
		}
	}
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_IS(reaped, N);
	outcome(full ? "full" : "never-full");
	CHECK_IS(io_destroy(c), 0);
	CHECK(close(fd) == 0);
	return 0;
}
