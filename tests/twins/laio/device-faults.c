/* Twin of scenarios/laio/device-faults.scn (run it with the scenario's
 * faults: --fault blk/write/eio:p=0.15 --fault blk/read/eio:p=0.15
 * --fault blk/complete/lost:p=0.2 --fault blk/complete/delay:p=0.2 and
 * --device timeout=1ms): O_DIRECT writes and reads under device faults.
 * A request the device fails reports -EIO in its event; a lost interrupt
 * is re-issued by the driver's timer. Whatever the faults, every
 * submitted request ends with exactly one event. The faults hit the
 * filesystem's own I/O too (the scenario turns them on after the mount):
 * an open that fails is the outcome "no-filesystem". Outcomes otherwise:
 * "some-eio" or "no-eio". */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>

#include "twin.h"

static char buf[8][4096] __attribute__((aligned(4096)));

int main(int argc, char **argv)
{
	twin_args(argc, argv);
	int fd = open("/f", O_CREAT | O_RDWR | O_DIRECT, 0644);
	if (fd < 0) {
		CHECK(errno == EIO);
		outcome("no-filesystem");
		return 0;
	}
	io_context_t ctx = 0;
	CHECK_IS(io_setup(16, &ctx), 0);
	struct iocb cb[8];
	for (int i = 0; i < 8; i++) {
		struct iocb *list[1] = {&cb[i]};
		if (i % 3 == 2)
			io_prep_pread(&cb[i], fd, buf[i], 4096, i * 4096);
		else
			io_prep_pwrite(&cb[i], fd, buf[i], 4096, i * 4096);
		cb[i].data = (void *)(long)i;
		CHECK_IS(io_submit(ctx, 1, list), 1);
	}
	int events = 0, eio = 0, seen[8] = {0};
	while (events < 8) {
		struct io_event ev[8];
		int n = io_getevents(ctx, 1, 8, ev, NULL);
		CHECK(n > 0);
		for (int k = 0; k < n; k++) {
			long res = (long)ev[k].res, i = (long)ev[k].data;
			CHECK(res == 4096 || res == 0 || res == -EIO);
			CHECK(i >= 0 && i < 8 && !seen[i]);
			seen[i] = 1;
			eio += res == -EIO;
		}
		events += n;
	}
	CHECK_IS(events, 8);
	outcome(eio ? "some-eio" : "no-eio");
	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
