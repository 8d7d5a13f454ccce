/* io_set_eventfd: every completion of a request with IOCB_FLAG_RESFD adds
 * exactly 1 to the eventfd (Linux aio_complete's eventfd_signal), so after
 * five requests a read returns 5; poll() on the eventfd reports POLLIN once
 * a request completes; a request naming a descriptor that is not open is
 * -EBADF, and one that is open but is not an eventfd -EINVAL; requests
 * without the flag do not touch the counter. */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(16, &ctx), 0);
	int efd = eventfd(0, EFD_NONBLOCK);
	CHECK(efd >= 0);
	int fd = make_file("/n", 4096, 1, O_RDWR);

	char buf[5][64];
	struct iocb cb[5], *list[5];
	for (int i = 0; i < 5; i++) {
		io_prep_pread(&cb[i], fd, buf[i], sizeof(buf[i]), 64 * i);
		io_set_eventfd(&cb[i], efd);
		list[i] = &cb[i];
	}
	CHECK_IS(cb[0].u.c.flags, 1);
	CHECK_IS(cb[0].u.c.resfd, efd);
	CHECK_IS(io_submit(ctx, 5, list), 5);
	struct pollfd pf = {.fd = efd, .events = POLLIN};
	CHECK(poll(&pf, 1, -1) == 1 && (pf.revents & POLLIN));
	struct io_event ev[5];
	CHECK_IS(io_getevents(ctx, 5, 5, ev, NULL), 5);
	eventfd_t n = 0;
	CHECK(eventfd_read(efd, &n) == 0);
	CHECK_IS(n, 5);
	for (int i = 0; i < 5; i++)
		CHECK(same_bytes(buf[i], 64, 64 * i, 1));

	/* without the flag: no signal */
	io_prep_pread(&cb[0], fd, buf[0], 64, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_ERR(eventfd_read(efd, &n), EAGAIN);

	/* a bad resfd */
	io_set_eventfd(&cb[0], 99);
	CHECK_IS(io_submit(ctx, 1, list), -EBADF);
	io_prep_pread(&cb[0], fd, buf[0], 64, 0);
	io_set_eventfd(&cb[0], fd);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0 && close(efd) == 0);
	return 0;
}
