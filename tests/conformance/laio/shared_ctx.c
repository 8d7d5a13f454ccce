/* One context shared by threads (as aio-stress runs it): four threads
 * submit O_DIRECT writes of their own 4 KiB blocks through the same
 * context while a fifth reaps, with io_getevents, every event exactly
 * once; each event's data names its request, and after the reaper has
 * them all, every block reads back with its writer's bytes. */
#define _GNU_SOURCE /* O_DIRECT */
#include <pthread.h>
#include <stdlib.h>

#include "laio_test.h"

#define WRITERS 4
#define EACH 8
#define BLOCK 4096

static io_context_t ctx;
static int fd;
static char *bufs;
static struct iocb cbs[WRITERS * EACH];
static int seen[WRITERS * EACH];

static void *writer(void *arg)
{
	long w = (long)arg;
	for (int i = 0; i < EACH; i++) {
		int k = (int)w * EACH + i;
		char *b = bufs + (size_t)k * BLOCK;
		memset(b, 'A' + k % 26, BLOCK);
		io_prep_pwrite(&cbs[k], fd, b, BLOCK, (long long)k * BLOCK);
		cbs[k].data = (void *)(long)k;
		struct iocb *list[1] = {&cbs[k]};
		CHECK_IS(io_submit(ctx, 1, list), 1);
	}
	return NULL;
}

static void *reaper(void *arg)
{
	(void)arg;
	int got = 0;
	while (got < WRITERS * EACH) {
		struct io_event ev[8];
		int n = io_getevents(ctx, 1, 8, ev, NULL);
		CHECK(n >= 1);
		for (int i = 0; i < n; i++) {
			long k = (long)ev[i].data;
			CHECK(k >= 0 && k < WRITERS * EACH && !seen[k]);
			CHECK(ev[i].obj == &cbs[k] && ev[i].res == BLOCK);
			seen[k] = 1;
		}
		got += n;
	}
	return NULL;
}

int main(void)
{
	CHECK_IS(io_setup(64, &ctx), 0);
	fd = open("/shared", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fd >= 0);
	bufs = aligned_alloc(BLOCK, (size_t)WRITERS * EACH * BLOCK);
	CHECK(bufs != NULL);
	pthread_t t[WRITERS + 1];
	CHECK(pthread_create(&t[WRITERS], NULL, reaper, NULL) == 0);
	for (long w = 0; w < WRITERS; w++)
		CHECK(pthread_create(&t[w], NULL, writer, (void *)w) == 0);
	for (int i = 0; i <= WRITERS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	char *back = aligned_alloc(BLOCK, BLOCK);
	CHECK(back != NULL);
	for (int k = 0; k < WRITERS * EACH; k++) {
		CHECK(pread(fd, back, BLOCK, (off_t)k * BLOCK) == BLOCK);
		CHECK(back[0] == 'A' + k % 26 && back[BLOCK - 1] == 'A' + k % 26);
	}
	free(back);
	free(bufs);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
