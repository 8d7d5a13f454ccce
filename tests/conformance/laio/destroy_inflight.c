/* io_destroy with requests in flight (Linux 2.6 io_destroy ->
 * kill_ctx/wait_for_all_aios): pending pipe reads are cancelled and an
 * O_DIRECT write on the device is waited for, so io_destroy returns 0
 * with nothing left behind; their events are dropped with the ring. The
 * write did happen. A thread sleeping in io_getevents on the context is
 * woken with -EINVAL (later Linux; 2.6 could leave it asleep), or with
 * the write's event when the device finished it before the destroy. */
#define _GNU_SOURCE /* O_DIRECT */
#include <pthread.h>
#include <stdlib.h>

#include "laio_test.h"

static io_context_t ctx;
static int waiter_result = 1;
static struct io_event waiter_ev[8];

static void *waiter(void *arg)
{
	(void)arg;
	waiter_result = io_getevents(ctx, 8, 8, waiter_ev, NULL);
	return NULL;
}

int main(void)
{
	CHECK_IS(io_setup(16, &ctx), 0);
	int p[2];
	CHECK(pipe(p) == 0);
	int fd = make_file("/x", 0, 0, O_RDWR | O_DIRECT);
	void *wbuf = NULL;
	CHECK(posix_memalign(&wbuf, 512, 1024) == 0);
	memset(wbuf, 'D', 1024);
	char r[3][4];
	struct iocb cb[4], *list[4];
	for (int i = 0; i < 3; i++) {
		io_prep_pread(&cb[i], p[0], r[i], 4, 0);
		list[i] = &cb[i];
	}
	io_prep_pwrite(&cb[3], fd, wbuf, 1024, 0);
	list[3] = &cb[3];
	CHECK_IS(io_submit(ctx, 4, list), 4);

	pthread_t t;
	CHECK(pthread_create(&t, NULL, waiter, NULL) == 0);
	usleep(100);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(pthread_join(t, NULL) == 0);
	/* -EINVAL, or the write's event if the device finished it first */
	if (waiter_result != -EINVAL) {
		CHECK_IS(waiter_result, 1);
		CHECK(waiter_ev[0].obj == &cb[3] && waiter_ev[0].res == 1024);
	}

	char back[1024];
	int plain = open("/x", O_RDONLY);
	CHECK(plain >= 0);
	CHECK(pread(plain, back, sizeof(back), 0) == 1024 && memcmp(back, wbuf, 1024) == 0);
	/* the cancelled reads took nothing from the pipe */
	CHECK(write(p[1], "abc", 3) == 3);
	char got[4];
	CHECK(read(p[0], got, sizeof(got)) == 3 && memcmp(got, "abc", 3) == 0);

	free(wbuf);
	CHECK(close(fd) == 0 && close(plain) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
