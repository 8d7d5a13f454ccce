/*
 * fileaio's API over any backend (fileaio.h, fileaio_impl.h): handles,
 * request states, the per-context limit, and waiting for a minimum number
 * of completions under a deadline. The backend only talks to the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileaio_impl.h"

#define CTX_MAGIC 0x46414943u /* "FAIC" */
#define REQ_MAGIC 0x46414952u /* "FAIR" */
#define DEAD 0xdeadfa10u

static bool ctx_ok(const faio_ctx *c)
{
	return c != NULL && c->magic == CTX_MAGIC;
}

static bool req_ok(const faio_req *r)
{
	return r != NULL && r->magic == REQ_MAGIC;
}

const char *faio_backend(void)
{
	return be_name();
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- contexts ---- */

int faio_ctx_create(faio_ctx **ctxp)
{
	if (ctxp == NULL)
		return FAIO_ERR_INVALID_PARAMETER;
	faio_ctx *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FAIO_ERR_NO_MEMORY;
	c->h[0] = c->h[1] = -1;
	int r = be_ctx_init(c);
	if (r != 0) {
		free(c);
		return r;
	}
	c->magic = CTX_MAGIC;
	*ctxp = c;
	return FAIO_OK;
}

int faio_ctx_destroy(faio_ctx *c)
{
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	if (c->pending > 0)
		return FAIO_ERR_BUSY;
	be_ctx_fini(c);
	c->magic = DEAD;
	free(c);
	return FAIO_OK;
}

int faio_ctx_pending(const faio_ctx *c)
{
	return ctx_ok(c) ? c->pending : FAIO_ERR_INVALID_HANDLE;
}

int faio_ctx_submit(faio_ctx *c, faio_req **reqs, size_t n)
{
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	if (n == 0 || reqs == NULL)
		return FAIO_ERR_INVALID_PARAMETER;
	for (size_t i = 0; i < n; i++)
		if (!req_ok(reqs[i]) || reqs[i]->state != FAIO_PREPARED)
			return FAIO_ERR_INVALID_PARAMETER;
	size_t room = (size_t)(FAIO_CTX_MAX - c->pending);
	size_t want = n < room ? n : room;
	size_t taken = 0;
	int r = want > 0 ? be_submit(c, reqs, want, &taken) : 0;
	for (size_t i = 0; i < taken; i++) {
		reqs[i]->state = FAIO_SUBMITTED;
		reqs[i]->ctx = c;
		c->pending++;
	}
	if (r == -EAGAIN)
		return FAIO_ERR_RESOURCES; /* the kernel's own limit: stays prepared */
	if (r < 0) {
		/* refused at once: completed with its error */
		reqs[taken]->state = FAIO_COMPLETED;
		reqs[taken]->rc = r;
		reqs[taken]->transferred = 0;
		return r;
	}
	return want < n ? FAIO_ERR_RESOURCES : FAIO_OK;
}

int faio_ctx_wait(faio_ctx *c, size_t min_reqs, int64_t timeout_ns, faio_req **out, size_t max,
		  size_t *got)
{
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	if (min_reqs == 0 || max < min_reqs || out == NULL || got == NULL ||
	    (timeout_ns < 0 && timeout_ns != FAIO_WAIT_FOREVER))
		return FAIO_ERR_INVALID_PARAMETER;
	*got = 0;
	if (c->pending == 0 && !c->woken)
		return FAIO_ERR_NO_REQUEST;
	int64_t deadline = timeout_ns == FAIO_WAIT_FOREVER ? -1 : now_ns() + timeout_ns;
	for (;;) {
		/* what has come in first, without waiting: a wake-up does not hide it */
		size_t k = 0;
		int64_t left = 0;
		if (*got < min_reqs && !c->woken) {
			left = deadline < 0 ? -1 : deadline - now_ns();
			if (left < 0 && deadline >= 0)
				left = 0;
		}
		int r = be_wait(c, left, out + *got, max - *got, &k);
		if (r < 0)
			return r;
		for (size_t i = 0; i < k; i++) {
			faio_req *q = out[*got + i];
			q->state = FAIO_COMPLETED;
			q->ctx = NULL;
			c->pending--;
		}
		*got += k;
		if (*got >= min_reqs)
			return FAIO_OK;
		if (c->woken) {
			c->woken = false;
			return FAIO_ERR_INTERRUPTED;
		}
		if (deadline >= 0 && now_ns() >= deadline)
			return FAIO_ERR_TIMEOUT;
		if (c->pending == 0)
			return FAIO_ERR_NO_REQUEST; /* the rest were canceled meanwhile */
	}
}

int faio_ctx_wakeup(faio_ctx *c)
{
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	return be_wakeup(c);
}

void faio_stale(faio_ctx *c, faio_req *r)
{
	if (c->nstale < FAIO_CTX_MAX)
		c->stale[c->nstale++] = r;
}

bool faio_is_stale(faio_ctx *c, faio_req *r)
{
	for (int i = 0; i < c->nstale; i++)
		if (c->stale[i] == r) {
			c->stale[i] = c->stale[--c->nstale];
			return true;
		}
	return false;
}

/* ---- requests ---- */

int faio_req_create(faio_req **reqp)
{
	if (reqp == NULL)
		return FAIO_ERR_INVALID_PARAMETER;
	faio_req *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return FAIO_ERR_NO_MEMORY;
	r->magic = REQ_MAGIC;
	r->state = FAIO_COMPLETED;
	r->rc = FAIO_ERR_NOT_SUBMITTED;
	*reqp = r;
	return FAIO_OK;
}

int faio_req_destroy(faio_req *r)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state == FAIO_SUBMITTED)
		return FAIO_ERR_IN_PROGRESS;
	r->magic = DEAD;
	free(r);
	return FAIO_OK;
}

static int prepare(faio_req *r, enum faio_op op, int fd, int64_t off, void *buf, size_t n,
		   void *user)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state == FAIO_SUBMITTED)
		return FAIO_ERR_IN_PROGRESS;
	if (fd < 0 || off < 0 || (op != FAIO_OP_FLUSH && (buf == NULL || n == 0)))
		return FAIO_ERR_INVALID_PARAMETER;
	r->op = op;
	r->fd = fd;
	r->off = off;
	r->buf = buf;
	r->n = n;
	r->user = user;
	r->rc = FAIO_ERR_IN_PROGRESS;
	r->transferred = 0;
	memset(r->be, 0, sizeof(r->be));
	r->state = FAIO_PREPARED;
	return FAIO_OK;
}

int faio_req_prepare_read(faio_req *r, int fd, int64_t off, void *buf, size_t n, void *user)
{
	return prepare(r, FAIO_OP_READ, fd, off, buf, n, user);
}

int faio_req_prepare_write(faio_req *r, int fd, int64_t off, const void *buf, size_t n,
			   void *user)
{
	return prepare(r, FAIO_OP_WRITE, fd, off, (void *)buf, n, user);
}

int faio_req_prepare_flush(faio_req *r, int fd, void *user)
{
	return prepare(r, FAIO_OP_FLUSH, fd, 0, NULL, 0, user);
}

int faio_req_cancel(faio_req *r)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state != FAIO_SUBMITTED)
		return FAIO_ERR_NOT_SUBMITTED;
	faio_ctx *c = r->ctx;
	int k = be_cancel(c, r);
	if (k < 0)
		return k;
	if (k == 0 || k == 2)
		return FAIO_ERR_IN_PROGRESS; /* a wait will return it */
	r->state = FAIO_COMPLETED;
	r->rc = FAIO_ERR_CANCELED;
	r->transferred = 0;
	r->ctx = NULL;
	c->pending--;
	return FAIO_OK;
}

int faio_req_get_rc(faio_req *r, size_t *transferred)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state == FAIO_SUBMITTED)
		return FAIO_ERR_IN_PROGRESS;
	if (r->state == FAIO_PREPARED)
		return FAIO_ERR_NOT_SUBMITTED;
	if (transferred != NULL)
		*transferred = r->transferred;
	return r->rc;
}

void *faio_req_get_user(faio_req *r)
{
	return req_ok(r) ? r->user : NULL;
}

enum faio_state faio_req_state(const faio_req *r)
{
	return req_ok(r) ? r->state : FAIO_COMPLETED;
}
