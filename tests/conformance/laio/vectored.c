/* IO_CMD_PREADV / IO_CMD_PWRITEV (io_prep_preadv, io_prep_pwritev): a
 * write gathered from three buffers lands contiguously at the offset, a
 * read scatters it into buffers of other sizes, res is the total; zero
 * vectors complete with res 0; more than 1024 vectors (UIO_MAXIOV) or a
 * vector with a negative length is -EINVAL from io_submit, an unreadable
 * vector array is -EFAULT; io_prep_preadv2 with RWF flags is -EINVAL
 * (Linux 2.6 has no per-request flags: aio_reserved1 must be 0). */
#include <stdlib.h>
#include <sys/uio.h>

#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	int fd = open("/v", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	char a[] = "hello, ", b[] = "vectored ", c[] = "world";
	struct iovec wv[3] = {{a, 7}, {b, 9}, {c, 5}};
	struct iocb cb, *list[1] = {&cb};
	struct io_event ev;
	io_prep_pwritev(&cb, fd, wv, 3, 100);
	CHECK_IS(cb.u.v.nr, 3);
	CHECK(cb.u.v.vec == wv && cb.u.v.offset == 100);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 21);
	char flat[21];
	CHECK(pread(fd, flat, sizeof(flat), 100) == 21);
	CHECK(memcmp(flat, "hello, vectored world", 21) == 0);

	char x[4], y[10], z[20];
	struct iovec rv[3] = {{x, sizeof(x)}, {y, sizeof(y)}, {z, sizeof(z)}};
	io_prep_preadv(&cb, fd, rv, 3, 100);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 21); /* the file ends there */
	CHECK(memcmp(x, "hell", 4) == 0 && memcmp(y, "o, vectore", 10) == 0 &&
	      memcmp(z, "d world", 7) == 0);

	io_prep_preadv(&cb, fd, rv, 0, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 0);

	struct iovec *many = calloc(1025, sizeof(*many));
	CHECK(many != NULL);
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec){x, 1};
	io_prep_preadv(&cb, fd, many, 1025, 0);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);
	io_prep_preadv(&cb, fd, many, 1024, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 121); /* 1024 one-byte vectors, the file has 121 */
	free(many);

	struct iovec neg[2] = {{x, 4}, {y, (size_t)-2}};
	io_prep_preadv(&cb, fd, neg, 2, 0);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);
	io_prep_preadv(&cb, fd, NULL, 2, 0);
	CHECK_IS(io_submit(ctx, 1, list), -EFAULT);
	io_prep_preadv2(&cb, fd, rv, 3, 0, 1);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);
	io_prep_pwritev2(&cb, fd, wv, 3, 0, 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, &ev, NULL), 1);
	CHECK_IS(ev.res, 21);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0);
	return 0;
}
