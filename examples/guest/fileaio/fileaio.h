/*
 * fileaio: a portable file-AIO library for guest programs, with one API
 * and three backends — the shape of VirtualBox IPRT's file-AIO layer
 * (its FreeBSD backend, fileaio-freebsd.cpp, is one of the reference
 * sources): a completion *context* that requests are submitted to and
 * waited on, and *requests* that are prepared (read, write, flush),
 * submitted, completed, and reused.
 *
 *   fileaio_laio.c  Linux native AIO (io_submit, io_getevents), an eventfd
 *                   per context that every request signals (io_set_eventfd)
 *                   and a second one for faio_ctx_wakeup, both polled
 *   fileaio_kq.c    POSIX AIO (lio_listio, aio_fsync) with SIGEV_KEVENT,
 *                   completions and wake-ups (EVFILT_USER) from a kqueue
 *   fileaio_port.c  POSIX AIO with SIGEV_PORT, completions and wake-ups
 *                   (port_send) from an event port
 *
 * A program is built with one of them (examples/guest/fileaio/README.md);
 * tests/py/test_fileaio.py runs the same workloads over the three and
 * requires the same observable results.
 *
 * Request states: COMPLETED (new, or finished) -> PREPARED -> SUBMITTED ->
 * COMPLETED. A request is prepared and destroyed only when not submitted;
 * its result is read only when completed.
 *
 * Results: FAIO_OK (0) or negative: a FAIO_ERR_* of the library, or the
 * negative errno a request or call ended with (-EIO, -EBADF...).
 *
 * The caller's part: one thread submits to and waits on a context at a
 * time; faio_ctx_wakeup may come from any thread.
 */
#ifndef FILEAIO_H
#define FILEAIO_H

#include <stddef.h>
#include <stdint.h>

#define FAIO_OK 0
#define FAIO_ERR_INVALID_HANDLE (-1001) /* not a live context / request */
#define FAIO_ERR_INVALID_PARAMETER (-1002)
#define FAIO_ERR_NO_MEMORY (-1003)
#define FAIO_ERR_IN_PROGRESS (-1004)   /* the request is submitted */
#define FAIO_ERR_NOT_SUBMITTED (-1005) /* cancel of a prepared or finished one */
#define FAIO_ERR_COMPLETED (-1006)     /* cancel of a request that already finished */
#define FAIO_ERR_CANCELED (-1007)      /* the result of a canceled request */
#define FAIO_ERR_BUSY (-1008)	       /* destroying a context with requests */
#define FAIO_ERR_NO_REQUEST (-1009)    /* waiting with nothing submitted */
#define FAIO_ERR_TIMEOUT (-1010)       /* the wait's time ran out */
#define FAIO_ERR_INTERRUPTED (-1011)   /* faio_ctx_wakeup */
#define FAIO_ERR_RESOURCES (-1012)     /* FAIO_CTX_MAX requests in flight */

#define FAIO_CTX_MAX 32 /* requests a context holds at once (every backend) */
#define FAIO_WAIT_FOREVER (-1)

enum faio_state { FAIO_COMPLETED = 0, FAIO_PREPARED, FAIO_SUBMITTED };

typedef struct faio_ctx faio_ctx;
typedef struct faio_req faio_req;

/* "laio", "kqueue" or "port". */
const char *faio_backend(void);

int faio_ctx_create(faio_ctx **ctxp);
int faio_ctx_destroy(faio_ctx *ctx);
/* Submits n prepared requests in order. The requests before the first that
 * cannot be taken stay submitted; that one and the later ones stay
 * prepared, and the call returns why (FAIO_ERR_RESOURCES at the limit). A
 * request the kernel refuses at once (a bad descriptor) is completed with
 * its error, and the call returns that error. */
int faio_ctx_submit(faio_ctx *ctx, faio_req **reqs, size_t n);
/* Waits until at least min_reqs (>= 1) requests completed, or timeout_ns of
 * virtual time passed (FAIO_WAIT_FOREVER: no limit), storing up to max of
 * them in out and their number in *got. FAIO_ERR_TIMEOUT and
 * FAIO_ERR_INTERRUPTED (faio_ctx_wakeup, also one that came before the
 * wait) return with what did complete. FAIO_ERR_NO_REQUEST when nothing
 * is submitted. */
int faio_ctx_wait(faio_ctx *ctx, size_t min_reqs, int64_t timeout_ns, faio_req **out,
		  size_t max, size_t *got);
int faio_ctx_wakeup(faio_ctx *ctx);
/* Submitted requests no wait has returned yet. */
int faio_ctx_pending(const faio_ctx *ctx);

int faio_req_create(faio_req **reqp);
int faio_req_destroy(faio_req *req);
int faio_req_prepare_read(faio_req *req, int fd, int64_t off, void *buf, size_t n, void *user);
int faio_req_prepare_write(faio_req *req, int fd, int64_t off, const void *buf, size_t n,
			   void *user);
int faio_req_prepare_flush(faio_req *req, int fd, void *user);
/* FAIO_OK: canceled (its result is FAIO_ERR_CANCELED, no wait returns it);
 * FAIO_ERR_IN_PROGRESS: it could not be stopped (a wait will return it);
 * FAIO_ERR_NOT_SUBMITTED. */
int faio_req_cancel(faio_req *req);
/* The result of a completed request: FAIO_OK with the bytes moved in
 * *transferred, or its error. FAIO_ERR_IN_PROGRESS while submitted. */
int faio_req_get_rc(faio_req *req, size_t *transferred);
void *faio_req_get_user(faio_req *req);
enum faio_state faio_req_state(const faio_req *req);

#endif
