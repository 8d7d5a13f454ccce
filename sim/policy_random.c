/* random: at a preemption point switch with probability preempt_prob to a
 * uniformly chosen runnable thread; deliver a due interrupt with
 * probability irq_prob; when the running thread blocks, pick uniformly. */
#include "sim/policy_random.h"

static struct pick random_choose(struct simk *s, enum point_kind kind, struct simk_thread *cur,
				 bool irq_due, int ncand)
{
	(void)ncand;
	struct rng *r = &s->rng[SIMK_STREAM_SCHED];
	struct pick p = { false, NULL };
	int others = s->nrunnable;
	if (irq_due && (others == 0 && cur == NULL ? 1 : rng_chance(r, s->opts.irq_prob))) {
		p.irq = true;
		return p;
	}
	if (cur != NULL) {
		p.t = random_running(s, kind, cur);
		return p;
	}
	if (others == 0) {
		p.irq = true; /* only an interrupt could be a candidate */
		return p;
	}
	p.t = runq_nth(s, (int)rng_below(r, (uint64_t)others));
	return p;
}

const struct sim_policy policy_random = {
	.name = "random",
	.choose = random_choose,
};
