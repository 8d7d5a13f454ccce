/*
 * The random policy's choice at a switch point of a running thread with no
 * interrupt due: in a header so that the scheduler's path for such points
 * (sim/sched.c, point_of_running) makes it inline, without the policy's
 * indirect call, and random_choose makes the same choice from the same
 * definition.
 */
#ifndef SIMK_POLICY_RANDOM_H
#define SIMK_POLICY_RANDOM_H

#include "sim/policy.h"
#include "sim/rng.h"

/* cur keeps running unless another thread is runnable and the point is a
 * yield or the preemption chance comes up; then a uniform runnable thread.
 * The draws: the chance (not at a yield) once another thread is runnable,
 * then the index. The chance is rng_chance(preempt_prob)'s, in integers
 * (s->preempt_threshold). */
static inline struct simk_thread *random_running_of(struct simk *s, enum point_kind kind,
						    struct simk_thread *cur, int others)
{
	struct rng *r = &s->rng[SIMK_STREAM_SCHED];
	if (others == 0 || (kind != PT_YIELD && !rng_chance_below(r, s->preempt_threshold)))
		return cur;
	return runq_nth(s, (int)rng_below(r, (uint64_t)others));
}

/* others: s->nrunnable, given by a caller that knows it (a constant it
 * folds: one other thread draws no index). */
static inline struct simk_thread *random_running(struct simk *s, enum point_kind kind,
						 struct simk_thread *cur)
{
	return random_running_of(s, kind, cur, s->nrunnable);
}

#endif
