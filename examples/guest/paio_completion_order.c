/*
 * paio_completion_order: a program that saves a file as a header and a
 * body with two aio_write calls and, assuming requests complete in the
 * order they were submitted, waits only for the last one before reading
 * the header back. POSIX promises no such order: each request goes to a
 * worker of its own, and the body's worker may finish first. Run plainly
 * (no preemption) the header's worker happens to run first and the
 * program passes; `simk explore` finds the schedule where the header is
 * still in flight when the program reads it:
 *
 *   build/simk explore build/examples/guest/paio_completion_order --runs 1000
 *
 * The fix is to wait for every request whose result is used (aio_suspend
 * on both, or lio_listio(LIO_WAIT, ...)).
 */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char header[] = "HDR v1 len=0032\n";
#define HLEN (sizeof(header) - 1)
static char body[32];

int main(void)
{
	int fd = open("/saved", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open");
		return 2;
	}
	memset(body, 'b', sizeof(body));
	struct aiocb h, b;
	memset(&h, 0, sizeof(h));
	memset(&b, 0, sizeof(b));
	h.aio_fildes = b.aio_fildes = fd;
	h.aio_buf = (void *)header;
	h.aio_nbytes = HLEN;
	b.aio_buf = body;
	b.aio_nbytes = sizeof(body);
	b.aio_offset = HLEN;
	if (aio_write(&h) != 0 || aio_write(&b) != 0) {
		perror("aio_write");
		return 2;
	}
	/* the bug: "the body was queued last, so when it is done all is done" */
	const struct aiocb *last[1] = {&b};
	while (aio_error(&b) == EINPROGRESS)
		aio_suspend(last, 1, NULL);
	char back[HLEN];
	if (pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back) ||
	    memcmp(back, header, HLEN) != 0) {
		printf("header not on disk yet: the body's write completed first\n");
		return 1;
	}
	printf("saved\n");
	/* reap both (the header is certainly done by now: pread saw it) */
	const struct aiocb *first[1] = {&h};
	while (aio_error(&h) == EINPROGRESS)
		aio_suspend(first, 1, NULL);
	aio_return(&h);
	aio_return(&b);
	close(fd);
	return 0;
}
