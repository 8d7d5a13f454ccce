/*
 * Linux AIO: the whole-structure consistency check (SQLite-style), run at
 * every system-call exit in the sanitizer build and callable from any
 * test.
 *
 * Everything it reads is guarded by a spinlock (ctx->lock, nr_lock,
 * fput_lock) whose holder never switches away, so at a switch point with
 * no spinlock held every structure is between two complete updates. It
 * never reads the ring's head: user space owns it and may write anything
 * there.
 *
 * Invariants, for every context not yet freed (users may be 0: ctx_free
 * sleeps before it unlinks the context):
 *  - its ring holds laio_ring_nr(max_reqs) events and the trusted tail is
 *    inside it;
 *  - at most ring_nr - 1 requests hold a slot (one slot stays empty);
 *  - every request on its active list and on its run list is its own; a
 *    request on the run list is RUN_QUEUED;
 *  - the requests it lists as active, plus its requests waiting on the
 *    run's fput list, are at most reqs_active (a request leaves both lists
 *    before its slot is given back: cancel_all unlinks, the fput work
 *    unlinks before it may sleep);
 * and for the run: the context list holds contexts_live contexts, aio_nr
 * is the sum of their sizes, and reqs_live the sum of their reqs_active.
 */
#include "syscalls/linux_aio/laio_priv.h"

/* One more node of a list walked: a list longer than the count bounding
 * it (or a cycle) is itself the inconsistency. */
static void walk_step(uint64_t walked, uint64_t max, const char *what, uint64_t ctx_id)
{
	KASSERT(walked <= max, "laio_check: %s (context %llu) longer than its count %llu", what,
		(unsigned long long)ctx_id, (unsigned long long)max);
}

/* Requests of ctx on the run's fput list. */
static uint64_t fput_reqs_of(const struct laio_sys *ls, const struct laio_ctx *ctx)
{
	uint64_t n = 0, walked = 0;
	for (const struct list_node *it = ls->fput_head.next; it != &ls->fput_head; it = it->next) {
		walk_step(++walked, ls->st.reqs_live, "fput list", 0);
		n += list_entry(it, struct laio_req, link)->ctx == ctx;
	}
	return n;
}

static void check_ctx(const struct laio_sys *ls, const struct laio_ctx *ctx)
{
	unsigned long long id = (unsigned long long)ctx->id;
	KASSERT(ctx->ring_nr == laio_ring_nr(ctx->max_reqs),
		"laio_check: context %llu ring of %u events for %u requests", id, ctx->ring_nr,
		ctx->max_reqs);
	KASSERT(ctx->tail < ctx->ring_nr, "laio_check: context %llu tail %u of %u", id, ctx->tail,
		ctx->ring_nr);
	KASSERT(ctx->reqs_active >= 0, "laio_check: context %llu reqs_active %d", id,
		ctx->reqs_active);
	KASSERT((uint32_t)ctx->reqs_active < ctx->ring_nr,
		"laio_check: context %llu reqs_active %d in a ring of %u", id, ctx->reqs_active,
		ctx->ring_nr);
	/* 0 while ctx_free runs (it may sleep stopping the kick work) */
	KASSERT(ctx->users >= 0, "laio_check: context %llu listed with %d users", id, ctx->users);
	uint64_t active = 0;
	for (const struct list_node *it = ctx->active_reqs.next; it != &ctx->active_reqs;
	     it = it->next) {
		walk_step(++active, (uint64_t)ctx->reqs_active, "active list", ctx->id);
		const struct laio_req *req = list_entry(it, struct laio_req, link);
		KASSERT(req->ctx == ctx, "laio_check: request %llu on context %llu's active list",
			(unsigned long long)req->seq, id);
	}
	uint64_t queued = 0;
	for (const struct list_node *it = ctx->run_list.next; it != &ctx->run_list; it = it->next) {
		walk_step(++queued, active, "run list", ctx->id);
		const struct laio_req *req = list_entry(it, struct laio_req, run_link);
		KASSERT(req->ctx == ctx, "laio_check: request %llu on context %llu's run list",
			(unsigned long long)req->seq, id);
		KASSERT(req->run_state == RUN_QUEUED,
			"laio_check: request %llu on the run list in state %d",
			(unsigned long long)req->seq, req->run_state);
	}
	uint64_t deferred = fput_reqs_of(ls, ctx);
	KASSERT(active + deferred <= (uint64_t)ctx->reqs_active,
		"laio_check: context %llu lists %llu active and %llu deferred requests, "
		"reqs_active %d",
		id, (unsigned long long)active, (unsigned long long)deferred, ctx->reqs_active);
}

void laio_check(struct simk *s)
{
	(void)s;
	const struct laio_sys *ls = laio_sys();
	uint64_t contexts = 0, sizes = 0, reqs = 0;
	for (const struct list_node *it = ls->ctxs_all.next; it != &ls->ctxs_all; it = it->next) {
		walk_step(++contexts, ls->st.contexts_live, "run's context list", 0);
		const struct laio_ctx *ctx = list_entry(it, struct laio_ctx, all_link);
		check_ctx(ls, ctx);
		sizes += ctx->max_reqs;
		reqs += (uint64_t)ctx->reqs_active;
	}
	KASSERT(contexts == ls->st.contexts_live,
		"laio_check: %llu contexts listed, contexts_live %llu",
		(unsigned long long)contexts, (unsigned long long)ls->st.contexts_live);
	KASSERT(sizes == ls->aio_nr, "laio_check: contexts' sizes add up to %llu, aio_nr %llu",
		(unsigned long long)sizes, (unsigned long long)ls->aio_nr);
	KASSERT(reqs == ls->st.reqs_live, "laio_check: %llu requests hold slots, reqs_live %llu",
		(unsigned long long)reqs, (unsigned long long)ls->st.reqs_live);
}
