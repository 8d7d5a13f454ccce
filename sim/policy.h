/*
 * Scheduling policies. At every switch point the scheduler asks the policy
 * what runs next among: the running thread (when it may continue), every
 * runnable thread, and — when one is due — an interrupt delivery.
 */
#ifndef SIMK_POLICY_H
#define SIMK_POLICY_H

#include "sim/engine.h"

struct pick {
	bool irq;                 /* deliver the earliest due interrupt */
	struct simk_thread *t;    /* otherwise: run this thread (may be cur) */
};

struct sim_policy {
	const char *name;
	int (*init)(struct simk *s, char *err, size_t errlen);
	void (*fini)(struct simk *s);
	void (*thread_new)(struct simk *s, struct simk_thread *t);
	/* cur: the running thread if it may continue, else NULL. ncand >= 2. */
	struct pick (*choose)(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			      bool irq_due, int ncand);
	/* Optional: a thread joined / left the runnable queue (for a policy
	 * that keeps its own index of it, like pct's heap). */
	void (*runq_added)(struct simk *s, struct simk_thread *t);
	void (*runq_removed)(struct simk *s, struct simk_thread *t);
	/* Optional: after a run that passed; non-zero with a message when the
	 * policy rejects how it ended (replay: recorded decisions left over). */
	int (*check_end)(struct simk *s, char *msg, size_t len);
	/* Optional: called at every switch point instead of choose (also with
	 * one candidate); may stop the run (s->stop) with an empty pick. */
	struct pick (*point)(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			     bool irq_due, int ncand);
	/* Optional: a data decision among n alternatives (sim_decide): the
	 * index, or -1 to let the caller draw it from its stream. */
	int (*decide)(struct simk *s, enum simk_dfs_dim dim, uint32_t n);
	/* Optional: the latency classes to offer (sim_latency_classes), 0: draw. */
	uint32_t (*latency_classes)(struct simk *s);
	/* choose always keeps the running thread when it may continue, no
	 * interrupt is due and the point is not a yield (fifo): the scheduler
	 * then records that decision without asking (sim/sched.c). */
	bool keeps_running;
};

extern const struct sim_policy policy_fifo;
extern const struct sim_policy policy_random;
extern const struct sim_policy policy_pct;
extern const struct sim_policy policy_replay;
extern const struct sim_policy policy_dfs;
extern const struct sim_policy policy_guide;

/* The runnable queue (sim/runq.c): FIFO; the n-th (0-based) runnable
 * thread in queue order in O(log n). */
void runq_init(struct simk *s);
void runq_free(struct simk *s);
#define RUNQ_INDEX_MIN 16 /* runnable threads a list walk serves */
void runq_add_slow(struct simk *s, struct simk_thread *t);
void runq_del_slow(struct simk *s, struct simk_thread *t);
/* Whether the queue is the list alone for a thread joining (the index is
 * built past RUNQ_INDEX_MIN) or leaving, with no policy keeping its own
 * index: two to four switch points of a small run's decision change it. */
static inline bool runq_list_only(const struct simk *s, int joining)
{
	return !s->rqi.on && s->nrunnable + joining <= RUNQ_INDEX_MIN && s->runq_unwatched;
}
static inline void runq_add(struct simk *s, struct simk_thread *t)
{
	if (!runq_list_only(s, 1)) {
		runq_add_slow(s, t);
		return;
	}
	KASSERT(t->state != TS_RUNNABLE, "thread %d queued twice", t->tid);
	t->state = TS_RUNNABLE;
	list_push_back(&s->runq, &t->rq);
	s->nrunnable++;
}
static inline void runq_del(struct simk *s, struct simk_thread *t)
{
	if (!runq_list_only(s, 0)) {
		runq_del_slow(s, t);
		return;
	}
	KASSERT(t->state == TS_RUNNABLE, "thread %d not runnable", t->tid);
	list_del(&t->rq);
	s->nrunnable--;
}
/* runq_del(s, out) then runq_add(s, in): the running thread in yields
 * its CPU to the runnable out (a switch point's switch). The count is the
 * same after as before, so one test of the list's case serves both. */
static inline void runq_swap(struct simk *s, struct simk_thread *out, struct simk_thread *in)
{
	if (!runq_list_only(s, 0)) {
		runq_del_slow(s, out);
		runq_add_slow(s, in);
		return;
	}
	KASSERT(out->state == TS_RUNNABLE, "thread %d not runnable", out->tid);
	KASSERT(in->state != TS_RUNNABLE, "thread %d queued twice", in->tid);
	list_del(&out->rq);
	in->state = TS_RUNNABLE;
	list_push_back(&s->runq, &in->rq);
}
struct simk_thread *runq_nth_indexed(struct simk *s, int n);
/* The n-th runnable thread: a walk of the list while there is no index (a
 * few runnable threads), inline. */
static inline struct simk_thread *runq_nth(struct simk *s, int n)
{
	if (s->rqi.on)
		return runq_nth_indexed(s, n);
	KASSERT(n >= 0 && n < s->nrunnable, "runq index %d out of range (%d runnable)", n,
		s->nrunnable);
	struct list_node *w = s->runq.next;
	for (int i = 0; i < n; i++) {
		w = w->next;
		s->sched_work++;
	}
	s->sched_work++;
	return list_entry(w, struct simk_thread, rq);
}
static inline struct simk_thread *runq_first(struct simk *s)
{
	return list_empty(&s->runq) ? NULL : list_entry(s->runq.next, struct simk_thread, rq);
}

/* Schedule files (--schedule-out / --replay); 0 or -1 (errno / err). */
#define SCHEDULE_DECISIONS_MAX 100000000
int schedule_write(const struct simk *s, const char *path);
int schedule_read(const char *path, uint64_t *seed, int64_t **dec, size_t *n, char *err,
		  size_t errlen);

#endif
