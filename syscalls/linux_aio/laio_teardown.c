/*
 * Linux AIO: the end of a context — io_destroy and process exit.
 *
 * Killing a context: it is marked dead and taken off its process's list
 * (so no new system call finds it), threads sleeping in io_getevents on it
 * are woken (they return what they have, or -EINVAL), every active
 * request is cancelled if it can be, and the killer waits, uninterruptibly,
 * until no request holds a ring slot — the ones that could not be
 * cancelled complete on their own, the deferred file releases run. Only
 * then does it drop its reference; the last reference unmaps the ring and
 * gives the context's size back to aio_nr.
 *
 * Requests that complete on a dead context still post their event into
 * its ring (nobody reads it); requests cancelled by the teardown end
 * without one (END_TORN). A request whose retry was about to wait for a
 * kick on a dead context is completed instead (laio_retry.c), so the
 * wait always ends.
 */
#include <errno.h>

#include "sim/access.h"
#include "syscalls/linux_aio/laio_priv.h"

/* Liveness guard: contexts one process exit tears down; past it the loop is a livelock bug. */
#define LAIO_CTX_TEARDOWN_MAX 1000000

static bool no_active_reqs(void *arg)
{
	return ((struct laio_ctx *)arg)->reqs_active == 0;
}

void laio_wait_for_all(struct laio_ctx *ctx)
{
	if (ctx->reqs_active == 0)
		return;
	int r = waitq_wait(&ctx->wait, false, false, SIMK_FOREVER, no_active_reqs, ctx);
	KASSERT(r == 0, "uninterruptible wait for aio requests returned %d", r);
}

bool laio_kill_ctx(struct laio_ctx *ctx)
{
	KASSERT(ctx->users > 1, "killing an aio context needs a reference besides the list's");
	struct laio_mm *mm = laio_mm_of(ctx->proc, false);
	bool was_dead = ctx->dead;
	if (!was_dead) {
		ctx->dead = true;
		KASSERT(mm != NULL, "live aio context outside its process list");
		KASSERT(mm->nctxs > 0, "live aio context outside its process list");
		list_del(&ctx->link);
		mm->nctxs--;
		trace_emit(TR_INFO, "laio:destroy", (int64_t)ctx->id, (int64_t)ctx->user_id,
			   ctx->reqs_active, 0);
		waitq_wake_all(&ctx->wait); /* io_getevents sleepers: nothing will come */
		laio_put_ctx(ctx);	    /* the list's reference */
	}
	laio_cancel_all(ctx);
	laio_wait_for_all(ctx);
	return !was_dead;
}

int sys_io_destroy(aio_context_t ctx_id)
{
	struct laio_ctx *ctx = laio_lookup_ctx(sim_proc_current(), ctx_id);
	if (ctx == NULL)
		return -EINVAL;
	laio_kill_ctx(ctx);
	laio_put_ctx(ctx); /* the lookup's: usually the last */
	return 0;
}

/* proc_exit hook: the last thread of p exits (thread context, may sleep).
 * No thread of p can call io_* any more; requests may still be in flight. */
void laio_proc_exit(struct simk_proc *p)
{
	sim_assert_may_sleep(__func__);
	struct laio_mm *mm = laio_mm_of(p, false);
	if (mm == NULL)
		return;
	sim_opaque_enter(); /* dfs: not annotated, every step it spans is global */
	for (int bound = 0; !list_empty(&mm->ctxs); bound++) {
		KASSERT(bound < LAIO_CTX_TEARDOWN_MAX, "aio contexts of %s do not drain", p->name);
		struct laio_ctx *ctx = list_entry(mm->ctxs.next, struct laio_ctx, link);
		laio_get_ctx(ctx);
		laio_kill_ctx(ctx);
		KASSERT(ctx->users == 1, "aio context of exiting %s still has %d users", p->name,
			ctx->users);
		laio_put_ctx(ctx);
	}
	KASSERT(mm->nctxs == 0, "aio context count of %s is %d", p->name, mm->nctxs);
	laio_mm_free(p);
	sim_opaque_leave();
}
