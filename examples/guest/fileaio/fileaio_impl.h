/*
 * fileaio's inside (fileaio.h): the request and context records, and the
 * hooks each backend (fileaio_laio.c, fileaio_kq.c, fileaio_port.c)
 * implements under fileaio_common.c, which keeps the states, the counts,
 * the limit and the wait's deadline the same for all three.
 */
#ifndef FILEAIO_IMPL_H
#define FILEAIO_IMPL_H

#include <stdbool.h>

#include "fileaio.h"

enum faio_op { FAIO_OP_READ, FAIO_OP_WRITE, FAIO_OP_FLUSH };

#define FAIO_BE_BYTES 192 /* a struct iocb, or a struct aiocb and its port_notify_t */

struct faio_req {
	uint32_t magic;
	enum faio_state state;
	enum faio_op op;
	int fd;
	int64_t off;
	void *buf;
	size_t n;
	void *user;
	faio_ctx *ctx; /* while submitted */
	int rc;
	size_t transferred;
	_Alignas(16) unsigned char be[FAIO_BE_BYTES]; /* the backend's */
};

struct faio_ctx {
	uint32_t magic;
	int pending;
	bool woken;	  /* a wake-up the backend reported, not yet returned */
	int h[2];	  /* the backend's descriptors */
	void *hp;	  /* the backend's handle (the libaio context) */
	faio_req *stale[FAIO_CTX_MAX]; /* canceled, whose event may still come */
	int nstale;
};

const char *be_name(void);
/* 0 or a negative errno. */
int be_ctx_init(faio_ctx *c);
void be_ctx_fini(faio_ctx *c);
/* Hands reqs[0..n) to the kernel in order; *taken: how many it accepted.
 * 0, or the negative errno of reqs[*taken]. */
int be_submit(faio_ctx *c, faio_req **reqs, size_t n, size_t *taken);
/* Waits up to timeout_ns (-1: no limit, 0: only what is there) for what
 * the kernel reports: finished requests, their rc and transferred set,
 * into out (at most max, *n of them); a wake-up sets c->woken. 0 (also on
 * a timeout with nothing), or a negative errno. */
int be_wait(faio_ctx *c, int64_t timeout_ns, faio_req **out, size_t max, size_t *n);
int be_wakeup(faio_ctx *c);
/* 1: canceled, its result taken (no event will report it — or one that
 * may, which faio_stale() then makes the waits drop); 0: in flight, it
 * could not be stopped; 2: it already finished (a wait will return it). */
int be_cancel(faio_ctx *c, faio_req *r);
/* For backends whose kernel may still report a canceled request. */
void faio_stale(faio_ctx *c, faio_req *r);
bool faio_is_stale(faio_ctx *c, faio_req *r);

#endif
