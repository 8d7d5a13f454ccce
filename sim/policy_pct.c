/*
 * pct: Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010). Every thread gets a random priority of at
 * least d; d-1 change points are drawn uniformly over the expected number
 * of decision points k. The highest-priority candidate always runs; at the
 * i-th change point the running thread drops to priority i (below every
 * initial priority). A bug of depth d is found in one run with probability
 * at least 1/(n * k^(d-1)).
 *
 * Interrupt delivery is a pseudo-thread with its own priority, so the
 * placement of interrupts is explored the same way. A yield demotes the
 * yielding thread for that decision only, so a spinning thread cannot
 * starve the others.
 *
 * The runnable threads sit in a binary max-heap ordered by (priority,
 * then lower tid), kept up to date through the run queue's hooks, so a
 * decision costs O(1) and a queue change O(log n): the highest-priority
 * runnable thread used to be found by walking the whole queue at every
 * decision (20,000 threads took minutes). The order is total, so the heap
 * picks exactly the thread the walk picked.
 */
#include "sim/policy.h"

#include <stdlib.h>
#include <string.h>

#define PCT_MAX_DEPTH 16
#define PCT_IRQ_TID 0

struct pct_state {
	int depth;
	uint64_t change_at[PCT_MAX_DEPTH]; /* decision numbers, 1-based */
	bool applied[PCT_MAX_DEPTH];
	int nchange;
	uint64_t irq_prio;
	int last_tid; /* entity chosen at the previous decision (0 = irq) */
	struct simk_thread **heap; /* runnable threads, best first */
	int nheap, heap_cap;
	uint64_t *work; /* s->sched_work: the heap's steps are counted */
};

static uint64_t initial_prio(struct simk *s, struct pct_state *st)
{
	/* Above every change-point priority; random order among threads. */
	return (uint64_t)st->depth + 1 + (rng_next(&s->rng[SIMK_STREAM_SCHED]) >> 24);
}

static int pct_init(struct simk *s, char *err, size_t errlen)
{
	if (s->opts.pct_depth < 1 || s->opts.pct_depth > PCT_MAX_DEPTH) {
		snprintf(err, errlen, "pct depth must be 1..%d", PCT_MAX_DEPTH);
		return -1;
	}
	struct pct_state *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	st->depth = s->opts.pct_depth;
	uint64_t k = s->opts.pct_steps ? s->opts.pct_steps : 64;
	st->nchange = st->depth - 1;
	for (int i = 0; i < st->nchange; i++)
		st->change_at[i] = 1 + rng_below(&s->rng[SIMK_STREAM_SCHED], k);
	st->irq_prio = initial_prio(s, st);
	st->last_tid = -1;
	st->work = &s->sched_work;
	s->policy_state = st;
	return 0;
}

static void pct_fini(struct simk *s)
{
	struct pct_state *st = s->policy_state;
	if (st != NULL)
		free(st->heap);
	free(st);
	s->policy_state = NULL;
}

static void pct_thread_new(struct simk *s, struct simk_thread *t)
{
	t->pct_prio = initial_prio(s, s->policy_state);
	t->pct_heap = -1;
}

static void prio_lowered(struct pct_state *st, struct simk_thread *t);

static void apply_change_points(struct simk *s, struct pct_state *st, struct simk_thread *cur)
{
	/* A change point that fell on a decision with a single candidate (the
	 * policy is not consulted there) takes effect at the next real choice. */
	for (int i = 0; i < st->nchange; i++) {
		if (st->applied[i] || st->change_at[i] > s->steps)
			continue;
		st->applied[i] = true;
		uint64_t low = (uint64_t)i + 1; /* i-th change point: priority i */
		struct simk_thread *victim = cur;
		if (victim == NULL && st->last_tid > 0)
			victim = sim_thread_by_tid(st->last_tid);
		if (victim != NULL) {
			victim->pct_prio = low;
			prio_lowered(st, victim);
		}
		else if (st->last_tid == PCT_IRQ_TID)
			st->irq_prio = low;
	}
}

static bool better(const struct simk_thread *a, const struct simk_thread *b)
{
	if (b == NULL)
		return true;
	if (a->pct_prio != b->pct_prio)
		return a->pct_prio > b->pct_prio;
	return a->tid < b->tid;
}

/* ---- the heap of runnable threads ---- */

static void heap_set(struct pct_state *st, int i, struct simk_thread *t)
{
	(*st->work)++;
	st->heap[i] = t;
	t->pct_heap = i;
}

static void sift_up(struct pct_state *st, int i)
{
	struct simk_thread *t = st->heap[i];
	while (i > 0 && better(t, st->heap[(i - 1) / 2])) {
		heap_set(st, i, st->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(st, i, t);
}

static void sift_down(struct pct_state *st, int i)
{
	struct simk_thread *t = st->heap[i];
	for (;;) {
		int c = 2 * i + 1;
		if (c >= st->nheap)
			break;
		if (c + 1 < st->nheap && better(st->heap[c + 1], st->heap[c]))
			c++;
		if (!better(st->heap[c], t))
			break;
		heap_set(st, i, st->heap[c]);
		i = c;
	}
	heap_set(st, i, t);
}

static void pct_runq_added(struct simk *s, struct simk_thread *t)
{
	struct pct_state *st = s->policy_state;
	if (st->nheap == st->heap_cap) {
		int ncap = st->heap_cap ? st->heap_cap * 2 : 64;
		struct simk_thread **nh = realloc(st->heap, (size_t)ncap * sizeof(*nh));
		if (nh == NULL)
			sim_panic("pct: out of host memory for %d runnable threads", st->nheap + 1);
		st->heap = nh;
		st->heap_cap = ncap;
	}
	heap_set(st, st->nheap++, t);
	sift_up(st, t->pct_heap);
}

static void pct_runq_removed(struct simk *s, struct simk_thread *t)
{
	struct pct_state *st = s->policy_state;
	int i = t->pct_heap;
	KASSERT(i >= 0, "pct: thread %d not in the heap", t->tid);
	KASSERT(i < st->nheap, "pct: thread %d not in the heap", t->tid);
	KASSERT(st->heap[i] == t, "pct: thread %d not in the heap", t->tid);
	t->pct_heap = -1;
	struct simk_thread *last = st->heap[--st->nheap];
	if (i == st->nheap)
		return;
	heap_set(st, i, last);
	sift_up(st, i);
	sift_down(st, last->pct_heap);
}

/* A change point lowered t's priority: move it down if it is queued. */
static void prio_lowered(struct pct_state *st, struct simk_thread *t)
{
	if (t->state == TS_RUNNABLE && t->pct_heap >= 0)
		sift_down(st, t->pct_heap);
}

static struct pick pct_choose(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			      bool irq_due, int ncand)
{
	(void)ncand;
	struct pct_state *st = s->policy_state;
	apply_change_points(s, st, cur);
	struct simk_thread *best = NULL;
	if (cur != NULL && !(kind == PT_YIELD && s->nrunnable > 0))
		best = cur;
	KASSERT(st->nheap == s->nrunnable, "pct: %d in the heap, %d runnable", st->nheap,
		s->nrunnable);
	if (st->nheap > 0 && better(st->heap[0], best))
		best = st->heap[0];
#ifdef SIMK_DEBUG_CHECKS
	/* the heap's top is the best of the queue (what a walk would pick) */
	for (struct list_node *n = s->runq.next; n != &s->runq; n = n->next) {
		struct simk_thread *t = list_entry(n, struct simk_thread, rq);
		KASSERT(t == st->heap[0] || !better(t, st->heap[0]),
			"pct: thread %d beats the heap's top %d", t->tid, st->heap[0]->tid);
	}
#endif
	struct pick p = { false, best };
	if (irq_due && (best == NULL || st->irq_prio > best->pct_prio)) {
		p.irq = true;
		p.t = NULL;
		st->last_tid = PCT_IRQ_TID;
		return p;
	}
	if (best == NULL)
		best = cur;
	p.t = best;
	st->last_tid = best ? best->tid : -1;
	return p;
}

const struct sim_policy policy_pct = {
	.name = "pct",
	.init = pct_init,
	.fini = pct_fini,
	.thread_new = pct_thread_new,
	.choose = pct_choose,
	.runq_added = pct_runq_added,
	.runq_removed = pct_runq_removed,
};
