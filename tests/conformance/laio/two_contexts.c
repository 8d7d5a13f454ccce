/* Contexts are independent (Linux: one kioctx per io_setup): each
 * request's event goes to the ring of the context it was submitted to,
 * io_getevents on one context never returns another's events, the two
 * rings are distinct memory, and destroying one leaves the other working.
 * An iocb submitted to one context cannot be cancelled through the other
 * (-EINVAL). */
#include "laio_test.h"

int main(void)
{
	io_context_t c1 = 0, c2 = 0;
	CHECK_IS(io_setup(4, &c1), 0);
	CHECK_IS(io_setup(4, &c2), 0);
	CHECK(c1 != c2);
	struct simk_aio_ring *r1 = (struct simk_aio_ring *)c1, *r2 = (struct simk_aio_ring *)c2;
	int fd = make_file("/two", 64, 5, O_RDWR);
	char a[8], b[8];
	struct iocb ca, cb, *l1[1] = {&ca}, *l2[1] = {&cb};
	io_prep_pread(&ca, fd, a, 8, 0);
	io_prep_pread(&cb, fd, b, 8, 8);
	CHECK_IS(io_submit(c1, 1, l1), 1);
	CHECK_IS(io_submit(c2, 1, l2), 1);
	CHECK_IS(r1->tail, 1);
	CHECK_IS(r2->tail, 1);
	struct io_event ev[2];
	struct timespec zero = {0, 0};
	CHECK_IS(io_getevents(c2, 0, 2, ev, &zero), 1);
	CHECK(ev[0].obj == &cb);
	CHECK_IS(io_destroy(c2), 0);
	CHECK_IS(io_getevents(c1, 0, 2, ev, &zero), 1);
	CHECK(ev[0].obj == &ca);

	int p[2];
	CHECK(pipe(p) == 0);
	io_prep_pread(&ca, p[0], a, 1, 0);
	CHECK_IS(io_submit(c1, 1, l1), 1);
	CHECK_IS(io_setup(4, &c2 /* reused variable */), -EINVAL);
	io_context_t c3 = 0;
	CHECK_IS(io_setup(4, &c3), 0);
	CHECK_IS(io_cancel(c3, &ca, &ev[0]), -EINVAL);
	CHECK_IS(io_cancel(c1, &ca, &ev[0]), 0);
	CHECK_IS(io_destroy(c3), 0);
	CHECK_IS(io_destroy(c1), 0);
	CHECK(close(fd) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	return 0;
}
