/*
 * fileaio over Linux native AIO (fileaio.h, fileaio_impl.h). Each request
 * is a struct iocb whose completion signals the context's eventfd
 * (io_set_eventfd); a wait reaps what the ring holds with a zero-timeout
 * io_getevents and, when that is not enough, polls the eventfd together
 * with a second one that faio_ctx_wakeup writes — io_getevents itself
 * cannot be interrupted by another thread, which is why libaio programs
 * that must be woken do the same. Cancel follows Linux 2.6 fs/aio.c:
 * io_cancel of a request the file cannot stop is -EAGAIN (in progress).
 */
#include <errno.h>
#include <libaio.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fileaio_impl.h"

_Static_assert(sizeof(struct iocb) <= FAIO_BE_BYTES, "a request's iocb fits");

#define DONE_FD(c) ((c)->h[0])
#define WAKE_FD(c) ((c)->h[1])

static struct iocb *iocb_of(faio_req *r)
{
	return (struct iocb *)(void *)r->be;
}

const char *be_name(void)
{
	return "laio";
}

int be_ctx_init(faio_ctx *c)
{
	io_context_t ctx = 0;
	int r = io_setup(FAIO_CTX_MAX, &ctx);
	if (r < 0)
		return r;
	DONE_FD(c) = eventfd(0, EFD_NONBLOCK);
	WAKE_FD(c) = eventfd(0, EFD_NONBLOCK);
	if (DONE_FD(c) < 0 || WAKE_FD(c) < 0) {
		int e = -errno;
		if (DONE_FD(c) >= 0)
			close(DONE_FD(c));
		if (WAKE_FD(c) >= 0)
			close(WAKE_FD(c));
		io_destroy(ctx);
		return e;
	}
	c->hp = ctx;
	return 0;
}

void be_ctx_fini(faio_ctx *c)
{
	io_destroy((io_context_t)c->hp);
	close(DONE_FD(c));
	close(WAKE_FD(c));
}

static void prep(faio_ctx *c, faio_req *q)
{
	struct iocb *cb = iocb_of(q);
	if (q->op == FAIO_OP_READ)
		io_prep_pread(cb, q->fd, q->buf, q->n, q->off);
	else if (q->op == FAIO_OP_WRITE)
		io_prep_pwrite(cb, q->fd, q->buf, q->n, q->off);
	else
		io_prep_fsync(cb, q->fd);
	io_set_eventfd(cb, DONE_FD(c));
	cb->data = q;
}

int be_submit(faio_ctx *c, faio_req **reqs, size_t n, size_t *taken)
{
	struct iocb *cbs[FAIO_CTX_MAX];
	for (size_t i = 0; i < n; i++) {
		prep(c, reqs[i]);
		cbs[i] = iocb_of(reqs[i]);
	}
	*taken = 0;
	while (*taken < n) {
		/* io_submit takes a prefix; the first it refuses, alone, says why */
		int r = io_submit((io_context_t)c->hp, (long)(n - *taken), cbs + *taken);
		if (r < 0)
			return r;
		if (r == 0)
			return -EAGAIN;
		*taken += (size_t)r;
	}
	return 0;
}

/* Reaps up to max events without waiting. */
static int reap(faio_ctx *c, faio_req **out, size_t max, size_t *n)
{
	struct io_event ev[FAIO_CTX_MAX];
	struct timespec zero = {0, 0};
	*n = 0;
	if (max > FAIO_CTX_MAX)
		max = FAIO_CTX_MAX;
	while (*n < max) {
		int r = io_getevents((io_context_t)c->hp, 0, (long)(max - *n), ev, &zero);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		for (int i = 0; i < r; i++) {
			faio_req *q = ev[i].data;
			long res = (long)ev[i].res;
			q->rc = res < 0 ? (int)res : FAIO_OK;
			q->transferred = res < 0 ? 0 : (size_t)res;
			out[(*n)++] = q;
		}
	}
	return 0;
}

static void drain(int fd)
{
	eventfd_t v;
	(void)eventfd_read(fd, &v); /* EAGAIN when it was 0: nothing to do */
}

int be_wait(faio_ctx *c, int64_t timeout_ns, faio_req **out, size_t max, size_t *n)
{
	int r = reap(c, out, max, n);
	if (r < 0 || *n > 0 || timeout_ns == 0)
		return r;
	struct pollfd p[2] = {{DONE_FD(c), POLLIN, 0}, {WAKE_FD(c), POLLIN, 0}};
	int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
	r = poll(p, 2, ms);
	if (r < 0)
		return -errno;
	if (p[1].revents & POLLIN) {
		drain(WAKE_FD(c));
		c->woken = true;
	}
	if (p[0].revents & POLLIN)
		drain(DONE_FD(c)); /* the ring says how many: reap again */
	return reap(c, out, max, n);
}

int be_wakeup(faio_ctx *c)
{
	return eventfd_write(WAKE_FD(c), 1) == 0 ? FAIO_OK : -errno;
}

int be_cancel(faio_ctx *c, faio_req *q)
{
	struct io_event ev;
	int r = io_cancel((io_context_t)c->hp, iocb_of(q), &ev);
	if (r == 0)
		return 1; /* its result is ev: a canceled request reports no event */
	if (r == -EAGAIN || r == -EINPROGRESS)
		return 0;
	if (r == -EINVAL)
		return 2; /* no longer in flight: its event is in the ring */
	return r;
}
