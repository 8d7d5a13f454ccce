/*
 * Linux AIO: io_cancel, and the cancellation of everything at teardown.
 *
 * The invariant: `cancelled` has one owner at a time. io_cancel takes it
 * (under ctx->lock) before calling the request's cancel method without the
 * lock, and gives it back if the method answers -EAGAIN; teardown takes it
 * for good (with `torn`) and skips requests an io_cancel owns at that
 * moment. A completion that comes while the flag is set posts no event:
 * the result is kept in the request, and the owner delivers it — io_cancel
 * through its `result` argument, teardown nowhere. A completion that comes
 * after the flag was given back posts its event as usual. So a request
 * racing its cancellation ends exactly once, one way or the other.
 *
 * Cancel methods may find the request already completed (it completed in
 * the window between io_cancel dropping the lock and calling the method):
 * they then report the stored result.
 */
#include <errno.h>

#include "syscalls/linux_aio/laio_priv.h"

/* O_DIRECT requests: the file knows whether it reached the device. */
int laio_cancel_kaio(struct laio_req *req, struct io_event *ev)
{
	if (!req->completed) {
		int r = file_aio_cancel(req->filp, &req->kreq);
		if (r != 0)
			return -EAGAIN;
		KASSERT(req->completed, "kaio cancel succeeded without calling done()");
	}
	ev->res = req->res;
	return 0;
}

/* Requests that wait for a kick (pipes, sockets): cancellable unless their
 * retry runs right now. A request that moved bytes already reports them. */
int laio_cancel_kicked(struct laio_req *req, struct io_event *ev)
{
	if (!req->completed) {
		if (req->run_state == RUN_ACTIVE)
			return -EAGAIN;
		poll_unlisten(&req->listener);
		size_t done = req->nbytes - req->left;
		laio_complete(req, done > 0 ? (int64_t)done : -ECANCELED);
	}
	ev->res = req->res;
	return 0;
}

/* LAB 03 BEGIN: sys_io_cancel */
/* Linux lookup_kiocb: an active, not yet completed request. ctx->lock. */
static struct laio_req *lookup_req(struct laio_ctx *ctx, uaddr_t iocb, uint32_t key)
{
	spin_assert_held(&ctx->lock);
	for (struct list_node *n = ctx->active_reqs.next; n != &ctx->active_reqs; n = n->next) {
		struct laio_req *req = list_entry(n, struct laio_req, link);
		if (req->user_iocb == iocb && req->key == key && req->submitted && !req->completed)
			return req;
	}
	return NULL;
}

int sys_io_cancel(aio_context_t ctx_id, uaddr_t iocb, uaddr_t result)
{
	uint32_t key;
	if (copyin(iocb + offsetof(struct iocb, aio_key), &key, sizeof(key)) != 0)
		return -EFAULT;
	struct laio_ctx *ctx = laio_lookup_ctx(sim_proc_current(), ctx_id);
	if (ctx == NULL)
		return -EINVAL;
	int ret;
	laio_cancel_fn cancel = NULL;
	spin_lock(&ctx->lock);
	struct laio_req *req = lookup_req(ctx, iocb, key);
	if (req == NULL) {
		ret = -EINVAL;
	} else if (req->cancel == NULL || req->cancelled) {
		ret = -EAGAIN; /* not cancellable (now) */
	} else {
		cancel = req->cancel;
		req->users++;
		req->cancelled = true;
		ret = 0;
	}
	spin_unlock(&ctx->lock);
	trace_emit(TR_INFO, "laio:cancel", (int64_t)(req ? req->seq : 0), ret, cancel != NULL,
		   (int64_t)ctx->id);
	if (cancel != NULL) {
		struct io_event tmp = {.obj = req->user_iocb, .data = req->user_data};
		if (cancel(req, &tmp) == 0) {
			laio_req_end(req, END_CANCEL);
			ret = copyout(&tmp, result, sizeof(tmp)) != 0 ? -EFAULT : 0;
		} else {
			spin_lock(&ctx->lock);
			req->cancelled = false; /* its completion will post the event */
			spin_unlock(&ctx->lock);
			ret = -EAGAIN;
		}
		trace_emit(TR_INFO, "laio:cancel_done", (int64_t)req->seq, ret, tmp.res, 0);
		laio_put_req(req);
	}
	laio_put_ctx(ctx);
	return ret;
}
/* LAB 03 END: sys_io_cancel */

void laio_cancel_all(struct laio_ctx *ctx)
{
	spin_lock(&ctx->lock);
	for (int bound = 0; !list_empty(&ctx->active_reqs); bound++) {
		KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "cancel_all does not drain");
		struct laio_req *req = list_entry(ctx->active_reqs.next, struct laio_req, link);
		list_del(&req->link); /* off the list: io_cancel can no longer find it */
		if (req->completed || req->cancelled)
			continue; /* decided, or an io_cancel decides it */
		req->cancelled = true;
		req->torn = true;
		laio_cancel_fn cancel = req->cancel;
		trace_emit(TR_INFO, "laio:cancel_all", (int64_t)req->seq, cancel != NULL, 0,
			   (int64_t)ctx->id);
		if (cancel == NULL)
			continue; /* its completion will be discarded */
		req->users++;
		spin_unlock(&ctx->lock);
		struct io_event tmp = {0};
		cancel(req, &tmp);
		spin_lock(&ctx->lock);
		laio_put_req_locked(ctx, req);
	}
	spin_unlock(&ctx->lock);
}
