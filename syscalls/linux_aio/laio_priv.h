/*
 * Linux AIO internals shared by syscalls/linux_aio/laio_*.c. Nothing outside
 * those files includes this header.
 *
 * Objects
 * -------
 * struct laio_ctx (Linux: struct kioctx): one io_setup. Reference counted
 *   (users): one reference for the process's list, one per live request,
 *   one per system call that looked it up. Freed (ring unmapped, aio_nr
 *   given back) when the last goes, always in thread context.
 * struct laio_req (Linux: struct kiocb): one submitted iocb. Reference
 *   counted too (users): the I/O holds one until it completes; whoever
 *   runs or cancels it holds one more while it does.
 *
 * Locking (one CPU: a spinlock only keeps switch points and interrupts
 * out; taking one that is held is a panic):
 * - ctx->lock (ctx_lock) guards active_reqs, run_list, reqs_active, the
 *   ring's tail and every request's run state, kicked / cancelled /
 *   completed flags and users count.
 * - the fput list of the run has its own lock (fput_lock); nothing is
 *   taken inside ctx->lock but fput_lock.
 * - Retry methods, cancel methods, file operations and eventfd_signal are
 *   called without ctx->lock.
 */
#ifndef SIMK_LINUX_AIO_PRIV_H
#define SIMK_LINUX_AIO_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/callout.h"
#include "kern/kmem.h"
#include "kern/lock.h"
#include "kern/waitq.h"
#include "kern/workqueue.h"
#include "scn/scn.h"
#include "syscalls/linux_aio/laio.h"
#include "vfs/file.h"
#include "vfs/poll.h"

/* Return values of a retry method (Linux's private errno values). */
#define EIOCBQUEUED 529 /* queued: aio_complete comes later (interrupt) */
#define EIOCBRETRY 530	/* not done: a kick will run the retry again */

/* Limits of io_setup (Linux: 0x10000000 bytes of events or of kiocbs). */
#define LAIO_SETUP_BYTES_MAX 0x10000000u
#define LAIO_KIOCB_NOMINAL_SIZE 256u /* what a kiocb weighs in that check */

/* Delay of the retry work when nobody waits for events (Linux: HZ/10). */
#define LAIO_KICK_DELAY_NS (100ull * 1000 * 1000)

#define LAIO_UIO_MAXIOV 1024 /* iovecs per PREADV/PWRITEV */
/* Liveness guard of the loops that drain a request list (run list, fput
 * list, cancel_all, a transfer, a getevents wait): past it the loop is a
 * livelock bug. */
#define LAIO_DRAIN_ROUNDS_MAX (1 << 30)

struct laio_ctx;
struct laio_req;

typedef ssize_t (*laio_retry_fn)(struct laio_req *req);
/* Cancel method: 0 when the request ended as cancelled (ev->res set), or
 * -EAGAIN when it cannot be cancelled now. Called without ctx->lock, with
 * a reference held; must not sleep. */
typedef int (*laio_cancel_fn)(struct laio_req *req, struct io_event *ev);

/* Where a request is with respect to the context's run list. */
enum laio_run_state {
	RUN_IDLE = 0, /* not queued: a kick may queue it */
	RUN_QUEUED,   /* on ctx->run_list */
	RUN_ACTIVE,   /* its retry runs: a kick only sets `kicked` */
};

/* How a request ended (exactly once). */
enum laio_end {
	END_NONE = 0,
	END_EVENT,	 /* an event went into the ring */
	END_CANCEL,	 /* io_cancel gave its event to the caller */
	END_TORN,	 /* cancelled by io_destroy / process exit: no event */
	END_UNSUBMITTED, /* io_submit failed on it: never submitted */
};

struct laio_req {
	struct list_node link;	   /* ctx->active_reqs, then the fput list */
	struct list_node run_link; /* ctx->run_list while RUN_QUEUED */
	struct laio_ctx *ctx;
	int users;
	uint32_t key;
	uint64_t seq; /* per-run request number (trace) */
	struct file *filp;
	struct file *eventfd; /* IOCB_FLAG_RESFD, or NULL */
	laio_retry_fn retry;
	laio_cancel_fn cancel;
	enum laio_run_state run_state;
	bool kicked;
	bool cancelled; /* owned by one canceller at a time (see cancel.c) */
	bool torn;	/* cancelled by teardown: its completion is discarded */
	bool completed; /* aio_complete ran: the outcome is decided */
	bool submitted; /* io_submit accepted it */
	enum laio_end ended;
	int64_t res; /* the result aio_complete got */
	/* the request, decoded */
	uaddr_t user_iocb;
	uint64_t user_data;
	int64_t pos;
	uaddr_t buf;
	size_t nbytes; /* bytes asked (vectored: after setup) */
	size_t left;   /* bytes still to move */
	uint16_t opcode;
	struct uio_vec inline_vec;
	struct uio_vec *iov; /* &inline_vec or a kmem array */
	int nr_segs, cur_seg;
	/* retry by kick (pipes, sockets) */
	struct poll_listener listener;
	/* the asynchronous path (O_DIRECT files) */
	struct kaio_req kreq;
};

struct laio_ctx {
	struct list_node link;	   /* the process's list of contexts */
	struct list_node all_link; /* laio_sys.ctxs_all, from io_setup until freed */
	struct simk_proc *proc;
	int users;
	bool dead;
	aio_context_t user_id; /* the ring's user address */
	uint32_t max_reqs;     /* nr_events of io_setup */
	/* the ring: ring_pages pages of user memory at user_id */
	uint32_t ring_nr; /* trusted copy of ring->nr */
	uint32_t ring_pages;
	uint32_t tail; /* trusted copy of ring->tail */
	/* the ring as the kernel sees it, mapped once by io_setup (Linux 2.6
	 * pins the ring's pages there, aio_setup_ring); valid until ctx_free
	 * unmaps it: nothing else unmaps a live context's ring */
	struct aio_ring *ring_host;
	struct spinlock lock;
	struct waitq wait; /* io_getevents (exclusive), io_destroy */
	int reqs_active;   /* requests holding a ring slot */
	struct list_node active_reqs;
	struct list_node run_list;
	struct work kick_work;	   /* runs the run list on the work queue */
	struct callout kick_timer; /* the delayed start of kick_work */
	uint64_t id;		   /* per-run context number (trace) */
};

/* Per-process state (p->subsys[] at its slot). */
struct laio_mm {
	struct list_node ctxs; /* live (not dead) contexts */
	int nctxs;
};

/* Per-run state (s->subsys[] at its slot). */
struct laio_sys {
	uint64_t aio_max_nr;
	uint64_t aio_nr;
	struct spinlock nr_lock;
	struct spinlock fput_lock;
	struct list_node fput_head; /* requests whose file awaits its last put */
	struct list_node ctxs_all;  /* every context not yet freed (laio_check) */
	struct work fput_work;
	uint64_t next_ctx_id, next_req_seq;
	struct laio_stats st;
	/* scenario operations: kept events by tid (host memory) */
	struct scn_thread_table scn_events; /* struct scn_events */
};

extern struct kmem_type laio_kt_req; /* struct laio_req */
extern struct kmem_type laio_kt_iov; /* iovec arrays of PREADV/PWRITEV */

/* ---- laio_ctx.c ---------------------------------------------------- */
struct laio_sys *laio_sys(void);
struct laio_mm *laio_mm_of(struct simk_proc *p, bool create);
void laio_mm_free(struct simk_proc *p);
/* Finds a live context of p by id and takes a reference, or NULL. */
struct laio_ctx *laio_lookup_ctx(struct simk_proc *p, aio_context_t id);
void laio_get_ctx(struct laio_ctx *ctx);
/* Drops a reference: any context; the last one frees the context and
 * needs thread context. */
void laio_put_ctx(struct laio_ctx *ctx);
/* Host view of the ring header / of event slot i (ring pinned: never NULL). */
struct aio_ring *laio_ring(struct laio_ctx *ctx);
struct io_event *laio_ring_event(struct laio_ctx *ctx, uint32_t i);

/* ---- laio_complete.c ----------------------------------------------- */
/* Posts the request's event (or stores its result if it was cancelled) and
 * drops the I/O reference. Any context, without ctx->lock. */
void laio_complete(struct laio_req *req, int64_t res);
/* Drops a reference; ctx->lock held. Returns true if it was the last. */
bool laio_put_req_locked(struct laio_ctx *ctx, struct laio_req *req);
bool laio_put_req(struct laio_req *req);
/* Runs the deferred file releases now (thread context). */
void laio_fput_routine(struct work *w);
/* Records how a request ended; panics on a second ending. */
void laio_req_end(struct laio_req *req, enum laio_end how);

/* ---- laio_retry.c -------------------------------------------------- */
/* Runs req's retry once; ctx->lock held on entry and exit (dropped
 * meanwhile). The caller holds a reference. */
ssize_t laio_run_iocb(struct laio_req *req);
/* Runs every queued retry once; ctx->lock held. True if more were queued
 * meanwhile. */
bool laio_run_iocbs_locked(struct laio_ctx *ctx);
/* Runs retries until the run list stays empty; takes ctx->lock. */
void laio_run_all_iocbs(struct laio_ctx *ctx);
void laio_kick(struct laio_req *req);
void laio_kick_work(struct work *w);
/* Waits for req's file to become ready, then kicks (pipes, sockets).
 * Returns -EIOCBRETRY, or the errno to complete with. */
ssize_t laio_wait_ready(struct laio_req *req, unsigned interest);
/* Stops the retry work of a dying context and waits for it (thread). */
void laio_stop_kick_work(struct laio_ctx *ctx);

/* ---- laio_submit.c ------------------------------------------------- */
ssize_t laio_retry_rw(struct laio_req *req);

/* ---- laio_cancel.c ------------------------------------------------- */
int laio_cancel_kaio(struct laio_req *req, struct io_event *ev);
int laio_cancel_kicked(struct laio_req *req, struct io_event *ev);
/* io_destroy / exit: cancels every active request (their completions are
 * discarded). ctx->lock not held. */
void laio_cancel_all(struct laio_ctx *ctx);

/* ---- laio_teardown.c ----------------------------------------------- */
/* Waits (uninterruptibly) until no request of ctx holds a slot. */
void laio_wait_for_all(struct laio_ctx *ctx);
/* Unlinks ctx from its process, cancels, waits, drops the list's
 * reference. Returns false if someone else already killed it. */
bool laio_kill_ctx(struct laio_ctx *ctx);
void laio_proc_exit(struct simk_proc *p);

/* ---- laio_check.c -------------------------------------------------- */
/* KASSERTs the invariants of every context, its ring accounting and the
 * run's counters (the subsystem's check callback). Any context with no
 * ctx->lock held; never sleeps. */
void laio_check(struct simk *s);

/* ---- laio_scn.c ---------------------------------------------------- */
void laio_scn_register(void);
void laio_scn_free(struct laio_sys *ls);

#define LAIO_NAME_EV "laio"

#endif
