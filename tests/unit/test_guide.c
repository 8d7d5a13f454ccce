/* The guide policy (sim/guide.h), the engine half of simk shrink: default
 * choices are fifo's, a positional replay reproduces a run decision for
 * decision and names its deviations by key, and those deviations alone
 * reproduce it again; a deviation that cannot be taken falls back to the
 * default. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/guide.h"

static int order[64];
static int norder;

static void bump(void *arg)
{
	for (int i = 0; i < 4; i++) {
		if (norder < 64)
			order[norder++] = (int)(intptr_t)arg;
		preempt_point();
	}
}

/* Three threads taking preemption points; the run's hash. */
static uint64_t run3(struct simk_opts *o, struct simk **keep)
{
	norder = 0;
	char err[128];
	struct simk *s = simk_create(o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	struct simk_proc *p = simk_proc_create(s, "p");
	for (int i = 0; i < 3; i++)
		simk_thread_create(p, "t", bump, (void *)(intptr_t)(i + 1));
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	uint64_t h = simk_trace_hash(s);
	if (keep != NULL)
		*keep = s;
	else
		simk_destroy(s);
	return h;
}

static struct simk_opts opts(enum simk_policy pol, uint64_t seed)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = pol;
	o.seed = seed;
	return o;
}

Test(guide, no_deviation_is_the_fifo_schedule)
{
	struct simk_opts f = opts(SIMK_POLICY_FIFO, 3);
	uint64_t hf = run3(&f, NULL);
	int fifo_order[64];
	memcpy(fifo_order, order, sizeof(order));
	struct simk_guide g;
	memset(&g, 0, sizeof(g));
	struct simk_opts o = opts(SIMK_POLICY_GUIDE, 3);
	o.guide = &g;
	cr_assert_eq(run3(&o, NULL), hf, "the default schedule is fifo's");
	cr_assert_arr_eq(order, fifo_order, sizeof(int) * 12);
	cr_assert_gt(g.nsteps, 0, "decisions with a choice are recorded");
	for (size_t i = 0; i < g.nsteps; i++)
		cr_assert(!guide_step_deviates(&g.steps[i]), "step %zu deviates", i);
	guide_free(&g);
}

Test(guide, positional_replay_names_the_deviations_that_reproduce_the_run)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk_opts r = opts(SIMK_POLICY_RANDOM, seed);
		r.preempt_prob = 0.5;
		r.keep_decisions = true;
		struct simk *s;
		uint64_t hr = run3(&r, &s);
		size_t n;
		const int64_t *d = simk_decisions(s, &n);
		int64_t *dec = malloc((n + 1) * sizeof(*dec));
		memcpy(dec, d, n * sizeof(*d));
		simk_destroy(s);

		struct simk_guide g;
		memset(&g, 0, sizeof(g));
		g.pos = dec;
		g.npos = n;
		struct simk_opts o = opts(SIMK_POLICY_GUIDE, seed);
		o.guide = &g;
		cr_assert_eq(run3(&o, NULL), hr, "seed %llu: positional replay",
			     (unsigned long long)seed);
		cr_assert(!g.diverged);
		cr_assert_eq(g.nsteps, n, "one step per recorded decision");

		/* the deviations alone, keyed by where they happen */
		struct guide_dev *dev = malloc((g.nsteps + 1) * sizeof(*dev));
		size_t k = 0;
		bool preempted = false;
		for (size_t i = 0; i < g.nsteps; i++)
			if (guide_step_deviates(&g.steps[i])) {
				dev[k++] = g.steps[i].at;
				preempted |= g.steps[i].preempt;
			}
		qsort(dev, k, sizeof(*dev), guide_dev_cmp);
		g.pos = NULL;
		g.dev = dev;
		g.ndev = k;
		cr_assert_eq(run3(&o, NULL), hr, "seed %llu: keyed deviations",
			     (unsigned long long)seed);
		size_t again = 0;
		for (size_t i = 0; i < g.nsteps; i++)
			again += guide_step_deviates(&g.steps[i]);
		cr_assert_eq(again, k, "the same deviations are taken");
		(void)preempted;
		free(dev);
		free(dec);
		guide_free(&g);
	}
}

Test(guide, a_deviation_that_cannot_be_taken_falls_back_to_the_default)
{
	struct simk_opts f = opts(SIMK_POLICY_FIFO, 1);
	uint64_t hf = run3(&f, NULL);
	/* thread 99 does not exist; the start decision takes the default */
	struct guide_dev dev = {0, 0, 0, 99};
	struct simk_guide g;
	memset(&g, 0, sizeof(g));
	g.dev = &dev;
	g.ndev = 1;
	struct simk_opts o = opts(SIMK_POLICY_GUIDE, 1);
	o.guide = &g;
	cr_assert_eq(run3(&o, NULL), hf);
	guide_free(&g);
}

Test(guide, a_preemption_is_a_switch_away_from_a_thread_that_could_go_on)
{
	/* at the start thread 1 is the default; thread 1's first switch point
	 * (its first preempt_point) is point 0: run thread 3 there instead */
	struct guide_dev dev = {1, 0, 0, 3};
	struct simk_guide g;
	memset(&g, 0, sizeof(g));
	g.dev = &dev;
	g.ndev = 1;
	struct simk_opts o = opts(SIMK_POLICY_GUIDE, 1);
	o.guide = &g;
	run3(&o, NULL);
	cr_assert_eq(order[0], 1);
	cr_assert_eq(order[1], 3, "thread 3 ran after the preemption, not %d", order[1]);
	size_t devs = 0, pre = 0;
	for (size_t i = 0; i < g.nsteps; i++) {
		devs += guide_step_deviates(&g.steps[i]);
		pre += g.steps[i].preempt;
	}
	cr_assert_eq(devs, 1);
	cr_assert_eq(pre, 1);
	guide_free(&g);
}

Test(guide, run_without_a_guide_is_refused)
{
	struct simk_opts o = opts(SIMK_POLICY_GUIDE, 1);
	char err[128] = "";
	cr_assert_null(simk_create(&o, err, sizeof(err)));
	cr_assert(strstr(err, "guide") != NULL, "%s", err);
}
