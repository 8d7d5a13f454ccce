/*
 * Linux native AIO: contexts and their rings (io_setup), the system-wide
 * limits, and the subsystem's place in a run.
 *
 * The invariant this file keeps: a context's ring lives in its process's
 * user memory at the context id, holds ring_nr io_events, and its tail is
 * only ever moved by laio_complete under ctx->lock, from the trusted copy
 * ctx->tail; user space owns head. Every slot between tail and head (one
 * slot always stays empty) is free, and a request is admitted only while
 * requests holding a slot (reqs_active) are fewer than the free slots, so a
 * completion always finds room unless user space corrupted head.
 *
 * Contexts are counted against aio_max_nr by their io_setup size (aio_nr),
 * from io_setup until the context is freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern/kmem.h"
#include "syscalls/linux_aio/laio_priv.h"

static KMEM_TYPE(kt_ctx, "laio.ctx");
static KMEM_TYPE(kt_mm, "laio.mm");

/* ---- per-run state -------------------------------------------------------- */

static int laio_subsys_slot = -1; /* sim_subsys_register() */

struct laio_sys *laio_sys(void)
{
	struct laio_sys *ls = sim_subsys_need(sim_cur(), laio_subsys_slot);
	KASSERT(ls != NULL, "linux aio used outside a simulation");
	return ls;
}

void laio_set_max_nr(uint64_t max_nr)
{
	struct laio_sys *ls = laio_sys();
	ls->aio_max_nr = max_nr;
	trace_emit(TR_INFO, "laio:max_nr", (int64_t)max_nr, (int64_t)ls->aio_nr, 0, 0);
}

uint64_t laio_max_nr(void)
{
	return laio_sys()->aio_max_nr;
}

uint64_t laio_aio_nr(void)
{
	return laio_sys()->aio_nr;
}

void laio_get_stats(struct laio_stats *out)
{
	*out = laio_sys()->st;
}

struct laio_mm *laio_mm_of(struct simk_proc *p, bool create)
{
	struct laio_mm *mm = p->subsys[laio_subsys_slot];
	if (mm == NULL && create) {
		(void)laio_sys(); /* our exit hook runs once the run state exists */
		mm = kmem_zalloc(&kt_mm, sizeof(*mm));
		if (mm == NULL)
			return NULL;
		list_init(&mm->ctxs);
		p->subsys[laio_subsys_slot] = mm;
	}
	return mm;
}

void laio_mm_free(struct simk_proc *p)
{
	struct laio_mm *mm = p->subsys[laio_subsys_slot];
	KASSERT(mm != NULL, "aio state of %s freed while in use", p->name);
	KASSERT(list_empty(&mm->ctxs), "aio state of %s freed while in use", p->name);
	p->subsys[laio_subsys_slot] = NULL;
	kmem_free(&kt_mm, mm);
}

/* ---- ring geometry ---------------------------------------------------------- */

uint32_t laio_ring_pages(uint32_t nr_events)
{
	/* room for the overlap of head and tail: one slot is required, the
	 * reference adds two */
	uint64_t size =
	    sizeof(struct aio_ring) + sizeof(struct io_event) * ((uint64_t)nr_events + 2);
	return (uint32_t)((size + UMEM_PAGE - 1) / UMEM_PAGE);
}

uint32_t laio_ring_nr(uint32_t nr_events)
{
	uint64_t bytes = (uint64_t)laio_ring_pages(nr_events) * UMEM_PAGE;
	return (uint32_t)((bytes - sizeof(struct aio_ring)) / sizeof(struct io_event));
}

/* LAB 02 BEGIN: laio_ring_avail */
uint32_t laio_ring_avail(uint32_t nr, uint32_t head, uint32_t tail)
{
	KASSERT(nr >= 2, "ring of %u events with tail %u", nr, tail);
	KASSERT(tail < nr, "ring of %u events with tail %u", nr, tail);
	uint64_t h = head % nr; /* head is user-writable: never trust it */
	return (uint32_t)((h + nr - 1 - tail) % nr);
}
/* LAB 02 END: laio_ring_avail */

struct aio_ring *laio_ring(struct laio_ctx *ctx)
{
#ifdef SIMK_DEBUG_CHECKS
	KASSERT(umem_map_kernel(ctx->proc, ctx->user_id, sizeof(*ctx->ring_host)) ==
		    ctx->ring_host,
		"ring of aio context %#llx is unmapped while live",
		(unsigned long long)ctx->user_id);
#endif
	return ctx->ring_host;
}

_Static_assert(sizeof(struct aio_ring) == sizeof(struct io_event), "the ring's header is one event");

struct io_event *laio_ring_event(struct laio_ctx *ctx, uint32_t i)
{
	KASSERT(i < ctx->ring_nr, "ring index %u of %u", i, ctx->ring_nr);
	/* the header is exactly one event long: event i is slot i + 1; the
	 * ring is one mapping of ring_pages pages (ring_setup) */
	struct io_event *ev = (struct io_event *)(laio_ring(ctx) + 1) + i;
#ifdef SIMK_DEBUG_CHECKS
	uaddr_t a = ctx->user_id + sizeof(struct aio_ring) + (uaddr_t)i * sizeof(struct io_event);
	KASSERT(umem_map_kernel(ctx->proc, a, sizeof(*ev)) == ev,
		"ring of aio context %#llx is unmapped while live",
		(unsigned long long)ctx->user_id);
#endif
	return ev;
}

/* Maps the ring's pages into p and fills the header. 0 or -ENOMEM. */
static int ring_setup(struct laio_ctx *ctx)
{
	ctx->ring_pages = laio_ring_pages(ctx->max_reqs);
	ctx->ring_nr = laio_ring_nr(ctx->max_reqs);
	uaddr_t base = umem_alloc(ctx->proc, (size_t)ctx->ring_pages * UMEM_PAGE);
	if (base == 0)
		return -ENOMEM;
	ctx->user_id = base;
	ctx->tail = 0;
	ctx->ring_host = umem_map_kernel(ctx->proc, base, (size_t)ctx->ring_pages * UMEM_PAGE);
	KASSERT(ctx->ring_host != NULL, "ring of aio context %#llx is unmapped at its setup",
		(unsigned long long)base);
	struct aio_ring *ring = laio_ring(ctx);
	ring->id = (uint32_t)ctx->user_id;
	ring->nr = ctx->ring_nr;
	ring->head = ring->tail = 0;
	ring->magic = AIO_RING_MAGIC;
	ring->compat_features = AIO_RING_COMPAT_FEATURES;
	ring->incompat_features = AIO_RING_INCOMPAT_FEATURES;
	ring->header_length = sizeof(struct aio_ring);
	return 0;
}

/* ---- contexts --------------------------------------------------------------- */

void laio_get_ctx(struct laio_ctx *ctx)
{
	KASSERT(ctx->users > 0, "get of a freed aio context");
	ctx->users++;
}

/* The last reference is gone. Thread context (see laio_put_ctx). */
static void ctx_free(struct laio_ctx *ctx)
{
	sim_assert_thread_context(__func__);
	struct laio_sys *ls = laio_sys();
	KASSERT(ctx->reqs_active == 0, "aio context %#llx freed with %d requests active",
		(unsigned long long)ctx->user_id, ctx->reqs_active);
	KASSERT(list_empty(&ctx->active_reqs), "aio context %#llx freed with %d requests active",
		(unsigned long long)ctx->user_id, ctx->reqs_active);
	KASSERT(list_empty(&ctx->run_list), "aio context freed with queued retries");
	laio_stop_kick_work(ctx);
	int r = umem_free(ctx->proc, ctx->user_id);
	KASSERT(r == 0, "ring of aio context %#llx was already unmapped",
		(unsigned long long)ctx->user_id);
	waitq_destroy(&ctx->wait);
	spin_lock(&ls->nr_lock);
	KASSERT(ls->aio_nr >= ctx->max_reqs, "aio_nr %llu below a context's %u",
		(unsigned long long)ls->aio_nr, ctx->max_reqs);
	ls->aio_nr -= ctx->max_reqs;
	list_del(&ctx->all_link); /* with aio_nr: laio_check adds them up */
	ls->st.contexts_live--;
	spin_unlock(&ls->nr_lock);
	trace_emit(TR_INFO, "laio:free", (int64_t)ctx->id, (int64_t)ctx->user_id,
		   (int64_t)ls->aio_nr, 0);
	kmem_free(&kt_ctx, ctx);
}

/*
 * Drops a reference. The last one is always dropped in thread context:
 * requests hold references while they are active, and io_destroy and
 * process exit keep theirs until no request is active any more.
 */
void laio_put_ctx(struct laio_ctx *ctx)
{
	KASSERT(ctx->users > 0, "put of a freed aio context");
	if (--ctx->users > 0)
		return;
	ctx_free(ctx); /* asserts thread context */
}

struct laio_ctx *laio_lookup_ctx(struct simk_proc *p, aio_context_t id)
{
	struct laio_mm *mm = laio_mm_of(p, false);
	if (mm == NULL)
		return NULL;
	for (struct list_node *n = mm->ctxs.next; n != &mm->ctxs; n = n->next) {
		struct laio_ctx *ctx = list_entry(n, struct laio_ctx, link);
		if (ctx->user_id == id && !ctx->dead) {
			laio_get_ctx(ctx);
			return ctx;
		}
	}
	return NULL;
}

/* Linux ioctx_alloc: a context with a ring for nr_events, counted in
 * aio_nr and linked to p. Returns it (one reference: the list's) or NULL
 * with *err. Thread context. */
static struct laio_ctx *ctx_alloc(struct simk_proc *p, uint32_t nr_events, int *err)
{
	sim_assert_thread_context(__func__);
	struct laio_sys *ls = laio_sys();
	if (nr_events > LAIO_SETUP_BYTES_MAX / sizeof(struct io_event) ||
	    nr_events > LAIO_SETUP_BYTES_MAX / LAIO_KIOCB_NOMINAL_SIZE) {
		*err = -EINVAL;
		return NULL;
	}
	if ((uint64_t)nr_events > ls->aio_max_nr) {
		*err = -EAGAIN;
		return NULL;
	}
	struct laio_mm *mm = laio_mm_of(p, true);
	if (mm == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	struct laio_ctx *ctx = kmem_zalloc(&kt_ctx, sizeof(*ctx));
	if (ctx == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	ctx->proc = p;
	ctx->max_reqs = nr_events;
	ctx->users = 1;
	spin_init(&ctx->lock, "ctx_lock");
	waitq_init(&ctx->wait, "io_getevents");
	list_init(&ctx->active_reqs);
	list_init(&ctx->run_list);
	work_init(&ctx->kick_work, "aio-kick", laio_kick_work, ctx);
	callout_init(&ctx->kick_timer, "laio:kick_timer");
	if (ring_setup(ctx) != 0) {
		waitq_destroy(&ctx->wait);
		kmem_free(&kt_ctx, ctx);
		*err = -ENOMEM;
		return NULL;
	}
	/* the system-wide limit, with an overflow check */
	spin_lock(&ls->nr_lock);
	if (ls->aio_nr + ctx->max_reqs > ls->aio_max_nr ||
	    ls->aio_nr + ctx->max_reqs < ls->aio_nr) {
		spin_unlock(&ls->nr_lock);
		umem_free(p, ctx->user_id);
		waitq_destroy(&ctx->wait);
		kmem_free(&kt_ctx, ctx);
		*err = -EAGAIN;
		return NULL;
	}
	ls->aio_nr += ctx->max_reqs;
	list_push_back(&ls->ctxs_all, &ctx->all_link); /* with aio_nr (laio_check) */
	ls->st.contexts_live++;
	spin_unlock(&ls->nr_lock);
	ctx->id = ++ls->next_ctx_id;
	list_push_front(&mm->ctxs, &ctx->link);
	mm->nctxs++;
	trace_emit(TR_INFO, "laio:setup", (int64_t)ctx->id, (int64_t)ctx->user_id,
		   (int64_t)ctx->ring_nr, (int64_t)ls->aio_nr);
	return ctx;
}

int sys_io_setup(unsigned nr_events, uaddr_t ctxp)
{
	struct simk_proc *p = sim_proc_current();
	aio_context_t old;
	if (copyin(ctxp, &old, sizeof(old)) != 0)
		return -EFAULT;
	if (old != 0 || nr_events == 0)
		return -EINVAL;
	int err = 0;
	struct laio_ctx *ctx = ctx_alloc(p, nr_events, &err);
	if (ctx == NULL)
		return err;
	if (copyout(&ctx->user_id, ctxp, sizeof(ctx->user_id)) != 0) {
		/* ctxp became unwritable meanwhile: undo, as io_destroy does */
		laio_get_ctx(ctx);
		laio_kill_ctx(ctx);
		laio_put_ctx(ctx);
		return -EFAULT;
	}
	return 0;
}

/* ---- the subsystem ---------------------------------------------------------- */

static int laio_create(struct simk *s)
{
	struct laio_sys *ls = sim_zalloc(sizeof(*ls));
	if (ls == NULL)
		return -1;
	ls->aio_max_nr = AIO_MAX_NR_DEFAULT;
	spin_init(&ls->nr_lock, "aio_nr_lock");
	spin_init(&ls->fput_lock, "aio_fput_lock");
	list_init(&ls->fput_head);
	list_init(&ls->ctxs_all);
	work_init(&ls->fput_work, "aio-fput", laio_fput_routine, NULL);
	s->subsys[laio_subsys_slot] = ls;
	return 0;
}

/* Every user thread is gone (host context): process exit tore every
 * context down, so only a queued, now pointless, fput run may remain. */
static void laio_end(struct simk *s)
{
	struct laio_sys *ls = s->subsys[laio_subsys_slot];
	if (ls == NULL)
		return;
	if (ls->fput_work.queued)
		work_cancel(ls->fput_work.wq, &ls->fput_work);
}

static void laio_destroy(struct simk *s)
{
	if (s->subsys[laio_subsys_slot] != NULL)
		laio_scn_free(s->subsys[laio_subsys_slot]);
	free(s->subsys[laio_subsys_slot]);
	s->subsys[laio_subsys_slot] = NULL;
}

/* The invariants after every run. */
static int laio_leak_check(struct simk *s, char *msg, size_t len)
{
	struct laio_sys *ls = s->subsys[laio_subsys_slot];
	if (ls == NULL)
		return 0;
	const struct laio_stats *st = &ls->st;
	uint64_t ended = st->ended_event + st->ended_cancel + st->ended_torn;
	if (st->contexts_live != 0 || st->reqs_live != 0) {
		snprintf(msg, len, "linux aio: %llu context(s) and %llu request(s) left",
			 (unsigned long long)st->contexts_live, (unsigned long long)st->reqs_live);
		return 1;
	}
	if (ls->aio_nr != 0) {
		snprintf(msg, len, "linux aio: aio_nr is %llu after the last context",
			 (unsigned long long)ls->aio_nr);
		return 1;
	}
	if (ended != st->submitted) {
		snprintf(msg, len,
			 "linux aio: %llu request(s) submitted but %llu ended (%llu events, "
			 "%llu cancelled, %llu torn down)",
			 (unsigned long long)st->submitted, (unsigned long long)ended,
			 (unsigned long long)st->ended_event, (unsigned long long)st->ended_cancel,
			 (unsigned long long)st->ended_torn);
		return 1;
	}
	if (!list_empty(&ls->fput_head)) {
		snprintf(msg, len, "linux aio: deferred file releases never ran");
		return 1;
	}
	return 0;
}

static const struct sim_subsys laio_subsys = {
    .name = "linux_aio",
    .create = laio_create,
    .proc_exit = laio_proc_exit,
    .end = laio_end,
    .destroy = laio_destroy,
    .leak_check = laio_leak_check,
    .check = laio_check,
    .lazy = true, /* made at first use: most runs never touch it */
};

void laio_register(void)
{
	laio_subsys_slot = sim_subsys_register(&laio_subsys);
	laio_scn_register();
}
