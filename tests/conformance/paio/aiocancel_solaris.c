/*
 * Solaris aiocancel(3C): a read blocked on a pipe is canceled (0) and is
 * never handed out by aiowait afterwards; canceling a request that has
 * already finished fails with EACCES while other requests are in flight
 * and with EINVAL when none is (Solaris libc aio.c's rule). The program
 * lets the canceled worker unwind before writing to its pipe: a worker
 * that has not run since the cancel would take those bytes (simk's
 * cancel window, docs/paio.md "Cancellation").
 */
#include <fcntl.h>
#include <string.h>
#include <sys/asynch.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2], q[2];
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	static char a[4], b[4];
	aio_result_t ra, rb;
	CHECK(aioread(p[0], a, 4, 0, SEEK_SET, &ra) == 0);
	usleep(1000);
	CHECK(aiocancel(&ra) == 0);
	usleep(1000); /* the worker unwinds (simk's cancel window: docs/paio.md) */
	struct timeval zero = {0, 0};
	errno = 0;
	CHECK(aiowait(&zero) == (aio_result_t *)-1 && errno == EINVAL); /* nothing left */

	/* a finished one, while another is in flight: EACCES */
	CHECK(aioread(q[0], b, 4, 0, SEEK_SET, &rb) == 0);
	CHECK(write(p[1], "done", 4) == 4);
	CHECK(aioread(p[0], a, 4, 0, SEEK_SET, &ra) == 0);
	CHECK(aiowait(NULL) == &ra);
	CHECK(ra.aio_return == 4);
	CHECK_ERR(aiocancel(&ra), EACCES);
	usleep(1000); /* rb's worker waits in its pipe: cancelable */
	CHECK(aiocancel(&rb) == 0);
	/* nothing in flight: EINVAL */
	CHECK_ERR(aiocancel(&ra), EINVAL);
	return 0;
}
