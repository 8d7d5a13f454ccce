/*
 * POSIX AIO: the worker pool of a process.
 *
 * Shape (Solaris libc aio.c): read/write workers on a ring in creation order, each
 * with its own FIFO queue; a round-robin cursor; one notification worker.
 * The first request of a process starts min_workers workers and the
 * notification worker. A new request goes to
 *   1. the first idle worker found from the cursor on (preference for
 *      idle workers), else
 *   2. the worker at the cursor, unless it is loaded (min_workload read/
 *      write requests waiting on its queue) and fewer than max_workers
 *      exist: then a new worker is created with the request already on
 *      its queue;
 * and the cursor moves past the chosen worker. The exception: a write on
 * an O_APPEND descriptor goes behind the latest append of the same open
 * file still queued or running, on that worker, so that the appends land
 * in the order of the calls (POSIX; workers in parallel would race).
 *
 * The invariant that makes aio_fsync work (paio_fsync.c): a worker
 * takes the next item of its queue only after the previous one was
 * completely finished (result published, request retired). So when a
 * worker takes an fsync barrier piece, everything queued to it before the
 * piece is done.
 *
 * Workers are daemon threads of the kernel process: they do not keep a run
 * alive, and they act for their process through struct uio (its user
 * memory) and the file references the requests hold. They block every
 * signal except the private SIGAIOCANCEL, and unblock that one only inside
 * the file operation of a request (the cancel window, paio_cancel.c).
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>
#include <stdio.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "syscalls/posix_aio/paio_priv.h"

/* Liveness guard: requests one worker runs; past it the loop is a livelock bug. */
#define PAIO_WORKER_ITEMS_MAX 100000000

static KMEM_TYPE(kmt_worker, "paio.worker");

static struct paio_worker *ring_next(struct paio_proc *pp, struct paio_worker *w)
{
	struct list_node *n = w->ring.next;
	if (n == &pp->workers)
		n = n->next;
	return list_entry(n, struct paio_worker, ring);
}

/* Lock held (or the pool not yet visible). NULL on ENOMEM. */
struct paio_worker *paio_worker_new(struct paio_proc *pp, bool notifier)
{
	struct paio_worker *w = kmem_zalloc(&kmt_worker, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->pp = pp;
	w->notifier = notifier;
	list_init(&w->ring);
	list_init(&w->queue);
	waitq_init(&w->wq, notifier ? "aio_notify_idle" : "aio_worker_idle");
	return w;
}

static void worker_free(struct paio_worker *w)
{
	KASSERT(list_empty(&w->queue), "freeing a busy aio worker");
	KASSERT(w->cur == NULL, "freeing a busy aio worker");
	waitq_destroy(&w->wq);
	kmem_free(&kmt_worker, w);
}

static void worker_main(void *arg);

/*
 * Lock held, thread context (thread creation never sleeps). Starts the
 * thread of w and links a read/write worker into the ring. -EAGAIN when no
 * thread can be made.
 */
static int worker_spawn(struct paio_worker *w)
{
	sim_assert_thread_context(__func__);
	spin_assert_held(&w->pp->lock);
	struct paio_proc *pp = w->pp;
	char name[SIM_NAME_MAX];
	if (w->notifier)
		snprintf(name, sizeof(name), "aio_notify.%d", pp->p->pid);
	else
		snprintf(name, sizeof(name), "aio_worker.%d.%d", pp->p->pid, pp->workers_created);
	struct simk_thread *t =
	    kthread_create(NULL, name, w->notifier ? paio_notifier_main : worker_main, w, true);
	if (t == NULL)
		return -EAGAIN;
	t->sigmask = ~0ULL; /* everything blocked; SIGAIOCANCEL only in the window */
	w->thread = t;
	pp->workers_live++;
	if (w->notifier) {
		pp->notifier = w;
	} else {
		w->index = pp->workers_created++;
		list_push_back(&pp->workers, &w->ring);
		pp->nworkers++;
		if (pp->next_rw == NULL)
			pp->next_rw = w;
	}
	trace_emit(TR_INFO, w->notifier ? "paio:notifier_create" : "paio:worker_create", pp->p->pid,
		   t->tid, w->index, pp->nworkers);
	return 0;
}

/*
 * Thread context, lock not held. The first request of a process starts
 * the notification worker and min_workers read/write workers (Solaris libc aio.c:
 * __uaio_init). Fails with -EAGAIN only if no read/write worker or no
 * notification worker could be started. Atomic (nothing in it switches),
 * so two threads cannot start two pools.
 */
int paio_pool_start(struct paio_proc *pp)
{
	sim_assert_thread_context(__func__);
	spin_assert_not_held(&pp->lock);
	struct paio_config *cfg = &paio_run()->cfg;
	spin_lock(&pp->lock);
	if (pp->nworkers > 0 && pp->notifier != NULL) {
		paio_unlock(pp);
		return 0;
	}
	if (pp->notifier == NULL) {
		struct paio_worker *w = paio_worker_new(pp, true);
		if (w == NULL || worker_spawn(w) != 0) {
			if (w != NULL)
				worker_free(w);
			paio_unlock(pp);
			return -EAGAIN;
		}
	}
	for (int i = pp->nworkers; i < cfg->min_workers; i++) {
		struct paio_worker *w = paio_worker_new(pp, false);
		if (w == NULL)
			break;
		if (worker_spawn(w) != 0) {
			worker_free(w);
			break;
		}
	}
	int rc = pp->nworkers > 0 ? 0 : -EAGAIN;
	paio_unlock(pp);
	return rc;
}

/* Lock held. Appends r to w's queue and wakes w if it waits for work. */
void paio_worker_queue(struct paio_worker *w, struct paio_req *r)
{
	spin_assert_held(&w->pp->lock);
	KASSERT(r->where == PW_NONE, "queueing a request that is on a list");
	list_push_back(&w->queue, &r->link);
	r->where = PW_WORKQ;
	r->worker = w;
	w->queued++;
	if (r->op == PAIO_OP_READ || r->op == PAIO_OP_WRITE)
		w->load++;
	if (r->op != PAIO_OP_PIECE) {
		r->state = PAIO_QUEUED;
		paio_store_state(r, AIOCB_QUEUED);
	}
	if (w->idle) {
		w->idle = false;
		waitq_wake_all(&w->wq);
	}
}

/* Lock held. Takes r (queued, not started) off w's queue. */
void paio_worker_unqueue(struct paio_worker *w, struct paio_req *r)
{
	spin_assert_held(&w->pp->lock);
	KASSERT(r->where == PW_WORKQ, "unqueue of a request not on the queue");
	KASSERT(r->worker == w, "unqueue of a request not on the queue");
	list_del(&r->link);
	r->where = PW_NONE;
	w->queued--;
	if (r->op == PAIO_OP_READ || r->op == PAIO_OP_WRITE)
		w->load--;
	KASSERT(w->queued >= 0, "aio worker counts underflow");
	KASSERT(w->load >= 0, "aio worker counts underflow");
}

static bool is_append(const struct paio_req *r, const struct file *fp)
{
	return r->op == PAIO_OP_WRITE && r->fp == fp && (fp->flags & O_APPEND);
}

/* Lock held. The worker whose queue (or hands) hold the latest append to
 * r's open file, or NULL. Only appends look: the cost is the queues'. */
static struct paio_worker *append_worker(struct paio_proc *pp, const struct paio_req *r)
{
	struct paio_worker *found = NULL;
	uint64_t latest = 0;
	for (struct list_node *n = pp->workers.next; n != &pp->workers; n = n->next) {
		struct paio_worker *w = list_entry(n, struct paio_worker, ring);
		if (w->cur != NULL && is_append(w->cur, r->fp) && w->cur->seq >= latest) {
			found = w;
			latest = w->cur->seq;
		}
		for (struct list_node *q = w->queue.next; q != &w->queue; q = q->next) {
			struct paio_req *o = list_entry(q, struct paio_req, link);
			if (is_append(o, r->fp) && o->seq >= latest) {
				found = w;
				latest = o->seq;
			}
		}
	}
	return found;
}

/*
 * Lock held, thread context. Puts a read or write on a worker (see the top
 * comment), creating one when the chosen worker is loaded.
 */
void paio_enqueue(struct paio_req *r)
{
	sim_assert_thread_context(__func__);
	spin_assert_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	struct paio_config *cfg = &paio_run()->cfg;
	KASSERT(pp->nworkers > 0, "enqueue without workers");
	KASSERT(pp->next_rw != NULL, "enqueue without workers");
	if (is_append(r, r->fp)) {
		struct paio_worker *aw = append_worker(pp, r);
		if (aw != NULL) {
			paio_worker_queue(aw, r);
			return;
		}
	}
	struct paio_worker *first = pp->next_rw, *w = first, *pick = NULL;
	do {
		if (w->idle && !w->exit) {
			pick = w;
			break;
		}
		w = ring_next(pp, w);
	} while (w != first);
	if (pick == NULL) {
		pick = first;
		if (pp->nworkers < cfg->max_workers && pick->load >= cfg->min_workload) {
			struct paio_worker *nw = paio_worker_new(pp, false);
			if (nw != NULL) {
				paio_worker_queue(nw, r);
				if (worker_spawn(nw) == 0) {
					pp->next_rw = ring_next(pp, pick);
					return;
				}
				paio_worker_unqueue(nw, r);
				r->worker = NULL;
				worker_free(nw);
			}
			/* no new worker: the loaded one takes it */
		}
	}
	paio_worker_queue(pick, r);
	pp->next_rw = ring_next(pp, pick);
	KASSERT(pp->nworkers <= cfg->max_workers, "aio pool of pid %d has %d workers, max %d",
		pp->p->pid, pp->nworkers, cfg->max_workers);
}

static bool has_work(void *arg)
{
	struct paio_worker *w = arg;
	return !list_empty(&w->queue) || w->exit;
}

/* Worker thread: waits for work. Returns false when told to exit and the
 * queue is empty. */
bool paio_worker_wait(struct paio_worker *w)
{
	struct paio_proc *pp = w->pp;
	spin_lock(&pp->lock);
	if (!list_empty(&w->queue)) {
		paio_unlock(pp);
		return true;
	}
	if (w->exit) {
		paio_unlock(pp);
		return false;
	}
	w->idle = true;
	paio_unlock(pp);
	/* woken by paio_worker_queue (which clears idle) or by exit */
	(void)waitq_wait(&w->wq, false, false, SIMK_FOREVER, has_work, w);
	w->idle = false;
	return true;
}

/* Worker thread: the end of its life. Touches nothing of pp after the
 * wake-up (the exiting process frees pp once workers_live is 0). */
void paio_worker_exit(struct paio_worker *w)
{
	struct paio_proc *pp = w->pp;
	spin_lock(&pp->lock);
	KASSERT(list_empty(&w->queue), "aio worker exits with work queued");
	pp->workers_live--;
	trace_emit(TR_INFO, "paio:worker_exit", pp->p->pid, w->thread->tid, w->index, 0);
	waitq_wake_all(&pp->exit_wq);
	spin_unlock(&pp->lock);
}

/* Worker: the read or write itself, in the cancel window. */
static ssize_t do_rw(struct paio_worker *w, struct paio_req *r)
{
	struct uio u;
	struct uio_vec v;
	enum uio_rw rw = r->op == PAIO_OP_READ ? UIO_READ : UIO_WRITE;
	bool explicit_off = r->explicit_off;
	for (int attempt = 0; attempt < 2; attempt++) {
		uio_init_user(&u, &v, w->pp->p, rw, r->buf, (size_t)r->nbytes, r->offset);
		int flags = explicit_off ? IOF_EXPLICIT : 0;
		ssize_t res =
		    rw == UIO_READ ? file_read(r->fp, &u, flags) : file_write(r->fp, &u, flags);
		/* Solaris libc aio.c: pread on a pipe says ESPIPE, then read */
		if (res != -ESPIPE || !explicit_off)
			return res;
		explicit_off = false;
	}
	return -ESPIPE;
}

/* Worker: runs one file operation of r with SIGAIOCANCEL deliverable, then
 * makes sure no SIGAIOCANCEL stays pending. */
ssize_t paio_in_window(struct paio_worker *w, struct paio_req *r,
		       ssize_t (*op)(struct paio_worker *, struct paio_req *))
{
	struct simk_thread *t = w->thread;
	w->in_window = true;
	t->sigmask = ~(1ULL << (PAIO_SIGAIOCANCEL - 1));
	ssize_t res = op(w, r);
	struct siginfo_sim si;
	while (sig_pending(t, PAIO_SIGAIOCANCEL))
		(void)sig_dequeue(&si); /* only SIGAIOCANCEL is deliverable here */
	t->sigmask = ~0ULL;
	w->in_window = false;
	return res;
}

/*
 * Worker: finishes r after its file operation. If a cancel ended it in the
 * window, the result (-1, ECANCELED) is already published: only retire it.
 */
void paio_finish(struct paio_worker *w, struct paio_req *r, ssize_t res)
{
	struct paio_proc *pp = w->pp;
	spin_lock(&pp->lock);
	if (r->state == PAIO_CANCELED) {
		w->cur = NULL;
		paio_retire(r);
		paio_unlock(pp);
		return;
	}
	KASSERT(r->state == PAIO_INPROGRESS, "finishing a request in state %d", r->state);
	paio_unlock(pp);
	paio_publish(r, res >= 0 ? res : -1, res >= 0 ? 0 : (int)-res, PAIO_DONE, true);
	spin_lock(&pp->lock);
	w->cur = NULL;
	paio_retire(r);
	paio_unlock(pp);
}

/* Lock held. Takes the next item of w's queue (NULL: empty). */
static struct paio_req *take(struct paio_worker *w)
{
	spin_assert_held(&w->pp->lock);
	if (list_empty(&w->queue))
		return NULL;
	struct paio_req *r = list_entry(w->queue.next, struct paio_req, link);
	paio_worker_unqueue(w, r);
	if (r->op != PAIO_OP_PIECE) {
		KASSERT(r->state == PAIO_QUEUED, "queued request in state %d", r->state);
		r->state = PAIO_INPROGRESS;
		w->cur = r;
		paio_store_state(r, AIOCB_INPROGRESS);
		trace_emit(TR_INFO, "paio:start", w->pp->p->pid, paio_taddr(w->pp->p, r->key), w->index, r->op);
	}
	return r;
}

static void worker_main(void *arg)
{
	struct paio_worker *w = arg;
	struct paio_proc *pp = w->pp;
	for (int bound = 0;; bound++) {
		KASSERT(bound < PAIO_WORKER_ITEMS_MAX, "aio worker loops");
		spin_lock(&pp->lock);
		struct paio_req *r = take(w);
		if (r == NULL) {
			paio_unlock(pp);
			if (!paio_worker_wait(w))
				break;
			continue;
		}
		if (r->op == PAIO_OP_PIECE) {
			struct paio_req *f = NULL;
			bool last = paio_piece_pass(w, r, &f);
			paio_unlock(pp);
			if (last)
				paio_fsync_run(w, f);
			continue;
		}
		paio_unlock(pp);
		/* the request is ours now: a cancel from here on finds it in
		 * progress; this is where "cancel vs pick-up" is decided */
		preempt_point();
		ssize_t res = paio_in_window(w, r, do_rw);
		paio_finish(w, r, res);
	}
	paio_worker_exit(w);
}

/* Lock held. Wakes the notification worker if it waits. */
void paio_notifier_kick(struct paio_proc *pp)
{
	spin_assert_held(&pp->lock);
	struct paio_worker *w = pp->notifier;
	if (w != NULL && w->idle) {
		w->idle = false;
		waitq_wake_all(&w->wq);
	}
}

static bool workers_gone(void *arg)
{
	struct paio_proc *pp = arg;
	return pp->workers_live == 0;
}

/*
 * Thread context (process exit), every request retired. Asks every worker
 * to exit once its queue is empty (the notification worker sends what is
 * queued first) and waits, uninterruptibly, until they did.
 */
void paio_pool_stop(struct paio_proc *pp)
{
	sim_assert_may_sleep(__func__);
	spin_lock(&pp->lock);
	for (struct list_node *n = pp->workers.next; n != &pp->workers; n = n->next) {
		struct paio_worker *w = list_entry(n, struct paio_worker, ring);
		w->exit = true;
		waitq_wake_all(&w->wq);
	}
	struct paio_worker *nw = pp->notifier;
	if (nw != NULL) {
		nw->exit = true;
		waitq_wake_all(&nw->wq);
		/* waiting for room in a port nobody will empty any more */
		if (nw->in_window)
			(void)sig_kill_thread(nw->thread, PAIO_SIGAIOCANCEL);
	}
	paio_unlock(pp);
	(void)waitq_wait(&pp->exit_wq, false, false, SIMK_FOREVER, workers_gone, pp);
}

/* After paio_pool_stop: frees the worker structures. */
void paio_pool_free(struct paio_proc *pp)
{
	while (!list_empty(&pp->workers)) {
		struct paio_worker *w = list_entry(pp->workers.next, struct paio_worker, ring);
		list_del(&w->ring);
		pp->nworkers--;
		worker_free(w);
	}
	pp->next_rw = NULL;
	if (pp->notifier != NULL) {
		KASSERT(list_empty(&pp->notes), "notifications left at teardown");
		worker_free(pp->notifier);
		pp->notifier = NULL;
	}
}
