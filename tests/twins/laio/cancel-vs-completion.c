/* Twin of scenarios/laio/cancel-vs-completion.scn: a pipe read is in
 * flight; one thread cancels it while another writes the byte that
 * completes it, and the main thread waits in io_getevents. Outcomes:
 * "cancelled" (io_cancel returned 0 with the event in its result, and no
 * event reached the ring) or "completed" (the cancel failed with -EAGAIN
 * while the retry ran or -EINVAL once it completed, and the ring got the
 * one event). Never both, never neither. */
#include <pthread.h>

#include "twin.h"

static io_context_t ctx;
static struct iocb cb;
static int wr;
static int cancelled;

static void *canceller(void *arg)
{
	(void)arg;
	struct io_event res;
	int r = io_cancel(ctx, &cb, &res);
	if (r == 0) {
		cancelled = 1;
		CHECK(res.data == (void *)5);
		/* no byte moved, the byte, or the retry stopped by the cancel */
		long v = (long)res.res;
		CHECK(v == -ECANCELED || v == 1 || v == -EINTR);
	} else {
		CHECK(r == -EAGAIN || r == -EINVAL);
	}
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	CHECK(write(wr, "z", 1) == 1);
	return NULL;
}

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	CHECK_IS(io_setup(4, &ctx), 0);
	int p[2];
	CHECK(pipe(p) == 0);
	wr = p[1];
	char b[16];
	struct iocb *list[1] = {&cb};
	io_prep_pread(&cb, p[0], b, 1, 0);
	cb.data = (void *)5;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	pthread_t c, w;
	CHECK(pthread_create(&c, NULL, canceller, NULL) == 0);
	CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
	struct io_event ev;
	struct timespec ms2 = {0, 2000000};
	int events = io_getevents(ctx, 1, 1, &ev, &ms2);
	CHECK(pthread_join(c, NULL) == 0 && pthread_join(w, NULL) == 0);
	events += io_getevents(ctx, 1, 1, &ev, &ms2);
	CHECK_IS(events + cancelled, 1);
	outcome(cancelled ? "cancelled" : "completed");
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
