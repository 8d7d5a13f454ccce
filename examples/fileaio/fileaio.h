/*
 * fileaio: a small portable file-AIO library for simulated programs, in
 * the shape of a real one (VirtualBox IPRT's FreeBSD file-AIO backend): a
 * completion *context* that requests are submitted to and waited on, and
 * *requests* that are prepared (read, write, flush), submitted, completed,
 * and then reused. This backend drives POSIX AIO with kqueue completion:
 * batches go through lio_listio(LIO_NOWAIT) with SIGEV_KEVENT on each
 * request, a flush through aio_fsync, and completions are collected with
 * kevent, each result taken with aio_return at once (so the kernel never
 * keeps a finished request).
 *
 * It is a client of the simulated kernel, not part of it: it runs on
 * simulated threads and calls the sys_* functions as a C library would
 * call system calls. Its own state is host memory; the aiocbs it submits
 * live in the calling process's user memory.
 *
 * Request states: COMPLETED (new, or finished) -> PREPARED -> SUBMITTED ->
 * COMPLETED. A request is prepared and destroyed only when not submitted;
 * its result is read only when completed.
 *
 * Results: 0 (FAIO_OK) or a negative value: a FAIO_ERR_* of the library,
 * or the negative errno a request or call ended with (-EIO, -EBADF...).
 *
 * What the caller guarantees: calls come from threads of one process
 * (the one whose memory holds the aiocbs: the process that created the
 * request); at most one thread waits on a context at a time.
 */
#ifndef SIMK_EXAMPLES_FILEAIO_H
#define SIMK_EXAMPLES_FILEAIO_H

#include <stddef.h>
#include <stdint.h>

#include "kern/umem.h"

#define FAIO_OK 0
#define FAIO_ERR_INVALID_HANDLE (-1001) /* not a live context / request */
#define FAIO_ERR_INVALID_PARAMETER (-1002)
#define FAIO_ERR_NO_MEMORY (-1003)
#define FAIO_ERR_IN_PROGRESS (-1004)   /* the request is submitted */
#define FAIO_ERR_NOT_SUBMITTED (-1005) /* cancel / get-rc of a prepared one */
#define FAIO_ERR_COMPLETED (-1006)     /* cancel of a request that finished */
#define FAIO_ERR_CANCELED (-1007)      /* the result of a canceled request */
#define FAIO_ERR_BUSY (-1008)	       /* destroying a context with requests */
#define FAIO_ERR_NO_REQUEST (-1009)    /* waiting with nothing submitted */
#define FAIO_ERR_TIMEOUT (-1010)       /* the wait's time ran out */
#define FAIO_ERR_INTERRUPTED (-1011)   /* faio_ctx_wakeup */
#define FAIO_ERR_RESOURCES (-1012)     /* the kernel's request limit (EAGAIN) */

/* faio_ctx_create flags */
#define FAIO_CTX_WAIT_WITHOUT_PENDING 0x1 /* wait even with nothing submitted */

#define FAIO_WAIT_FOREVER (-1)

enum faio_state { FAIO_COMPLETED = 0, FAIO_PREPARED, FAIO_SUBMITTED };

struct faio_ctx;
struct faio_req;

/* Contexts. */
int faio_ctx_create(struct faio_ctx **ctxp, uint32_t flags);
int faio_ctx_destroy(struct faio_ctx *ctx);
/* Submits n prepared requests, in order; stops at the first that cannot
 * be submitted (the earlier ones stay submitted, the later ones prepared).
 * FAIO_ERR_RESOURCES when the kernel's limit was reached; a request that
 * failed at once is completed with its error (and the call returns it). */
int faio_ctx_submit(struct faio_ctx *ctx, struct faio_req **reqs, size_t n);
/* Waits until at least min_reqs (>= 1) requests completed or timeout_ns
 * passed (FAIO_WAIT_FOREVER: no limit), and stores up to max of them in
 * out, their number in *got. FAIO_ERR_TIMEOUT (with what did complete),
 * FAIO_ERR_INTERRUPTED (faio_ctx_wakeup; also when it came before the
 * wait), FAIO_ERR_NO_REQUEST. */
int faio_ctx_wait(struct faio_ctx *ctx, size_t min_reqs, int64_t timeout_ns, struct faio_req **out,
		  size_t max, uint32_t *got);
/* Makes the thread waiting on ctx (or the next one to wait) return
 * FAIO_ERR_INTERRUPTED. Any thread of the process. */
int faio_ctx_wakeup(struct faio_ctx *ctx);
/* Requests submitted and not yet returned by a wait. */
int faio_ctx_pending(const struct faio_ctx *ctx);

/* Requests. */
int faio_req_create(struct faio_req **reqp);
int faio_req_destroy(struct faio_req *req);
int faio_req_prepare_read(struct faio_req *req, int fd, int64_t off, uaddr_t buf, size_t n,
			  void *user);
int faio_req_prepare_write(struct faio_req *req, int fd, int64_t off, uaddr_t buf, size_t n,
			   void *user);
int faio_req_prepare_flush(struct faio_req *req, int fd, void *user);
/* FAIO_OK (canceled: its result is FAIO_ERR_CANCELED and no wait returns
 * it), FAIO_ERR_COMPLETED, FAIO_ERR_IN_PROGRESS (could not be stopped),
 * FAIO_ERR_NOT_SUBMITTED. */
int faio_req_cancel(struct faio_req *req);
/* The result of a completed request: FAIO_OK with the bytes moved in
 * *transferred, or its error. FAIO_ERR_IN_PROGRESS, FAIO_ERR_NOT_SUBMITTED. */
int faio_req_get_rc(struct faio_req *req, size_t *transferred);
void *faio_req_get_user(struct faio_req *req);
enum faio_state faio_req_state(const struct faio_req *req);

#endif
