/* Twin of scenarios/laio/completion-order.scn, a teaching example of a
 * bug (it fails on purpose): two O_DIRECT writes to two files go to the
 * device in one io_submit, and the program takes the first event
 * io_getevents returns to be the first request's. The device reorders
 * (each request draws its own latency), so sometimes the second request
 * completes first and the check fails: `simk explore` finds such a seed
 * and `simk run --seed N` replays it. Outcomes: "in-order" (the check
 * holds) or "reordered" (which is the failure itself). */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>

#include "twin.h"

static char a[512] __attribute__((aligned(512)));
static char b[512] __attribute__((aligned(512)));

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	io_context_t ctx = 0;
	CHECK_IS(io_setup(4, &ctx), 0);
	int fx = open("/x", O_CREAT | O_RDWR | O_DIRECT, 0644);
	int fy = open("/y", O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(fx >= 0 && fy >= 0);
	struct iocb ca, cb, *list[2] = {&ca, &cb};
	io_prep_pwrite(&ca, fx, a, sizeof(a), 0);
	io_prep_pwrite(&cb, fy, b, sizeof(b), 0);
	ca.data = (void *)1;
	cb.data = (void *)2;
	CHECK_IS(io_submit(ctx, 2, list), 2);
	struct io_event ev[2];
	CHECK_IS(io_getevents(ctx, 2, 2, ev, NULL), 2);
	outcome(ev[0].data == (void *)1 ? "in-order" : "reordered");
	CHECK(ev[0].data == (void *)1); /* wrong: the device may reorder */
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fx) == 0 && close(fy) == 0);
	return 0;
}
