/*
 * POSIX AIO internals shared by the syscalls/posix_aio/paio_*.c files. Nothing
 * outside them includes this header.
 *
 * Objects
 * -------
 * paio_run    per simulation: settings, SIGEV_THREAD handles, totals.
 * paio_proc   per process that used AIO: the request hash, the worker
 *             pool, the done queues, the wait queue of every waiter.
 * paio_worker one worker thread (a kernel daemon thread) with its FIFO.
 * paio_req    one request: a read, a write, an fsync, or one of the
 *             fsync's barrier pieces (one per worker, see paio_fsync.c).
 * paio_note   a notification to send, allocated when the request is
 *             submitted (so completion never fails for want of memory) and
 *             handed to the notification worker when the request ends.
 * paio_lio    the head of one lio_listio call.
 *
 * Locking
 * -------
 * pp->lock (a spinlock) protects everything in a paio_proc and every
 * request, worker, note and list head of that process. It is taken in
 * thread and interrupt context (kernel-async completions) and never held
 * across a sleep, a file operation, file_put or thread creation.
 *
 * Request life
 * ------------
 *   QUEUED ──worker takes it──▶ INPROGRESS ──▶ DONE
 *      │                            │
 *      └──────── cancel ───────▶ CANCELED ◀── cancel at a blocking point
 * A request *ends* once (state DONE or CANCELED, result published). It is
 * *retired* once, when nothing runs it any more: its completion work
 * (notification, list accounting, done queue, waking waiters) happens
 * then. It is freed when retired and reaped (aio_return, aiowait, a
 * superseding submission, or process teardown).
 */
#ifndef SIMK_SYSCALLS_POSIX_AIO_IMPL_H
#define SIMK_SYSCALLS_POSIX_AIO_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/lock.h"
#include "kern/waitq.h"
#include "syscalls/kqueue/kq.h" /* struct kq_aio_hook */
#include "syscalls/posix_aio/paio.h"
#include "vfs/file.h"

#define PAIO_HASH_SIZE 64
/* The reference's SIGAIOCANCEL: a signal number of the range the C library
 * keeps for itself (glibc's SIGCANCEL), sent only to workers. */
#define PAIO_SIGAIOCANCEL 32

enum paio_api { PAIO_API_POSIX = 0, PAIO_API_SOLARIS };
enum paio_op { PAIO_OP_READ = 0, PAIO_OP_WRITE, PAIO_OP_FSYNC, PAIO_OP_PIECE };
enum paio_state {
	PAIO_NEW = 0, /* being submitted */
	PAIO_QUEUED,
	PAIO_INPROGRESS,
	PAIO_DONE,
	PAIO_CANCELED,
};
/* Which list r->link is on. */
enum paio_where { PW_NONE = 0, PW_WORKQ, PW_KAIO, PW_DONEQ, PW_SOLDONEQ, PW_FREEQ };

struct paio_proc;
struct paio_lio;

/* A notification by signal, thread or event port (a request's
 * SIGEV_KEVENT needs none: its knote is posted when the request retires),
 * or the kevent of a list (posted by the notification worker, after the
 * notes of its entries). */
struct paio_note {
	struct list_node link;
	int kind;	      /* SIMK_SIGEV_SIGNAL / THREAD / PORT / KEVENT (lists) */
	int signo;	      /* SIGNAL */
	int64_t value;	      /* sigval, or the port_notify_t's user value */
	uint64_t fn;	      /* THREAD: handle from paio_sigev_fn_register */
	int port_fd;	      /* PORT */
	uint64_t object;      /* PORT: the aiocb (or the list's sigevent) address */
	int events;	      /* PORT: PAIO_EV_* */
	struct paio_kev *kev; /* KEVENT: the list's attachment (on pp->lio_kevs) */
	int64_t data;	      /* the request's result (tests, traces); KEVENT: the errno */
	bool queued;	      /* handed to the notification worker */
};

/* A SIGEV_KEVENT attachment (kq.h's hook) and where it stands. */
struct paio_kev {
	struct list_node link; /* pp->lio_kevs (list notifications only) */
	struct kq_aio_hook hook;
	bool attached;
	bool fired;
};

struct paio_worker {
	struct paio_proc *pp;
	struct simk_thread *thread;
	int index;		   /* creation order in its process, from 0 */
	bool notifier;		   /* the notification worker */
	struct list_node ring;	   /* pp->workers, creation order */
	struct list_node queue;	   /* paio_req.link, FIFO */
	int queued;		   /* requests on queue */
	int load;		   /* read/write requests on queue (reference: minload) */
	bool idle;		   /* waiting for work; cleared by whoever adds work */
	bool exit;		   /* asked to exit once its queue is empty */
	struct paio_req *cur;	   /* in progress */
	bool in_window;		   /* inside the file operation of cur (cancel window) */
	struct paio_note *sending; /* notification worker: the note being sent */
	struct waitq wq;	   /* the worker sleeps here when idle */
};

struct paio_req {
	struct paio_proc *pp;
	enum paio_api api;
	enum paio_op op;
	enum paio_state state;
	enum paio_where where;
	struct list_node link;
	struct paio_req *hnext; /* hash chain */
	unsigned bucket;	/* the chain's index, while in_hash */
	bool in_hash;
	bool retired;
	bool reaped;
	bool kaio;	     /* on the kernel-async path */
	bool submitting;     /* kernel-async submission not answered yet */
	uint64_t cancel_gen; /* paio_cancel_fd: visited in this scan */
	uint64_t seq;	     /* submission order in the process */
	uaddr_t key;	     /* aiocb (POSIX) or aio_result_t (Solaris) */
	uaddr_t resultp;     /* where the aio_result_t lives */
	int fd;
	struct file *fp; /* held from submission to free */
	uaddr_t buf;
	uint64_t nbytes;
	int64_t offset;
	bool explicit_off; /* pread/pwrite at offset (false: pipe-like) */
	int reqprio;
	bool datasync; /* FSYNC: O_DSYNC */
	int sigev;     /* SIMK_SIGEV_* of the request */
	int64_t ret;   /* result, valid once ended */
	int err;
	struct paio_worker *worker; /* whose queue (or who runs it) */
	struct paio_lio *lio;
	struct paio_note *note; /* NULL: nothing to send (NONE, KEVENT) */
	struct paio_kev kev;	/* SIGEV_KEVENT */
	/* FSYNC: pieces not yet passed; PIECE: the fsync it belongs to */
	int pieces_left;
	struct paio_req *parent;
	uint64_t kaio_barrier; /* FSYNC: wait for kernel-async writes up to this seq */
	struct kaio_req kr;
	struct uio_vec kvec;
};

struct paio_lio {
	int mode;		/* LIO_WAIT / LIO_NOWAIT */
	int refs;		/* entries not yet retired + the submitter */
	int queued;		/* entries accepted */
	int failed;		/* entries that ended with an error */
	struct paio_note *note; /* LIO_NOWAIT by signal, thread or port */
	struct paio_kev *kev;	/* LIO_NOWAIT by kevent (lives on pp->lio_kevs) */
};

struct paio_proc {
	struct simk_proc *p;
	struct list_node all; /* paio_run.procs */
	struct spinlock lock;
	bool closing;			 /* the process is exiting */
	struct paio_req *kaio_canceling; /* completion runs inside our cancel */
	uint64_t cancel_gen;
	struct paio_req *hash[PAIO_HASH_SIZE];
	/* the pool */
	struct list_node workers;    /* read/write workers, creation order */
	struct paio_worker *next_rw; /* round-robin cursor */
	int nworkers;
	int workers_created;
	int workers_live; /* threads (incl. notifier) not yet exited */
	struct paio_worker *notifier;
	struct list_node notes; /* the notifier's queue */
	/* requests */
	int outstanding; /* not yet ended (both interfaces) */
	int outstanding_posix;
	int outstanding_sol;
	int sol_unreaped; /* Solaris requests ended but not taken by aiowait */
	int live;	  /* allocated requests (fsync pieces included) */
	int active;	  /* requests not yet retired */
	int active_posix; /* of which POSIX (aio_waitn waits for these) */
	uint64_t seq;
	struct list_node doneq; /* POSIX SIGEV_NONE completions (aio_waitn) */
	int doneq_n;
	struct list_node soldoneq; /* Solaris completions (aiowait) */
	struct list_node kaioq;	   /* requests on the kernel-async path */
	struct list_node freeq;	   /* freed under the lock, released by paio_unlock */
	struct list_node lio_kevs; /* kevent attachments of list notifications */
	struct waitq done_wq;	   /* every waiter: suspend, waitn, aiowait, lio, exit */
	struct waitq exit_wq;	   /* teardown waits for its workers here */
	struct paio_stats st;
};

struct paio_fn_entry {
	paio_sigev_fn fn;
	void *ctx;
};

struct paio_run {
	struct paio_config cfg;
	struct paio_fn_entry fns[PAIO_SIGEV_FN_MAX];
	int nfns;
	struct list_node procs; /* live paio_proc */
	/* totals of processes already torn down */
	struct paio_stats gone;
	int notes_live;
	/* found by the end hook (a bug: reported by leak_check) */
	int leftover_procs, leftover_reqs, leftover_workers;
};

#define PAIO_FN_BASE 0x7f5e00000000ULL /* handles look like code addresses */

/* A control block's user address as traces show it (kern/umem.h): a
 * guest's blocks are host addresses, which differ from run to run, so
 * they are recorded as their deterministic aliases. */
static inline int64_t paio_taddr(struct simk_proc *p, uint64_t uaddr)
{
	return (int64_t)umem_trace_addr(p, (uaddr_t)uaddr);
}

/* paio.c: state, hash, results, completion */
/* posix_aio's slot: its per-run state (struct paio_run) and its
 * per-process state (struct paio_proc). */
extern int paio_subsys_slot;
struct paio_run *paio_run(void);
/* paio_check.c: KASSERTs the worker, queue, hash and count invariants of
 * every process (the subsystem's check callback). Any context with no
 * pp->lock held; never sleeps. */
void paio_check(struct simk *s);
uint64_t paio_sigev_fn_lookup(paio_sigev_fn fn, void *ctx);
/* The handle that starts the code address code through the hooks of
 * simk_paio_set_thread_hooks, or 0 (no hooks, or not a function they
 * accept, or the table is full). */
uint64_t paio_sigev_code_handle(uint64_t code);
struct paio_proc *paio_proc_of(struct simk_proc *p, bool create);
struct paio_req *paio_req_alloc(struct paio_proc *pp);
void paio_req_free(struct paio_req *r);
void paio_req_discard(struct paio_req *r);
void paio_unlock(struct paio_proc *pp);
struct paio_note *paio_note_alloc(void);
void paio_note_free(struct paio_note *n);
struct paio_lio *paio_lio_alloc(void);
void paio_lio_free_unused(struct paio_lio *lio);
void paio_lio_put(struct paio_proc *pp, struct paio_lio *lio);
struct paio_req *paio_hash_find(struct paio_proc *pp, uaddr_t key);
void paio_hash_insert(struct paio_proc *pp, struct paio_req *r);
void paio_hash_remove(struct paio_proc *pp, struct paio_req *r);
bool paio_ended(const struct paio_req *r);
void paio_store_state(struct paio_req *r, int aio_state);
void paio_store_result(struct simk_proc *p, uaddr_t resultp, int64_t ret, int err);
void paio_store_fail(struct simk_proc *p, uaddr_t aiocbp, int err);
/* The aiocb at aiocbp of the current process into *cb: 0, -EINVAL for a
 * NULL aiocbp, -EFAULT. Thread context (may fault in). */
int paio_copyin_aiocb(uaddr_t aiocbp, struct simk_aiocb *cb);
/* A sigev_notify we deliver: NONE, SIGNAL, THREAD, PORT or KEVENT. */
bool paio_sigev_kind_valid(int kind);
/* Whether the kernel can store into the aiocb at aiocbp (state and
 * results): submissions and aio_return need it, -EFAULT otherwise. */
bool paio_aiocb_writable(struct simk_proc *p, uaddr_t aiocbp);
/* Whether the n-byte transfer buffer at buf can take op now: a read stores
 * into it (every page writable), a write takes from it (readable). Any
 * context. */
bool paio_buf_ok(struct simk_proc *p, int op, uaddr_t buf, size_t n);
void paio_publish(struct paio_req *r, int64_t ret, int err, enum paio_state final,
		  bool may_preempt);
void paio_retire(struct paio_req *r);
void paio_reap(struct paio_req *r);
int paio_claim_key(struct paio_proc *pp, uaddr_t key);
void paio_req_detach_free(struct paio_req *r);

/* paio_pool.c */
int paio_pool_start(struct paio_proc *pp);
void paio_enqueue(struct paio_req *r);
void paio_worker_queue(struct paio_worker *w, struct paio_req *r);
void paio_worker_unqueue(struct paio_worker *w, struct paio_req *r);
struct paio_worker *paio_worker_new(struct paio_proc *pp, bool notifier);
bool paio_worker_wait(struct paio_worker *w);
void paio_worker_exit(struct paio_worker *w);
ssize_t paio_in_window(struct paio_worker *w, struct paio_req *r,
		       ssize_t (*op)(struct paio_worker *, struct paio_req *));
void paio_finish(struct paio_worker *w, struct paio_req *r, ssize_t res);
void paio_notifier_kick(struct paio_proc *pp);
void paio_pool_stop(struct paio_proc *pp);
void paio_pool_free(struct paio_proc *pp);

/* paio_submit.c */
int paio_submit_rw(struct simk_proc *p, uaddr_t aiocbp, const struct simk_aiocb *cb, int op,
		   struct paio_lio *lio);
int paio_submit_req(struct paio_proc *pp, struct paio_req *r);
int paio_sigev_prepare(struct simk_proc *p, const struct simk_sigevent *se, uaddr_t object,
		       int events, struct paio_note **notep, struct paio_kev *kev, bool *want_kev);
void paio_kaio_done(struct kaio_req *kr, ssize_t res);

/* paio_fsync.c */
int paio_fsync_fanout(struct paio_proc *pp, struct paio_req *r);
bool paio_piece_pass(struct paio_worker *w, struct paio_req *piece, struct paio_req **fsyncp);
void paio_fsync_run(struct paio_worker *w, struct paio_req *r);
void paio_fsync_unqueue(struct paio_req *r);
bool paio_kaio_before(struct paio_proc *pp, struct file *fp, uint64_t seq);

/* paio_cancel.c */
enum paio_cancel_res { PC_CANCELED, PC_NOTCANCELED, PC_ALLDONE };
enum paio_cancel_res paio_cancel_req(struct paio_req *r);
void paio_cancel_fd(struct paio_proc *pp, int fd, struct file *fp, int *canceled, int *notcanceled,
		    int *done);
void paio_close_observer(struct simk_proc *p, int fd, struct file *fp);

/* paio_notify.c */
void paio_note_queue(struct paio_proc *pp, struct paio_note *n);
void paio_notifier_main(void *arg);
int paio_kev_attach(struct simk_proc *p, int kqfd, uaddr_t ident, uint64_t udata,
		    struct paio_kev *kev);
void paio_kev_fire(struct paio_kev *kev, int error);
void paio_kev_detach(struct paio_kev *kev);
bool paio_kev_pending(const struct paio_kev *kev);
void paio_lio_kevs_gc(struct paio_proc *pp, bool all);
struct paio_kev *paio_kev_alloc(void);
void paio_kev_free(struct paio_kev *kev);

/* paio_ext.c: the event-port and kqueue ends */
int paio_port_check(struct simk_proc *p, int port_fd);
int paio_port_send(struct simk_proc *p, int port_fd, int events, uint64_t object, uint64_t user);

/* paio_wait.c */
int paio_copyin_timespec(uaddr_t ts, uint64_t *ns);

/* paio_scn.c */
void paio_scn_register(void);

/* trace helpers */
static inline int paio_ev_of(enum paio_op op)
{
	return op == PAIO_OP_READ    ? PAIO_EV_READ
	       : op == PAIO_OP_WRITE ? PAIO_EV_WRITE
				     : PAIO_EV_FSYNC;
}

#endif
