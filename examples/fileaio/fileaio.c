/*
 * fileaio over POSIX AIO + kqueue (see fileaio.h).
 *
 * The invariant that keeps the context's count right: a request is
 * counted in ctx->pending exactly while the kernel may still report it,
 * i.e. from a successful submission until the wait that takes its kevent,
 * or until a cancel that got AIO_CANCELED (which takes the result at once
 * with aio_return, so its knote is dropped and no wait ever sees it).
 * Every kevent is followed by aio_return right away, so the kernel never
 * holds a finished request for us.
 *
 * Waking a waiter uses an EVFILT_USER event on the context's kqueue
 * (EV_CLEAR): a wake-up that comes before the wait stays pending and ends
 * the next wait, so none is lost.
 */
#include "examples/fileaio/fileaio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "simk/syscalls.h"
#include "syscalls/kqueue/kq.h"
#include "syscalls/posix_aio/paio.h"
#include "vfs/vfs.h"

#define FAIO_CTX_MAGIC 0x46414943u /* "FAIC" */
#define FAIO_REQ_MAGIC 0x46414952u /* "FAIR" */
#define FAIO_DEAD 0xdeadfa10u
#define FAIO_BATCH 64	  /* requests per lio_listio, events per kevent */
#define FAIO_WAKE_IDENT 1 /* the EVFILT_USER event of the context */

struct faio_ctx {
	uint32_t magic;
	uint32_t flags;
	int kq;
	int pending;
	struct simk_proc *proc;
	struct faio_req *submitted; /* requests counted in pending */
	uaddr_t list;		    /* FAIO_BATCH aiocb addresses */
	uaddr_t events;		    /* FAIO_BATCH struct kevent */
	uaddr_t ts;		    /* a struct kq_timespec */
	uaddr_t change;		    /* one struct kevent */
};

struct faio_req {
	uint32_t magic;
	enum faio_state state;
	bool flush;
	struct simk_proc *proc;
	uaddr_t cb; /* the aiocb, in proc's user memory */
	int fd;
	void *user;
	struct faio_ctx *ctx;  /* while submitted */
	struct faio_req *next; /* ctx->submitted */
	size_t transferred;
	int rc;
};

static bool ctx_ok(const struct faio_ctx *c)
{
	return c != NULL && c->magic == FAIO_CTX_MAGIC;
}

static bool req_ok(const struct faio_req *r)
{
	return r != NULL && r->magic == FAIO_REQ_MAGIC;
}

/* ---- contexts ------------------------------------------------------------ */

static int kq_change(struct faio_ctx *c, uint16_t flags, uint32_t fflags)
{
	struct kevent kev;
	ev_set(&kev, FAIO_WAKE_IDENT, EVFILT_USER, flags, fflags, 0, 0);
	if (copyout(&kev, c->change, sizeof(kev)) != 0)
		return -EFAULT;
	return simk_kevent(c->kq, c->change, 1, 0, 0, 0);
}

int faio_ctx_create(struct faio_ctx **ctxp, uint32_t flags)
{
	if (ctxp == NULL || (flags & ~FAIO_CTX_WAIT_WITHOUT_PENDING) != 0)
		return FAIO_ERR_INVALID_PARAMETER;
	struct faio_ctx *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FAIO_ERR_NO_MEMORY;
	c->proc = sim_proc_current();
	c->flags = flags;
	size_t bytes = FAIO_BATCH * (sizeof(uint64_t) + sizeof(struct kevent)) +
		       sizeof(struct kq_timespec) + sizeof(struct kevent);
	uaddr_t mem = umem_alloc(c->proc, bytes);
	if (mem == 0) {
		free(c);
		return FAIO_ERR_NO_MEMORY;
	}
	c->list = mem;
	c->events = c->list + FAIO_BATCH * sizeof(uint64_t);
	c->ts = c->events + FAIO_BATCH * sizeof(struct kevent);
	c->change = c->ts + sizeof(struct kq_timespec);
	c->kq = simk_kqueue();
	int rc = c->kq < 0 ? c->kq : kq_change(c, EV_ADD | EV_CLEAR, 0);
	if (rc < 0) {
		if (c->kq >= 0)
			(void)simk_close(c->kq);
		(void)umem_free(c->proc, mem);
		free(c);
		return rc;
	}
	c->magic = FAIO_CTX_MAGIC;
	*ctxp = c;
	return FAIO_OK;
}

int faio_ctx_destroy(struct faio_ctx *c)
{
	if (c == NULL)
		return FAIO_OK;
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	if (c->pending > 0)
		return FAIO_ERR_BUSY;
	(void)simk_close(c->kq);
	(void)umem_free(c->proc, c->list);
	c->magic = FAIO_DEAD;
	free(c);
	return FAIO_OK;
}

int faio_ctx_pending(const struct faio_ctx *c)
{
	return ctx_ok(c) ? c->pending : FAIO_ERR_INVALID_HANDLE;
}

int faio_ctx_wakeup(struct faio_ctx *c)
{
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	int rc = kq_change(c, 0, NOTE_TRIGGER);
	return rc < 0 ? rc : FAIO_OK;
}

static void track(struct faio_ctx *c, struct faio_req *r)
{
	r->ctx = c;
	r->next = c->submitted;
	c->submitted = r;
	c->pending++;
}

static void untrack(struct faio_ctx *c, struct faio_req *r)
{
	struct faio_req **pr = &c->submitted;
	while (*pr != NULL && *pr != r)
		pr = &(*pr)->next;
	if (*pr == r) {
		*pr = r->next;
		c->pending--;
	}
	r->next = NULL;
	r->ctx = NULL;
}

/* Ends r with the result of aio_return (bytes, or -errno). */
static void complete(struct faio_req *r, ssize_t res)
{
	if (res >= 0) {
		r->rc = FAIO_OK;
		r->transferred = (size_t)res;
	} else {
		r->rc = res == -ECANCELED ? FAIO_ERR_CANCELED : (int)res;
		r->transferred = 0;
	}
	r->state = FAIO_COMPLETED;
}

/* Gives the aiocb its completion target: this context's kqueue. */
static int aim(struct faio_ctx *c, struct faio_req *r)
{
	struct simk_sigevent se = {SIMK_SIGEV_KEVENT, c->kq, 0, 0, 0};
	return copyout(&se, r->cb + offsetof(struct simk_aiocb, aio_sigevent), sizeof(se));
}

/* After lio_listio failed: which of the batch the kernel took. */
static void sort_out(struct faio_ctx *c, struct faio_req **batch, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct faio_req *r = batch[i];
		int e = simk_aio_error(r->cb);
		if (e == -EINVAL) {
			r->state = FAIO_PREPARED; /* never submitted */
		} else if (e == EINPROGRESS) {
			track(c, r); /* it is on its way */
		} else {
			/* refused at once (or already finished): take the result */
			complete(r, simk_aio_return(r->cb));
		}
	}
}

int faio_ctx_submit(struct faio_ctx *c, struct faio_req **reqs, size_t n)
{
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	if (reqs == NULL || n == 0)
		return FAIO_ERR_INVALID_PARAMETER;
	size_t i = 0;
	while (i < n) {
		struct faio_req *batch[FAIO_BATCH];
		size_t k = 0;
		/* a run of reads and writes goes in one lio_listio */
		while (i + k < n && k < FAIO_BATCH) {
			struct faio_req *r = reqs[i + k];
			if (!req_ok(r) || r->state != FAIO_PREPARED) {
				for (size_t u = 0; u < k; u++)
					batch[u]->state = FAIO_PREPARED;
				return req_ok(r) ? FAIO_ERR_IN_PROGRESS : FAIO_ERR_INVALID_HANDLE;
			}
			if (r->flush)
				break;
			uint64_t a = r->cb;
			if (aim(c, r) != 0 || copyout(&a, c->list + k * sizeof(a), sizeof(a)) != 0)
				return -EFAULT;
			r->state = FAIO_SUBMITTED;
			batch[k++] = r;
		}
		if (k > 0) {
			int rc = simk_lio_listio(LIO_NOWAIT, c->list, (int)k, 0);
			if (rc < 0) {
				sort_out(c, batch, k);
				return rc == -EAGAIN ? FAIO_ERR_RESOURCES : rc;
			}
			for (size_t u = 0; u < k; u++)
				track(c, batch[u]);
			i += k;
			continue;
		}
		/* a flush: lio_listio has no fsync, aio_fsync does it */
		struct faio_req *r = reqs[i];
		if (aim(c, r) != 0)
			return -EFAULT;
		r->state = FAIO_SUBMITTED;
		int rc = simk_aio_fsync(O_SYNC, r->cb);
		if (rc == -EAGAIN) {
			r->state = FAIO_PREPARED;
			return FAIO_ERR_RESOURCES;
		}
		if (rc < 0) {
			(void)simk_aio_return(r->cb); /* clears the refused aiocb */
			complete(r, rc);
			return rc;
		}
		track(c, r);
		i++;
	}
	return FAIO_OK;
}

static struct faio_req *find(struct faio_ctx *c, uaddr_t cb)
{
	for (struct faio_req *r = c->submitted; r != NULL; r = r->next)
		if (r->cb == cb)
			return r;
	return NULL;
}

int faio_ctx_wait(struct faio_ctx *c, size_t min_reqs, int64_t timeout_ns, struct faio_req **out,
		  size_t max, uint32_t *got)
{
	if (got == NULL)
		return FAIO_ERR_INVALID_PARAMETER;
	*got = 0;
	if (!ctx_ok(c))
		return FAIO_ERR_INVALID_HANDLE;
	if (out == NULL || max == 0 || min_reqs > max)
		return FAIO_ERR_INVALID_PARAMETER;
	if (c->pending == 0 && !(c->flags & FAIO_CTX_WAIT_WITHOUT_PENDING))
		return FAIO_ERR_NO_REQUEST;
	if (min_reqs == 0)
		min_reqs = 1;
	uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : sim_now() + (uint64_t)timeout_ns;
	size_t done = 0;
	int rc = FAIO_OK;
	bool woken = false;
	for (int bound = 0; done < min_reqs && !woken; bound++) {
		KASSERT(bound < 1000000, "fileaio wait loops");
		uaddr_t ts = 0;
		if (deadline != UINT64_MAX) {
			uint64_t now = sim_now();
			uint64_t left = deadline > now ? deadline - now : 0;
			struct kq_timespec t = {(int64_t)(left / 1000000000u),
						(int64_t)(left % 1000000000u)};
			if (copyout(&t, c->ts, sizeof(t)) != 0)
				return -EFAULT;
			ts = c->ts;
		}
		size_t room = max - done < FAIO_BATCH ? max - done : FAIO_BATCH;
		int nev = simk_kevent(c->kq, 0, 0, c->events, (int)room, ts);
		if (nev < 0) {
			rc = nev;
			break;
		}
		for (int e = 0; e < nev; e++) {
			struct kevent kev;
			if (copyin(c->events + (uaddr_t)e * sizeof(kev), &kev, sizeof(kev)) != 0)
				return -EFAULT;
			if (kev.filter == EVFILT_USER) {
				woken = true;
				continue;
			}
			struct faio_req *r = find(c, kev.ident);
			if (r == NULL)
				continue; /* not ours any more */
			untrack(c, r);
			complete(r, simk_aio_return(r->cb));
			out[done++] = r;
		}
		if (!woken && done < min_reqs && (nev == 0 || sim_now() >= deadline)) {
			rc = FAIO_ERR_TIMEOUT;
			break;
		}
	}
	*got = (uint32_t)done;
	if (woken && rc == FAIO_OK)
		rc = FAIO_ERR_INTERRUPTED;
	return rc;
}

/* ---- requests ------------------------------------------------------------- */

int faio_req_create(struct faio_req **reqp)
{
	if (reqp == NULL)
		return FAIO_ERR_INVALID_PARAMETER;
	struct faio_req *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return FAIO_ERR_NO_MEMORY;
	r->proc = sim_proc_current();
	r->cb = umem_alloc(r->proc, sizeof(struct simk_aiocb));
	if (r->cb == 0) {
		free(r);
		return FAIO_ERR_NO_MEMORY;
	}
	r->magic = FAIO_REQ_MAGIC;
	r->state = FAIO_COMPLETED;
	r->fd = -1;
	*reqp = r;
	return FAIO_OK;
}

int faio_req_destroy(struct faio_req *r)
{
	if (r == NULL)
		return FAIO_OK;
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state == FAIO_SUBMITTED)
		return FAIO_ERR_IN_PROGRESS;
	(void)umem_free(r->proc, r->cb);
	r->magic = FAIO_DEAD;
	free(r);
	return FAIO_OK;
}

static int prepare(struct faio_req *r, int fd, int op, int64_t off, uaddr_t buf, size_t n,
		   void *user, bool flush)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state == FAIO_SUBMITTED)
		return FAIO_ERR_IN_PROGRESS;
	if (fd < 0 || off < 0 || (!flush && n == 0))
		return FAIO_ERR_INVALID_PARAMETER;
	struct simk_aiocb cb;
	memset(&cb, 0, sizeof(cb)); /* a clean result and state, too */
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = n;
	cb.aio_offset = off;
	cb.aio_lio_opcode = op;
	cb.aio_sigevent.sigev_notify = SIMK_SIGEV_NONE;
	if (copyout(&cb, r->cb, sizeof(cb)) != 0)
		return -EFAULT;
	r->fd = fd;
	r->flush = flush;
	r->user = user;
	r->rc = FAIO_ERR_IN_PROGRESS;
	r->transferred = 0;
	r->state = FAIO_PREPARED;
	return FAIO_OK;
}

int faio_req_prepare_read(struct faio_req *r, int fd, int64_t off, uaddr_t buf, size_t n,
			  void *user)
{
	return prepare(r, fd, LIO_READ, off, buf, n, user, false);
}

int faio_req_prepare_write(struct faio_req *r, int fd, int64_t off, uaddr_t buf, size_t n,
			   void *user)
{
	return prepare(r, fd, LIO_WRITE, off, buf, n, user, false);
}

int faio_req_prepare_flush(struct faio_req *r, int fd, void *user)
{
	return prepare(r, fd, LIO_NOP, 0, 0, 0, user, true);
}

int faio_req_cancel(struct faio_req *r)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state != FAIO_SUBMITTED)
		return r->state == FAIO_PREPARED ? FAIO_ERR_NOT_SUBMITTED : FAIO_ERR_COMPLETED;
	int rc = simk_aio_cancel(r->fd, r->cb);
	switch (rc) {
	case AIO_CANCELED:
		/* take the result now: the knote goes with the kernel's
		 * request, so no wait will see this one */
		untrack(r->ctx, r);
		complete(r, simk_aio_return(r->cb));
		return FAIO_OK;
	case AIO_ALLDONE:
		return FAIO_ERR_COMPLETED; /* a wait will return it */
	case AIO_NOTCANCELED:
		return FAIO_ERR_IN_PROGRESS;
	default:
		return rc;
	}
}

int faio_req_get_rc(struct faio_req *r, size_t *transferred)
{
	if (!req_ok(r))
		return FAIO_ERR_INVALID_HANDLE;
	if (r->state == FAIO_SUBMITTED)
		return FAIO_ERR_IN_PROGRESS;
	if (r->state == FAIO_PREPARED)
		return FAIO_ERR_NOT_SUBMITTED;
	if (r->rc == FAIO_OK && transferred != NULL)
		*transferred = r->transferred;
	return r->rc;
}

void *faio_req_get_user(struct faio_req *r)
{
	return req_ok(r) ? r->user : NULL;
}

enum faio_state faio_req_state(const struct faio_req *r)
{
	return r->state;
}
