/* eventfd(2) as Linux defines it: the initial value, reads that return the
 * counter and reset it, writes that add, EFD_SEMAPHORE reads that take 1
 * at a time, EFD_NONBLOCK reads of an empty counter (EAGAIN), writes that
 * would pass 0xfffffffffffffffe (EAGAIN when non-blocking),
 * 0xffffffffffffffff (EINVAL), buffers shorter than 8 bytes (EINVAL),
 * unknown flags (EINVAL), poll's POLLIN/POLLOUT, and glibc's
 * eventfd_read/eventfd_write over the same calls. */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "laio_test.h"

int main(void)
{
	int fd = eventfd(3, EFD_NONBLOCK);
	CHECK(fd >= 0);
	uint64_t v = 0;
	CHECK(read(fd, &v, sizeof(v)) == 8 && v == 3);
	CHECK_ERR(read(fd, &v, sizeof(v)), EAGAIN);
	v = 5;
	CHECK(write(fd, &v, sizeof(v)) == 8);
	CHECK(eventfd_write(fd, 7) == 0);
	eventfd_t got = 0;
	CHECK(eventfd_read(fd, &got) == 0 && got == 12);
	errno = 0;
	CHECK(eventfd_read(fd, &got) == -1 && errno == EAGAIN);

	/* short buffers */
	char small[4];
	CHECK_ERR(read(fd, small, sizeof(small)), EINVAL);
	CHECK_ERR(write(fd, small, sizeof(small)), EINVAL);

	/* the largest value is 0xfffffffffffffffe; all ones is refused */
	v = UINT64_MAX;
	CHECK_ERR(write(fd, &v, sizeof(v)), EINVAL);
	v = UINT64_MAX - 1;
	CHECK(write(fd, &v, sizeof(v)) == 8);
	struct pollfd pf = {.fd = fd, .events = POLLIN | POLLOUT};
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	v = 1;
	CHECK_ERR(write(fd, &v, sizeof(v)), EAGAIN);
	v = 0; /* adding 0 never blocks */
	CHECK(write(fd, &v, sizeof(v)) == 8);
	CHECK(read(fd, &v, sizeof(v)) == 8 && v == UINT64_MAX - 1);
	pf.revents = 0;
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	CHECK(close(fd) == 0);

	/* semaphore mode: each read takes 1 */
	int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(sem >= 0);
	CHECK(read(sem, &v, sizeof(v)) == 8 && v == 1);
	CHECK(read(sem, &v, sizeof(v)) == 8 && v == 1);
	CHECK_ERR(read(sem, &v, sizeof(v)), EAGAIN);
	CHECK(eventfd_write(sem, 3) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(eventfd_read(sem, &got) == 0 && got == 1);
	CHECK(close(sem) == 0);

	CHECK_ERR(eventfd(0, 0x40), EINVAL);
	CHECK_ERR(eventfd_read(-1, &got), EBADF);
	return 0;
}
