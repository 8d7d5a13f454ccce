/*
 * lio_listio(LIO_NOWAIT) returns once the entries are queued (LTP
 * lio_listio 2-1, 4-1): with reads blocked on a pipe it returns 0 while
 * they are still EINPROGRESS; each entry is then an ordinary request
 * (aio_suspend, aio_error, aio_return). A NULL sigevent asks for no
 * notification of the list.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	static char a[3], b[3];
	struct aiocb ra, rb;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	ra.aio_fildes = rb.aio_fildes = p[0];
	ra.aio_buf = a;
	rb.aio_buf = b;
	ra.aio_nbytes = rb.aio_nbytes = 3;
	ra.aio_lio_opcode = rb.aio_lio_opcode = LIO_READ;
	struct aiocb *list[2] = {&ra, &rb};
	CHECK(lio_listio(LIO_NOWAIT, list, 2, NULL) == 0);
	CHECK(aio_error(&ra) == EINPROGRESS && aio_error(&rb) == EINPROGRESS);
	CHECK(write(p[1], "abcdef", 6) == 6);
	const struct aiocb *l[2] = {&ra, &rb};
	CHECK(aio_suspend(l, 2, NULL) == 0); /* either ends the wait */
	for (int i = 0; i < 2; i++)
		while (aio_error(l[i]) == EINPROGRESS)
			CHECK(aio_suspend(&l[i], 1, NULL) == 0);
	CHECK(aio_return(&ra) == 3 && aio_return(&rb) == 3);
	/* both reads got three bytes each, together the six written */
	char both[7];
	memcpy(both, a, 3);
	memcpy(both + 3, b, 3);
	both[6] = 0;
	CHECK(strcmp(both, "abcdef") == 0 || strcmp(both, "defabc") == 0);
	return 0;
}
