/* A process that exits with contexts and requests still in flight (Linux
 * exit_aio): nothing is left behind — the run's end-of-run checks find no
 * context, no request and no aio-nr left — even with pipe reads that will
 * never complete, an O_DIRECT write on the device and events nobody read.
 * The program leaves without io_destroy on purpose. */
#define _GNU_SOURCE /* O_DIRECT */
#include <stdlib.h>

#include "laio_test.h"

static char wbuf[4096] __attribute__((aligned(4096)));

int main(void)
{
	io_context_t a = 0, b = 0;
	CHECK_IS(io_setup(8, &a), 0);
	CHECK_IS(io_setup(8, &b), 0);
	int p[2];
	CHECK(pipe(p) == 0);
	int fd = make_file("/e", 0, 0, O_RDWR | O_DIRECT);
	char r[2][4];
	struct iocb cb[4], *list[4];
	io_prep_pread(&cb[0], p[0], r[0], 4, 0);
	io_prep_pread(&cb[1], p[0], r[1], 4, 0);
	io_prep_pwrite(&cb[2], fd, wbuf, 4096, 0);
	int plain = make_file("/f", 100, 1, O_RDWR);
	io_prep_pread(&cb[3], plain, r[0], 4, 0);
	for (int i = 0; i < 4; i++)
		list[i] = &cb[i];
	CHECK_IS(io_submit(a, 3, list), 3);
	CHECK_IS(io_submit(b, 1, &list[3]), 1);
	exit(0);
}
