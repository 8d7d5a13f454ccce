/*
 * POSIX AIO internals shared by the syscalls/posix_aio*.c files. Nothing
 * outside them includes this header.
 *
 * Objects
 * -------
 * paio_run    per simulation: settings, SIGEV_THREAD handles, totals.
 * paio_proc   per process that used AIO: the request hash, the worker
 *             pool, the done queues, the wait queue of every waiter.
 * paio_worker one worker thread (a kernel daemon thread) with its FIFO.
 * paio_req    one request: a read, a write, an fsync, or one of the
 *             fsync's barrier pieces (one per worker, see posix_aio_fsync.c).
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
#include "syscalls/posix_aio.h"
#include "vfs/file.h"

#define PAIO_HASH_SIZE 64

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
enum paio_where { PW_NONE = 0, PW_WORKQ, PW_KAIO, PW_DONEQ, PW_SOLDONEQ };

struct paio_proc;
struct paio_lio;

struct paio_note {
	struct list_node link;
	int kind;         /* SIMK_SIGEV_* (never NONE) */
	int signo;        /* SIGNAL */
	int64_t value;    /* sigval / port user / kevent udata */
	uint64_t fn;      /* THREAD: handle from paio_sigev_fn_register */
	int port_fd;      /* PORT */
	int kq_fd;        /* KEVENT */
	unsigned kev_flags; /* KEVENT: EV_ONESHOT / EV_CLEAR / EV_DISPATCH */
	uint64_t object;  /* the aiocb (or the list's sigevent) user address */
	int events;       /* PAIO_EV_* */
	int64_t data;     /* KEVENT: the request's result */
	void *kq_att;     /* KEVENT: the kqueue attachment (kqueue.h) */
	bool queued;      /* on the notification worker's queue */
};

struct paio_worker {
	struct paio_proc *pp;
	struct simk_thread *thread;
	int index;           /* creation order in its process, from 0 */
	bool notifier;       /* the notification worker */
	struct list_node ring; /* pp->workers, creation order */
	struct list_node queue; /* paio_req.link, FIFO */
	int queued;          /* requests on queue */
	int load;            /* read/write requests on queue (reference: minload) */
	bool idle;           /* waiting for work; cleared by whoever adds work */
	bool exit;           /* asked to exit once its queue is empty */
	struct paio_req *cur; /* in progress */
	bool in_window;      /* inside the file operation of cur (cancel window) */
	struct waitq wq;     /* the worker sleeps here when idle */
};

struct paio_req {
	struct paio_proc *pp;
	enum paio_api api;
	enum paio_op op;
	enum paio_state state;
	enum paio_where where;
	struct list_node link;
	struct paio_req *hnext; /* hash chain */
	bool in_hash;
	bool retired;
	bool reaped;
	bool kaio;              /* on the kernel-async path */
	uint64_t seq;           /* submission order in the process */
	uaddr_t key;            /* aiocb (POSIX) or aio_result_t (Solaris) */
	uaddr_t resultp;        /* where the aio_result_t lives */
	int fd;
	struct file *fp;        /* held from submission to free */
	uaddr_t buf;
	uint64_t nbytes;
	int64_t offset;
	bool explicit_off;      /* pread/pwrite at offset (false: pipe-like) */
	int reqprio;
	bool datasync;          /* FSYNC: O_DSYNC */
	int sigev;              /* SIMK_SIGEV_* of the request */
	int64_t ret;            /* result, valid once ended */
	int err;
	struct paio_worker *worker; /* whose queue (or who runs it) */
	struct paio_lio *lio;
	struct paio_note *note; /* NULL: nothing to notify */
	/* FSYNC: pieces not yet passed; PIECE: the fsync it belongs to */
	int pieces_left;
	struct paio_req *parent;
	uint64_t kaio_barrier;  /* FSYNC: wait for kernel-async writes up to this seq */
	struct kaio_req kr;
	struct uio_vec kvec;
};

struct paio_lio {
	int mode;            /* LIO_WAIT / LIO_NOWAIT */
	int refs;            /* queued entries not retired + the submitter */
	int failed;          /* entries that ended with an error */
	bool waiting;        /* LIO_WAIT: the caller still sleeps on it */
	struct paio_note *note; /* LIO_NOWAIT notification, or NULL */
};

struct paio_proc {
	struct simk_proc *p;
	struct list_node all;   /* paio_run.procs */
	struct spinlock lock;
	bool closing;           /* the process is exiting */
	struct paio_req *hash[PAIO_HASH_SIZE];
	/* the pool */
	struct list_node workers;      /* read/write workers, creation order */
	struct paio_worker *next_rw;   /* round-robin cursor */
	int nworkers;
	int workers_created;
	int workers_live;              /* threads (incl. notifier) not yet exited */
	struct paio_worker *notifier;
	struct list_node notes;        /* the notifier's queue */
	/* requests */
	int outstanding;    /* not yet ended (both interfaces) */
	int outstanding_posix;
	int outstanding_sol;
	int sol_unreaped;   /* Solaris requests ended but not taken by aiowait */
	int live;           /* allocated requests */
	uint64_t seq;
	struct list_node doneq;    /* POSIX SIGEV_NONE completions (aio_waitn) */
	int doneq_n;
	struct list_node soldoneq; /* Solaris completions (aiowait) */
	struct list_node kaioq;    /* requests on the kernel-async path */
	struct waitq done_wq;      /* every waiter: suspend, waitn, aiowait, lio, exit */
	struct waitq exit_wq;      /* teardown waits for its workers here */
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
};

#define PAIO_FN_BASE 0x7f5e00000000ULL /* handles look like code addresses */

/* posix_aio.c: state, hash, results, completion */
struct paio_run *paio_run(void);
struct paio_proc *paio_proc_of(struct simk_proc *p, bool create);
struct paio_req *paio_req_alloc(struct paio_proc *pp);
void paio_req_free(struct paio_req *r);
struct paio_req *paio_hash_find(struct paio_proc *pp, uaddr_t key);
void paio_hash_insert(struct paio_proc *pp, struct paio_req *r);
void paio_hash_remove(struct paio_proc *pp, struct paio_req *r);
/* Result publication (the request ends). may_preempt: a switch point
 * between the two stores (thread context only). Lock not held when
 * may_preempt. */
void paio_publish(struct paio_req *r, int64_t ret, int err, enum paio_state final,
		  bool may_preempt);
void paio_store_state(struct paio_req *r, int aio_state);
/* Completion work of an ended request; the request may be freed. Lock
 * held; returns the file reference to drop after unlocking (or NULL). */
struct file *paio_retire(struct paio_req *r);
/* Marks r reaped (unhashed, off the done queues); returns the file to drop
 * if it was freed, through *fpp. Lock held. */
void paio_reap(struct paio_req *r, struct file **fpp);
void paio_note_free(struct paio_note *n);
void paio_put_files(struct file **fps, int n);

/* posix_aio_pool.c */
int paio_pool_start(struct paio_proc *pp);
/* Queues r on a worker (creating one when all are loaded). Lock NOT held;
 * takes it. r is hashed by the caller under the same lock section, see
 * paio_enqueue_locked. */
void paio_enqueue(struct paio_req *r);
struct paio_worker *paio_pick_worker(struct paio_proc *pp, bool *create);
void paio_worker_queue(struct paio_worker *w, struct paio_req *r);
void paio_worker_unqueue(struct paio_worker *w, struct paio_req *r);
struct paio_worker *paio_worker_new(struct paio_proc *pp, bool notifier);
int paio_worker_spawn(struct paio_worker *w);
void paio_pool_stop(struct paio_proc *pp);
void paio_notifier_kick(struct paio_proc *pp);

/* posix_aio_submit.c */
int paio_sigev_check(struct simk_proc *p, const struct simk_sigevent *se, uaddr_t object,
		     int events, struct paio_note **notep);
int paio_submit_rw(struct simk_proc *p, uaddr_t aiocbp, struct simk_aiocb *cb, int op,
		   struct paio_lio *lio);
int paio_submit_req(struct paio_proc *pp, struct paio_req *r);

/* posix_aio_fsync.c */
int paio_fsync_submit(struct paio_proc *pp, struct paio_req *r);
/* Worker side: a piece was taken; true when it was the last one and the
 * fsync itself must now run (on this worker). Lock held. */
bool paio_piece_pass(struct paio_worker *w, struct paio_req *piece, struct paio_req **fsyncp);
void paio_fsync_run(struct paio_worker *w, struct paio_req *r);
/* Removes the queued pieces of r (cancel). Lock held. */
void paio_fsync_unqueue(struct paio_req *r);
bool paio_kaio_before(struct paio_proc *pp, struct file *fp, uint64_t seq);

/* posix_aio_cancel.c */
enum paio_cancel_res { PC_CANCELED, PC_NOTCANCELED, PC_ALLDONE };
/* Lock held; may drop and retake it (returns true then: restart scans). */
enum paio_cancel_res paio_cancel_req(struct paio_req *r, struct file **dropfp);
void paio_cancel_fd(struct paio_proc *pp, int fd, struct file *fp, int *canceled,
		    int *notcanceled, int *done);
void paio_close_observer(struct simk_proc *p, int fd, struct file *fp);

/* posix_aio_notify.c */
void paio_note_send(struct paio_proc *pp, struct paio_note *n);
void paio_note_queue(struct paio_proc *pp, struct paio_note *n);
void paio_notifier_main(void *arg);
int paio_port_check(struct simk_proc *p, int port_fd);
int paio_kq_attach(struct simk_proc *p, struct paio_note *n);
void paio_kq_detach(struct paio_note *n);

/* posix_aio_wait.c */
int paio_copyin_timespec(uaddr_t ts, uint64_t *ns);

/* trace helpers */
static inline int paio_ev_of(enum paio_op op)
{
	return op == PAIO_OP_READ ? PAIO_EV_READ : op == PAIO_OP_WRITE ? PAIO_EV_WRITE
								       : PAIO_EV_FSYNC;
}

#endif
