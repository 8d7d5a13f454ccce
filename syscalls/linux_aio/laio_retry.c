/*
 * Linux AIO: retry and kick.
 *
 * A request whose file cannot finish it now (a pipe with nothing to read,
 * or no room to write) is not blocked on: its retry method listens for
 * the file's readiness (a poll listener, Linux's ki_wait on the file's
 * wait queue) and returns -EIOCBRETRY. The listener's callback "kicks" the
 * request: it goes on the context's run list, and the context's kick work
 * (a kernel worker thread of the work queue) runs the retry again, later
 * and elsewhere. The submitter, io_getevents (before it sleeps) and the
 * worker all drain the run list.
 *
 * The invariant that keeps one retry of a request at a time: a request is
 * queued only from RUN_IDLE. While its retry runs (RUN_ACTIVE) a kick
 * cannot queue it — the kick is only remembered (kicked) — and when the
 * retry returns -EIOCBRETRY the request goes back to RUN_IDLE and, if it
 * was kicked meanwhile, is queued right then by the code that ran it. That
 * is the "kicked while running" case of the reference, and the reason the
 * run list is reused only after the retry returns.
 */
#include <errno.h>

#include "syscalls/linux_aio/laio_priv.h"

/* Liveness guard: runs of a dying context's kick work; past it the loop is a livelock bug. */
#define LAIO_KICK_ROUNDS_MAX 1000

/* Puts a kicked request on the run list. ctx->lock held. True if it was
 * queued now (the caller starts the work), false if it was already queued
 * or is running. */
static bool queue_kicked_locked(struct laio_req *req)
{
	struct laio_ctx *ctx = req->ctx;
	spin_assert_held(&ctx->lock);
	if (req->run_state != RUN_IDLE)
		return false;
	list_push_back(&ctx->run_list, &req->run_link);
	req->run_state = RUN_QUEUED;
	return true;
}

static void kick_timer_fn(void *arg)
{
	struct laio_ctx *ctx = arg;
	queue_work(system_wq(), &ctx->kick_work);
}

/* Starts the kick work: at once when someone waits for events, after
 * LAIO_KICK_DELAY_NS otherwise (the reference's delayed work). Any
 * context. */
static void queue_ctx_work(struct laio_ctx *ctx)
{
	if (waitq_active(&ctx->wait)) {
		callout_stop(&ctx->kick_timer);
		queue_work(system_wq(), &ctx->kick_work);
	} else if (!callout_pending(&ctx->kick_timer) && !ctx->kick_work.queued) {
		callout_reset(&ctx->kick_timer, LAIO_KICK_DELAY_NS, kick_timer_fn, ctx);
	}
}

void laio_kick(struct laio_req *req)
{
	struct laio_ctx *ctx = req->ctx;
	KASSERT(!poll_listening(&req->listener), "kick of an aio request that still listens");
	spin_lock(&ctx->lock);
	bool queued = false;
	if (!req->kicked) {
		req->kicked = true;
		queued = queue_kicked_locked(req);
	}
	laio_sys()->st.kicks++;
	if (req->run_state == RUN_ACTIVE)
		laio_sys()->st.kicks_running++;
	trace_emit(TR_INFO, "laio:kick", (int64_t)req->seq, req->run_state, queued, 0);
	if (queued)
		queue_ctx_work(ctx);
	spin_unlock(&ctx->lock);
}

ssize_t laio_run_iocb(struct laio_req *req)
{
	struct laio_ctx *ctx = req->ctx;
	spin_assert_held(&ctx->lock);
	laio_retry_fn retry = req->retry;
	KASSERT(retry != NULL, "aio request %llu has no retry method",
		(unsigned long long)req->seq);
	KASSERT(req->run_state == RUN_IDLE, "aio request %llu run while %d",
		(unsigned long long)req->seq, req->run_state);
	/* A kick from now on is remembered but does not queue the request:
	 * the next iteration starts only after this one returned. */
	req->kicked = false;
	req->run_state = RUN_ACTIVE;
	if (ctx->dead && !req->cancelled) {
		/* a request that raced with io_destroy: nobody will read it */
		req->cancelled = true;
		req->torn = true;
	}
	laio_sys()->st.retries++;
	spin_unlock(&ctx->lock);
	ssize_t ret;
	if (req->cancelled) {
		ret = -EINTR;
		laio_complete(req, ret); /* its result goes to the canceller */
	} else {
		ret = retry(req);
		trace_emit(TR_INFO, "laio:retry", (int64_t)req->seq, ret, (int64_t)req->left, 0);
		if (ret != -EIOCBRETRY && ret != -EIOCBQUEUED)
			laio_complete(req, ret);
		/* the window the reference calls out: the file may kick the
		 * request (from an interrupt, another thread) before we look */
		preempt_point();
	}
	spin_lock(&ctx->lock);
	if (ret == -EIOCBRETRY) {
		req->run_state = RUN_IDLE;
		/* kicked while running, or cancelled meanwhile: run it again */
		if (req->kicked || req->cancelled || ctx->dead) {
			poll_unlisten(&req->listener);
			req->kicked = true;
			queue_kicked_locked(req);
			queue_ctx_work(ctx);
		}
	}
	return ret;
}

bool laio_run_iocbs_locked(struct laio_ctx *ctx)
{
	spin_assert_held(&ctx->lock);
	struct list_node batch;
	list_init(&batch);
	/* take the whole list: what gets queued while we run waits its turn */
	if (!list_empty(&ctx->run_list)) {
		batch.next = ctx->run_list.next;
		batch.prev = ctx->run_list.prev;
		batch.next->prev = &batch;
		batch.prev->next = &batch;
		list_init(&ctx->run_list);
	}
	for (uint64_t bound = 0; !list_empty(&batch); bound++) {
		KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "aio run list does not drain");
		struct laio_req *req = list_entry(batch.next, struct laio_req, run_link);
		list_del(&req->run_link);
		req->run_state = RUN_IDLE;
		req->users++; /* held while it runs */
		laio_run_iocb(req);
		laio_put_req_locked(ctx, req);
	}
	return !list_empty(&ctx->run_list);
}

void laio_run_all_iocbs(struct laio_ctx *ctx)
{
	spin_lock(&ctx->lock);
	for (int bound = 0; laio_run_iocbs_locked(ctx); bound++)
		KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "aio run list keeps refilling");
	spin_unlock(&ctx->lock);
}

/* Work function: runs the context's queued retries on a kernel worker
 * thread (which reads and writes the submitter's memory through the uio's
 * process, the simulation's use_mm). */
void laio_kick_work(struct work *w)
{
	struct laio_ctx *ctx = w->arg;
	spin_lock(&ctx->lock);
	bool requeue = laio_run_iocbs_locked(ctx);
	spin_unlock(&ctx->lock);
	/* the context lives until laio_stop_kick_work saw us finish */
	if (requeue)
		queue_work(system_wq(), &ctx->kick_work);
}

void laio_stop_kick_work(struct laio_ctx *ctx)
{
	sim_assert_may_sleep(__func__);
	callout_stop(&ctx->kick_timer);
	for (int bound = 0;; bound++) {
		KASSERT(bound < LAIO_KICK_ROUNDS_MAX, "aio kick work of a dying context keeps running");
		bool queued = ctx->kick_work.queued;
		if (queued)
			work_cancel(ctx->kick_work.wq, &ctx->kick_work);
		if (ctx->kick_work.wq == NULL || !work_running(ctx->kick_work.wq, &ctx->kick_work))
			break;
		workqueue_flush(ctx->kick_work.wq);
	}
}

/* ---- waiting for readiness ------------------------------------------------ */

/* Listener callback (any context, often an interrupt or the thread that
 * wrote to the pipe): one-shot, like Linux's aio_wake_function. */
static void ready_fn(struct poll_listener *l, unsigned events)
{
	(void)events;
	struct laio_req *req = l->priv;
	/* A wake function runs atomically (Linux: under the wait queue's
	 * lock): no switch point, not even where laio_kick drops ctx_lock, or
	 * the waker's walk over the listeners could find them changed. */
	preempt_disable(); /* pollwakeup already does; kept for other callers */
	poll_unlisten(l);
	laio_kick(req);
	preempt_enable();
}

ssize_t laio_wait_ready(struct laio_req *req, unsigned interest)
{
	KASSERT(!poll_listening(&req->listener), "aio request listens twice");
	struct poll_head *ph = NULL;
	poll_listener_init(&req->listener, ready_fn, req, interest);
	unsigned now = file_poll(req->filp, interest, &ph);
	if (ph == NULL)
		return -EAGAIN; /* its readiness never changes: it would wait forever */
	if (now & (interest | POLLHUP | POLLERR)) {
		/* ready already (it changed since the attempt): go again */
		laio_kick(req);
		return -EIOCBRETRY;
	}
	poll_listen(ph, &req->listener);
	return -EIOCBRETRY;
}
