/*
 * The runnable queue: FIFO order (a thread joins at the tail), with the
 * n-th runnable thread found in O(log n) — the random and dfs policies
 * pick by position, and walking a list made 20,000 runnable threads cost
 * O(n) per decision.
 *
 * Each enqueued thread takes the next sequence number; slots[seq - base]
 * points at it until it leaves (then NULL), and a Fenwick tree over the
 * slots counts the occupied ones, so the n-th runnable thread is the slot
 * where the prefix count reaches n + 1. When the sequence reaches the end
 * of the slots, the live threads are renumbered from 0 in order (and the
 * table doubles if more than half of it is live): amortised O(1) per
 * enqueue. The intrusive list s->runq keeps the same order, for the first
 * thread and for walks. Only positions change with the structure, never
 * the order: the policies choose exactly as they did with the list.
 *
 * The index is built only once more than RUNQ_INDEX_MIN threads are
 * runnable at the same time (then kept for the run): below that, walking
 * the list costs less than keeping the tree (most runs have a handful of
 * threads, and the tree's upkeep was a sixth of a two-thread run).
 *
 * Policies that keep their own index (pct's priority heap) are told of
 * every arrival and departure through runq_added / runq_removed.
 *
 * runq_add and runq_del are inline (sim/policy.h) for the common case —
 * no index, no policy hook: a list link — and come here otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/policy.h"

#define RUNQ_SLOTS_MIN 64

/* Fenwick tree over slot occupancy: fen[i] (1-based) sums a range. */
static void fen_add(struct simk *s, size_t slot, int d)
{
	struct runq_index *q = &s->rqi;
	for (size_t i = slot + 1; i <= q->cap; i += i & (~i + 1)) {
		q->fen[i - 1] += d;
		s->sched_work++;
	}
}

/* Rebuilds fen from slots in O(cap). */
static void fen_build(struct runq_index *q)
{
	for (size_t i = 0; i < q->cap; i++)
		q->fen[i] = q->slots[i] != NULL ? 1 : 0;
	for (size_t i = 1; i <= q->cap; i++) {
		size_t j = i + (i & (~i + 1));
		if (j <= q->cap)
			q->fen[j - 1] += q->fen[i - 1];
	}
}

/* Renumbers the live threads from 0 in queue order, into a table of ncap
 * slots. Host memory only; a failure is a panic (the host is out). */
static void renumber(struct simk *s, size_t ncap)
{
	struct runq_index *q = &s->rqi;
	if (ncap != q->cap) {
		struct simk_thread **ns = calloc(ncap, sizeof(*ns));
		int32_t *nf = calloc(ncap, sizeof(*nf));
		if (ns == NULL || nf == NULL) {
			free(ns);
			free(nf);
			sim_panic("out of host memory for a run queue of %d threads", s->nrunnable);
		}
		free(q->slots);
		free(q->fen);
		q->slots = ns;
		q->fen = nf;
		q->cap = ncap;
	} else {
		memset(q->slots, 0, q->cap * sizeof(*q->slots));
	}
	size_t i = 0;
	for (struct list_node *n = s->runq.next; n != &s->runq; n = n->next) {
		struct simk_thread *t = list_entry(n, struct simk_thread, rq);
		t->rq_seq = i;
		q->slots[i++] = t;
	}
	q->next = i;
	fen_build(q);
	s->sched_work += q->cap; /* amortised: the table doubles */
}

void runq_init(struct simk *s)
{
	list_init(&s->runq);
	s->nrunnable = 0;
	memset(&s->rqi, 0, sizeof(s->rqi));
}

void runq_free(struct simk *s)
{
	free(s->rqi.slots);
	free(s->rqi.fen);
	memset(&s->rqi, 0, sizeof(s->rqi));
}

void runq_add_slow(struct simk *s, struct simk_thread *t)
{
	KASSERT(t->state != TS_RUNNABLE, "thread %d queued twice", t->tid);
	struct runq_index *q = &s->rqi;
	t->state = TS_RUNNABLE;
	list_push_back(&s->runq, &t->rq);
	s->nrunnable++;
	if (!q->on && s->nrunnable <= RUNQ_INDEX_MIN) {
		/* the list alone: runq_nth walks it */
	} else if (!q->on || q->next == q->cap) {
		q->on = true;
		size_t live = (size_t)s->nrunnable; /* t included: renumbered too */
		size_t ncap = q->cap < RUNQ_SLOTS_MIN ? RUNQ_SLOTS_MIN : q->cap;
		while (live * 2 > ncap)
			ncap *= 2;
		renumber(s, ncap);
	} else {
		t->rq_seq = q->next++;
		q->slots[t->rq_seq] = t;
		fen_add(s, t->rq_seq, 1);
	}
	if (s->policy != NULL && s->policy->runq_added != NULL)
		s->policy->runq_added(s, t);
}

void runq_del_slow(struct simk *s, struct simk_thread *t)
{
	KASSERT(t->state == TS_RUNNABLE, "thread %d not runnable", t->tid);
	struct runq_index *q = &s->rqi;
	if (q->on) {
		KASSERT(t->rq_seq < q->next, "thread %d lost its run-queue slot", t->tid);
		KASSERT(q->slots[t->rq_seq] == t, "thread %d lost its run-queue slot", t->tid);
		q->slots[t->rq_seq] = NULL;
		fen_add(s, t->rq_seq, -1);
	}
	list_del(&t->rq);
	s->nrunnable--;
	if (s->policy != NULL && s->policy->runq_removed != NULL)
		s->policy->runq_removed(s, t);
}

struct simk_thread *runq_nth_indexed(struct simk *s, int n)
{
	struct runq_index *q = &s->rqi;
	KASSERT(n >= 0 && n < s->nrunnable, "runq index %d out of range (%d runnable)", n,
		s->nrunnable);
	/* the smallest slot whose prefix count is n + 1: descend the tree */
	size_t pos = 0;
	int32_t left = n + 1;
	size_t step = 1;
	while (step * 2 <= q->cap)
		step *= 2;
	for (; step > 0; step /= 2) {
		s->sched_work++;
		if (pos + step <= q->cap && q->fen[pos + step - 1] < left) {
			pos += step;
			left -= q->fen[pos - 1];
		}
	}
	KASSERT(pos < q->cap, "runq index %d: no thread at slot %zu", n, pos);
	KASSERT(q->slots[pos] != NULL, "runq index %d: no thread at slot %zu", n, pos);
#ifdef SIMK_DEBUG_CHECKS
	struct list_node *w = s->runq.next; /* what walking the queue finds */
	for (int i = 0; i < n; i++)
		w = w->next;
	KASSERT(list_entry(w, struct simk_thread, rq) == q->slots[pos],
		"runq index %d: the index and the queue disagree", n);
#endif
	return q->slots[pos];
}
