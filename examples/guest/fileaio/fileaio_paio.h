/*
 * What the two POSIX AIO backends of fileaio (fileaio_kq.c, fileaio_port.c)
 * share: building a request's aiocb, submitting it (aio_read, aio_write,
 * aio_fsync), taking a result with
 * aio_error/aio_return, and canceling with aio_cancel. Only the
 * notification differs: each backend fills the sigevent (notify()).
 */
#ifndef FILEAIO_PAIO_H
#define FILEAIO_PAIO_H

#include <aio.h>
#include <errno.h>
#include <fcntl.h>

#include "fileaio_impl.h"

struct paio_be {
	struct aiocb cb;
	unsigned char notify[16]; /* SIGEV_PORT: the port_notify_t it points to */
};
_Static_assert(sizeof(struct paio_be) <= FAIO_BE_BYTES, "a request's aiocb fits");

static inline struct paio_be *paio_of(faio_req *r)
{
	return (struct paio_be *)(void *)r->be;
}

/* The request's result, once the kernel reported it. */
static inline void paio_result(faio_req *q)
{
	struct aiocb *cb = &paio_of(q)->cb;
	int e = aio_error(cb);
	ssize_t n = aio_return(cb);
	q->rc = e == 0 ? FAIO_OK : -e;
	q->transferred = e == 0 && n > 0 ? (size_t)n : 0;
}

/* Submits reqs[0..n) in order, one aio_read/aio_write/aio_fsync each:
 * lio_listio(LIO_NOWAIT) would batch them, but when it fails it cannot
 * tell an entry that was never queued from one queued and already failed
 * with the same errno, and the library must know which requests are in
 * flight. notify(c, q) fills q's sigevent. */
static inline int paio_submit(faio_ctx *c, faio_req **reqs, size_t n, size_t *taken,
			      void (*notify)(faio_ctx *, faio_req *))
{
	for (*taken = 0; *taken < n; (*taken)++) {
		faio_req *q = reqs[*taken];
		struct aiocb *cb = &paio_of(q)->cb;
		cb->aio_fildes = q->fd;
		cb->aio_offset = q->off;
		cb->aio_buf = q->buf;
		cb->aio_nbytes = q->n;
		notify(c, q);
		int r = q->op == FAIO_OP_FLUSH  ? aio_fsync(O_SYNC, cb)
			: q->op == FAIO_OP_READ ? aio_read(cb)
						: aio_write(cb);
		if (r != 0)
			return -errno;
	}
	return 0;
}

static inline int paio_cancel(faio_req *q)
{
	struct aiocb *cb = &paio_of(q)->cb;
	int r = aio_cancel(cb->aio_fildes, cb);
	if (r == AIO_CANCELED) {
		(void)aio_return(cb);
		return 1;
	}
	if (r == AIO_NOTCANCELED)
		return 0;
	if (r == AIO_ALLDONE)
		return 2;
	return -errno;
}

#endif
