/*
 * Linux AIO: completion and the end of a request's life.
 *
 * laio_complete is where a request's outcome is decided, exactly once, in
 * whatever context the I/O finished (an interrupt for O_DIRECT, the
 * submitter or the retry worker otherwise): an event goes into the ring,
 * or, for a cancelled request, the result is kept for the canceller (or
 * thrown away by teardown). Then the I/O's reference is dropped.
 *
 * The last reference frees the request, but the request also holds a
 * reference on its file (and on its eventfd). Dropping the last reference
 * of a file may sleep (its release), which neither an interrupt nor a
 * holder of ctx->lock may do, so such a request goes to the run's fput
 * list and the fput work releases it in thread context (Linux's
 * aio_fput_routine). It keeps its ring slot (reqs_active) until then, so
 * io_destroy waits for it.
 */
#include <errno.h>

#include "syscalls/eventfd/eventfd.h"
#include "syscalls/linux_aio/laio_priv.h"

void laio_req_end(struct laio_req *req, enum laio_end how)
{
	KASSERT(req->ended == END_NONE, "aio request %llu ended twice (%d, then %d)",
		(unsigned long long)req->seq, req->ended, how);
	KASSERT(how != END_NONE, "bad ending");
	req->ended = how;
	struct laio_stats *st = &laio_sys()->st;
	switch (how) {
	case END_EVENT:
		st->ended_event++;
		break;
	case END_CANCEL:
		st->ended_cancel++;
		break;
	case END_TORN:
		st->ended_torn++;
		break;
	case END_UNSUBMITTED:
	case END_NONE:
		break;
	}
	trace_emit(TR_INFO, "laio:end", (int64_t)req->seq, how, req->res, 0);
}

/* Frees req and gives its slot back. ctx->lock held; never the last
 * reference of the context (see laio_put_ctx). */
static void really_put_req(struct laio_ctx *ctx, struct laio_req *req)
{
	struct laio_sys *ls = laio_sys();
	spin_assert_held(&ctx->lock);
	KASSERT(req->ended != END_NONE, "aio request %llu freed without an outcome",
		(unsigned long long)req->seq);
	if (req->iov != &req->inline_vec && req->iov != NULL)
		kmem_free(&laio_kt_iov, req->iov);
	kmem_free(&laio_kt_req, req);
	ls->st.reqs_live--;
	KASSERT(ctx->reqs_active > 0, "reqs_active underflow");
	ctx->reqs_active--;
	if (ctx->reqs_active == 0 && ctx->dead)
		waitq_wake_all(&ctx->wait);
	KASSERT(ctx->users > 1, "a request held the last reference of its context");
	laio_put_ctx(ctx);
}

static bool last_ref(const struct file *fp)
{
	return fp != NULL && fp->refcount == 1;
}

bool laio_put_req_locked(struct laio_ctx *ctx, struct laio_req *req)
{
	spin_assert_held(&ctx->lock);
	KASSERT(req->users > 0, "put of a freed aio request %llu", (unsigned long long)req->seq);
	if (--req->users > 0)
		return false;
	list_del(&req->link); /* from active_reqs (or nothing after cancel_all) */
	req->cancel = NULL;
	req->retry = NULL;
	KASSERT(!poll_listening(&req->listener), "aio request freed while listening");
	if (last_ref(req->filp) || last_ref(req->eventfd)) {
		/* releasing the file may sleep: let the fput work do it */
		struct laio_sys *ls = laio_sys();
		spin_lock(&ls->fput_lock);
		list_push_back(&ls->fput_head, &req->link);
		spin_unlock(&ls->fput_lock);
		ls->st.deferred_fputs++;
		trace_emit(TR_INFO, "laio:fput_defer", (int64_t)req->seq,
			   (int64_t)(req->filp ? req->filp->id : 0), 0, 0);
		queue_work(system_wq(), &ls->fput_work);
		return true;
	}
	if (req->filp != NULL)
		file_put(req->filp); /* not the last: no release */
	if (req->eventfd != NULL)
		file_put(req->eventfd);
	really_put_req(ctx, req);
	return true;
}

bool laio_put_req(struct laio_req *req)
{
	struct laio_ctx *ctx = req->ctx;
	spin_lock(&ctx->lock);
	bool last = laio_put_req_locked(ctx, req);
	spin_unlock(&ctx->lock);
	return last;
}

/* Work function (thread context; also run directly by a submitter that
 * found no free slot). */
void laio_fput_routine(struct work *w)
{
	sim_assert_thread_context(__func__);
	(void)w;
	struct laio_sys *ls = laio_sys();
	spin_lock(&ls->fput_lock);
	for (uint64_t bound = 0; !list_empty(&ls->fput_head); bound++) {
		KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "aio fput list does not drain");
		struct laio_req *req = list_entry(ls->fput_head.next, struct laio_req, link);
		list_del(&req->link);
		spin_unlock(&ls->fput_lock);
		if (req->filp != NULL)
			file_put(req->filp); /* may release the file: may sleep */
		if (req->eventfd != NULL)
			file_put(req->eventfd);
		struct laio_ctx *ctx = req->ctx;
		spin_lock(&ctx->lock);
		really_put_req(ctx, req);
		spin_unlock(&ctx->lock);
		spin_lock(&ls->fput_lock);
	}
	spin_unlock(&ls->fput_lock);
}

/* LAB 02 BEGIN: ring_post */
/* Writes the event at the tail and publishes it. ctx->lock held. */
static void ring_post(struct laio_ctx *ctx, struct laio_req *req, int64_t res)
{
	spin_assert_held(&ctx->lock);
	uint32_t tail = ctx->tail;
	struct io_event *ev = laio_ring_event(ctx, tail);
	ev->obj = req->user_iocb;
	ev->data = req->user_data;
	ev->res = res;
	ev->res2 = 0;
	if (++tail >= ctx->ring_nr)
		tail = 0;
	/* the event is complete before the tail says so */
	ctx->tail = tail;
	laio_ring(ctx)->tail = tail;
	/* a[4]: the direct I/O that ended it, if any (the chain's link) */
	struct trace_ev te = {.type = TR_INFO,
			      .name = "laio:event",
			      .a = {(int64_t)req->seq, res, tail, (int64_t)ctx->id,
				    (int64_t)req->kreq.id}};
	trace_emit_ev(&te);
}
/* LAB 02 END: ring_post */

void laio_complete(struct laio_req *req, int64_t res)
{
	struct laio_ctx *ctx = req->ctx;
	poll_unlisten(&req->listener);
	/* once per completion, cancelled ones included, as the reference does */
	if (req->eventfd != NULL)
		eventfd_signal(req->eventfd, 1);
	spin_lock(&ctx->lock);
	KASSERT(!req->completed, "aio request %llu completed twice", (unsigned long long)req->seq);
	req->completed = true;
	req->res = res;
	if (req->run_state == RUN_QUEUED) {
		list_del(&req->run_link);
		req->run_state = RUN_IDLE;
	}
	/* LAB 03 BEGIN: complete_outcome */
	if (!req->cancelled) {
		ring_post(ctx, req, res);
		laio_req_end(req, END_EVENT);
	} else if (req->torn) {
		laio_req_end(req, END_TORN);
	} /* else: io_cancel, which holds a reference, hands the result over */
	/* LAB 03 END: complete_outcome */
	laio_put_req_locked(ctx, req);
	if (waitq_active(&ctx->wait))
		waitq_wake(&ctx->wait, 1, NULL);
	spin_unlock(&ctx->lock);
}
