/*
 * O_APPEND: "write operations append to the file in the same order as the
 * calls were made" (POSIX aio_write; LTP aio_write 2-1). Eight writes of
 * different bytes are queued back to back on an O_APPEND descriptor with
 * offsets that would overlap; the file ends up as their concatenation in
 * call order, whatever the workers' schedule. aio_offset is ignored.
 */
#include <aio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 8
#define LEN 100

int main(void)
{
	int fd = open("/log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	CHECK(fd >= 0);
	static char bufs[N][LEN];
	static struct aiocb cbs[N];
	const struct aiocb *list[N];
	for (int i = 0; i < N; i++) {
		memset(bufs[i], 'A' + i, LEN);
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = LEN;
		cbs[i].aio_offset = 0; /* ignored under O_APPEND */
		CHECK(aio_write(&cbs[i]) == 0);
		list[i] = &cbs[i];
	}
	/* any of them ends the wait */
	CHECK(aio_suspend(list, N, NULL) == 0);
	for (int i = 0; i < N; i++) {
		while (aio_error(&cbs[i]) == EINPROGRESS)
			CHECK(aio_suspend(&list[i], 1, NULL) == 0);
		CHECK(aio_return(&cbs[i]) == LEN);
	}
	CHECK(close(fd) == 0);
	fd = open("/log", O_RDONLY);
	static char all[N * LEN + 1];
	CHECK(read(fd, all, sizeof(all)) == N * LEN);
	for (int i = 0; i < N * LEN; i++)
		CHECK(all[i] == 'A' + i / LEN);
	return 0;
}
