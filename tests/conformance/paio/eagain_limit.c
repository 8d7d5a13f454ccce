/*
 * EAGAIN when the system's limit on outstanding requests is reached
 * (POSIX aio_read/aio_write/lio_listio "[EAGAIN] ... the system-wide
 * limit ... would be exceeded"; LTP lio_listio 5-1): simk allows 1024
 * per process, which sysconf(_SC_AIO_MAX) says. 1024 reads blocked on
 * a pipe are accepted, the next aio_read and a lio_listio are refused
 * with EAGAIN (the list queues nothing), and after aio_cancel(fd, NULL)
 * there is room again. All 1024 reads are blocked in the pipe before the
 * cancel, so all are canceled.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define LIMIT 1024

static struct aiocb cbs[LIMIT + 1];
static char byte[LIMIT + 1];

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	for (int i = 0; i <= LIMIT; i++) {
		cbs[i].aio_fildes = p[0];
		cbs[i].aio_buf = &byte[i];
		cbs[i].aio_nbytes = 1;
		cbs[i].aio_lio_opcode = LIO_READ;
	}
	CHECK(sysconf(_SC_AIO_MAX) == LIMIT);
	for (int i = 0; i < LIMIT; i++)
		CHECK(aio_read(&cbs[i]) == 0);
	usleep(1000); /* every read waits in the pipe */
	CHECK_ERR(aio_read(&cbs[LIMIT]), EAGAIN);
	struct aiocb *list[1] = {&cbs[LIMIT]};
	CHECK_ERR(lio_listio(LIO_NOWAIT, list, 1, NULL), EAGAIN);
	CHECK(aio_cancel(p[0], NULL) == AIO_CANCELED);
	usleep(1000); /* the canceled workers unwind (docs/paio.md, the cancel window) */
	for (int i = 0; i < LIMIT; i++)
		CHECK_ERR(aio_return(&cbs[i]), ECANCELED);
	CHECK(aio_read(&cbs[LIMIT]) == 0);
	CHECK(write(p[1], "!", 1) == 1);
	const struct aiocb *l[1] = {&cbs[LIMIT]};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&cbs[LIMIT]) == 1 && byte[LIMIT] == '!');
	return 0;
}
