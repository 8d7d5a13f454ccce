/*
 * Work queues: a FIFO of work items and a fixed set of worker threads
 * (daemon threads of the kernel process) that take items from its head.
 *
 * The invariant flush relies on: every item gets a ticket (seq) when it
 * is queued, increasing in each queue, and the queue's list is in ticket
 * order. Tickets come from one counter for the whole run (not one per
 * queue) so that a ticket also names its item across queues: the trace's
 * "work" link (queue_work -> work_run) follows it (docs/tracing.md). "Everything queued before the flush has run" is then: the head of
 * the list has a later ticket than the flush target, and no worker is
 * running an item with a ticket at or below it. Workers record the ticket
 * of the item they run (not the item: its function may free it).
 *
 * Workers are daemons: a run ends when the user threads are done, leaving
 * idle workers asleep on an empty queue; that is not a deadlock. The
 * system work queue lives until the end of the run (kern.c end hook); a
 * queue made with workqueue_create must be destroyed by its owner, or the
 * run reports a "workqueue" kmem leak.
 */
#include "kern/workqueue.h"

#include "kern/kern_priv.h"
#include "kern/kmem.h"
#include "kern/proc.h"
#include "kern/waitq.h"

/* Liveness guard: work items one worker runs; past it the loop is a livelock bug. */
#define WORKER_ITEMS_MAX (1ULL << 40)

#define WQ_THREADS_MAX 64

struct wq_worker {
	struct workqueue *wq;
	struct simk_thread *t;
	uint64_t cur_seq; /* ticket of the item being run, 0 when idle */
	const struct work *cur;
};

struct workqueue {
	const char *name;
	struct list_node items; /* queued work, ticket order */
	int nitems;
	uint64_t seq_last; /* last ticket handed out to this queue */
	struct waitq more; /* idle workers */
	struct waitq idle; /* flushers and the destroyer */
	bool stopping;
	bool system;
	int nworkers;
	int nworkers_live;
	struct wq_worker workers[];
};

static KMEM_TYPE(kmt_wq, "kern.workqueue");

void work_init(struct work *w, const char *name, work_fn fn, void *arg)
{
	list_init(&w->link);
	w->fn = fn;
	w->arg = arg;
	w->queued = false;
	w->name = name;
	w->seq = 0;
	w->wq = NULL;
}

static bool worker_has_work(void *arg)
{
	struct workqueue *wq = arg;
	return wq->nitems > 0 || wq->stopping;
}

/* Worker thread body (kernel process, daemon). Sleeps uninterruptibly on
 * wq->more for work; woken by queue_work (one worker per item) and by
 * workqueue_destroy (all). */
static void worker_main(void *arg)
{
	struct wq_worker *me = arg;
	struct workqueue *wq = me->wq;
	for (uint64_t bound = 0;; bound++) {
		KASSERT(bound < WORKER_ITEMS_MAX, "worker of %s loops", wq->name);
		waitq_wait(&wq->more, true, false, SIMK_FOREVER, worker_has_work, wq);
		if (wq->nitems == 0) {
			KASSERT(wq->stopping, "worker of %s woke without work", wq->name);
			break;
		}
		struct work *w = list_entry(wq->items.next, struct work, link);
		list_del(&w->link);
		wq->nitems--;
		w->queued = false;
		me->cur_seq = w->seq;
		me->cur = w;
		trace_emit(TR_INFO, "kern:work_run", (int64_t)w->seq, me->t->tid, 0, 0);
		w->fn(w); /* may sleep, free or re-queue w */
		me->cur_seq = 0;
		me->cur = NULL;
		waitq_wake_all(&wq->idle);
		preempt_point();
	}
	wq->nworkers_live--;
	waitq_wake_all(&wq->idle);
	/* wq may be freed once we stop running: touch nothing of it below. */
	sim_thread_exit(0);
}

static struct workqueue *wq_alloc(const char *name, int nthreads, bool system, struct simk_proc *kp)
{
	KASSERT(nthreads >= 1, "workqueue %s: %d threads", name, nthreads);
	KASSERT(nthreads <= WQ_THREADS_MAX, "workqueue %s: %d threads", name, nthreads);
	size_t size = sizeof(struct workqueue) + (size_t)nthreads * sizeof(struct wq_worker);
	struct workqueue *wq =
	    system ? kmem_zalloc_nofail(&kmt_wq, size) : kmem_zalloc(&kmt_wq, size);
	if (wq == NULL)
		return NULL;
	wq->name = name;
	list_init(&wq->items);
	waitq_init(&wq->more, name);
	waitq_init(&wq->idle, name);
	wq->system = system;
	wq->nworkers = nthreads;
	for (int i = 0; i < nthreads; i++) {
		struct wq_worker *wk = &wq->workers[i];
		wk->wq = wq;
		wk->t = sim_thread_spawn(kp, name, worker_main, wk, true);
		if (wk->t == NULL)
			sim_panic("workqueue %s: cannot start worker %d", name, i);
		wq->nworkers_live++;
	}
	trace_emit(TR_INFO, "kern:workqueue_create", nthreads, 0, 0, 0);
	return wq;
}

struct workqueue *kwq_create_system(void)
{
	struct kern_state *ks = kern_st();
	KASSERT(ks->kproc != NULL, "system work queue before the kernel process");
	return wq_alloc("system_wq", 1, true, ks->kproc);
}

/* Thread or host context. name outlives the run. */
struct workqueue *workqueue_create(const char *name, int nthreads)
{
	struct simk_proc *kp = kernel_proc();
	return wq_alloc(name, nthreads, false, kp);
}

struct workqueue *system_wq(void)
{
	kernel_proc();
	return kern_st()->syswq;
}

/* Any context. */
bool queue_work(struct workqueue *wq, struct work *w)
{
	KASSERT(w->fn != NULL, "work %s queued without work_init", w->name ? w->name : "?");
	KASSERT(!wq->stopping, "work queued on %s while it is destroyed", wq->name);
	if (w->queued)
		return false;
	w->queued = true;
	w->wq = wq;
	w->seq = ++kern_st()->work_seq_last;
	wq->seq_last = w->seq;
	list_push_back(&wq->items, &w->link);
	wq->nitems++;
	trace_emit(TR_INFO, "kern:queue_work", (int64_t)w->seq, 0, 0, 0);
	waitq_wake_one(&wq->more);
	return true;
}

/* Any context. */
bool work_cancel(struct workqueue *wq, struct work *w)
{
	if (!w->queued)
		return false;
	KASSERT(w->wq == wq, "work %s cancelled on %s, queued elsewhere", w->name ? w->name : "?",
		wq->name);
	list_del(&w->link);
	wq->nitems--;
	w->queued = false;
	trace_emit(TR_INFO, "kern:work_cancel", (int64_t)w->seq, 0, 0, 0);
	waitq_wake_all(&wq->idle); /* a flusher may be waiting for it */
	return true;
}

bool work_running(const struct workqueue *wq, const struct work *w)
{
	for (int i = 0; i < wq->nworkers; i++)
		if (wq->workers[i].cur == w)
			return true;
	return false;
}

static void assert_not_worker(const struct workqueue *wq, const char *what)
{
	struct simk_thread *t = sim_thread_current();
	for (int i = 0; i < wq->nworkers; i++)
		KASSERT(wq->workers[i].t != t, "%s of %s from its own worker", what, wq->name);
}

struct flush_req {
	struct workqueue *wq;
	uint64_t target;
};

static bool flush_done(void *arg)
{
	struct flush_req *fr = arg;
	struct workqueue *wq = fr->wq;
	if (!list_empty(&wq->items)) {
		struct work *first = list_entry(wq->items.next, struct work, link);
		if (first->seq <= fr->target)
			return false;
	}
	for (int i = 0; i < wq->nworkers; i++) {
		uint64_t cs = wq->workers[i].cur_seq;
		if (cs != 0 && cs <= fr->target)
			return false;
	}
	return true;
}

/* Thread context; not from a worker of wq (it would wait for itself). */
void workqueue_flush(struct workqueue *wq)
{
	sim_assert_may_sleep(wq->name);
	assert_not_worker(wq, "workqueue_flush");
	struct flush_req fr = {wq, wq->seq_last};
	int r = waitq_wait(&wq->idle, false, false, SIMK_FOREVER, flush_done, &fr);
	KASSERT(r == 0, "workqueue_flush of %s returned %d", wq->name, r);
}

static bool drained(void *arg)
{
	struct workqueue *wq = arg;
	if (wq->nitems > 0)
		return false;
	for (int i = 0; i < wq->nworkers; i++)
		if (wq->workers[i].cur_seq != 0)
			return false;
	return true;
}

static bool workers_gone(void *arg)
{
	struct workqueue *wq = arg;
	return wq->nworkers_live == 0;
}

/* Thread context. Runs everything still queued (including work queued by
 * that work), then stops the workers and frees wq. */
void workqueue_destroy(struct workqueue *wq)
{
	if (wq == NULL)
		return;
	KASSERT(!wq->system, "the system work queue is not destroyed by its users");
	sim_assert_may_sleep(wq->name);
	assert_not_worker(wq, "workqueue_destroy");
	waitq_wait(&wq->idle, false, false, SIMK_FOREVER, drained, wq);
	wq->stopping = true;
	waitq_wake_all(&wq->more);
	waitq_wait(&wq->idle, false, false, SIMK_FOREVER, workers_gone, wq);
	waitq_destroy(&wq->more);
	waitq_destroy(&wq->idle);
	trace_emit(TR_INFO, "kern:workqueue_destroy", wq->nworkers, 0, 0, 0);
	kmem_free(&kmt_wq, wq);
}

/* End of run (host context): the system queue's worker sleeps forever;
 * its wait entry lives on its stack, which is never resumed, so the queue
 * is freed without waitq_destroy. */
void kwq_end(struct simk *s)
{
	(void)s;
	struct kern_state *ks = kern_st();
	if (ks->syswq == NULL)
		return;
	/* Items still queued (a worker blocked forever inside a work function)
	 * belong to their owners, whose end hooks ran before this one. */
	kmem_free(&kmt_wq, ks->syswq);
	ks->syswq = NULL;
}
