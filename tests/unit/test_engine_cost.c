/*
 * The cost model (docs/determinism.md, "Virtual time"): a running thread
 * spends step_cost_ns of virtual time at every switch point it passes, so
 * a thread that polls with a yield sees due timers fire and makes progress
 * as on a real machine. Without it (step_cost_ns 0) the clock moves only
 * when nobody can run, and the same poller spins at one instant until the
 * step limit.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "sim/engine.h"

static struct simk *mk_cost(enum simk_policy pol, uint64_t seed, uint64_t cost)
{
	struct simk_opts o;
	simk_opts_default(&o);
	cr_assert_eq(o.step_cost_ns, SIMK_STEP_COST_DEFAULT_NS);
	o.policy = pol;
	o.seed = seed;
	o.step_cost_ns = cost;
	o.max_steps = 100000;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	return s;
}

static bool flag;
static uint64_t polls, seen_ns;

static void sleeper(void *arg)
{
	(void)arg;
	simk_sleep_ns(1000000); /* a timer: due 1 ms from now */
	flag = true;
}

static void poller(void *arg)
{
	(void)arg;
	while (!flag) {
		polls++;
		sim_yield();
	}
	seen_ns = sim_now();
}

static enum simk_outcome run_poll(enum simk_policy pol, uint64_t seed, uint64_t cost,
				  struct simk **out)
{
	flag = false;
	polls = seen_ns = 0;
	struct simk *s = mk_cost(pol, seed, cost);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "sleeper", sleeper, NULL);
	simk_thread_create(p, "poller", poller, NULL);
	*out = s;
	return simk_run(s);
}

Test(engine_cost, a_thread_polling_with_yield_sees_a_timer_fire)
{
	enum simk_policy pols[] = {SIMK_POLICY_FIFO, SIMK_POLICY_RANDOM, SIMK_POLICY_PCT};
	for (int i = 0; i < 3; i++) {
		for (uint64_t seed = 1; seed <= 5; seed++) {
			struct simk *s;
			enum simk_outcome o =
			    run_poll(pols[i], seed, SIMK_STEP_COST_DEFAULT_NS, &s);
			cr_assert_eq(o, SIMK_PASS, "policy %d seed %llu: %s", i,
				     (unsigned long long)seed, simk_failure_reason(s));
			/* soon after the timer, and only the poller's turns
			 * (one switch point each) moved the clock */
			cr_assert_geq(seen_ns, 1000000);
			cr_assert_lt(seen_ns, 1000000 + 10000);
			cr_assert_eq(seen_ns, polls * SIMK_STEP_COST_DEFAULT_NS);
			simk_destroy(s);
		}
	}
}

Test(engine_cost, without_the_cost_model_the_poller_spins_at_one_instant)
{
	struct simk *s;
	enum simk_outcome o = run_poll(SIMK_POLICY_FIFO, 1, 0, &s);
	cr_assert_eq(o, SIMK_FAIL_PANIC);
	const char *why = simk_failure_reason(s);
	cr_assert(strstr(why, "step limit of 100000 decisions reached at 0 ns") != NULL, "%s", why);
	cr_assert(strstr(why, "keeps running without ever waiting") != NULL, "%s", why);
	simk_destroy(s);
}

static uint64_t t_before, t_after;

static void three_points(void *arg)
{
	(void)arg;
	t_before = sim_now();
	preempt_point();
	sim_yield();
	preempt_point();
	t_after = sim_now();
}

Test(engine_cost, each_switch_point_a_running_thread_passes_costs_the_step)
{
	uint64_t costs[] = {0, 1, 100, 250};
	for (int i = 0; i < 4; i++) {
		struct simk *s = mk_cost(SIMK_POLICY_FIFO, 1, costs[i]);
		simk_thread_create(simk_proc_create(s, "p"), "t", three_points, NULL);
		cr_assert_eq(simk_run(s), SIMK_PASS);
		cr_assert_eq(t_after - t_before, 3 * costs[i]);
		simk_destroy(s);
	}
}

static void no_points_with_preemption_off(void *arg)
{
	(void)arg;
	t_before = sim_now();
	preempt_disable();
	preempt_point(); /* not a switch point: nothing to charge */
	preempt_enable();
	t_after = sim_now();
}

Test(engine_cost, a_point_that_cannot_switch_costs_nothing)
{
	struct simk *s = mk_cost(SIMK_POLICY_FIFO, 1, 100);
	simk_thread_create(simk_proc_create(s, "p"), "t", no_points_with_preemption_off, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS);
	cr_assert_eq(t_after, t_before);
	simk_destroy(s);
}

Test(engine_cost, a_step_cost_above_the_limit_is_refused)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.step_cost_ns = SIMK_STEP_COST_MAX_NS + 1;
	char err[128];
	cr_assert_null(simk_create(&o, err, sizeof(err)));
	cr_assert(strstr(err, "step cost") != NULL, "%s", err);
	o.step_cost_ns = SIMK_STEP_COST_MAX_NS;
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	simk_destroy(s);
}

Test(engine_cost, the_same_seed_gives_the_same_hash_with_the_cost_model)
{
	struct simk *s;
	cr_assert_eq(run_poll(SIMK_POLICY_RANDOM, 7, 100, &s), SIMK_PASS);
	uint64_t h1 = simk_trace_hash(s);
	simk_destroy(s);
	cr_assert_eq(run_poll(SIMK_POLICY_RANDOM, 7, 100, &s), SIMK_PASS);
	cr_assert_eq(simk_trace_hash(s), h1);
	simk_destroy(s);
	cr_assert_eq(run_poll(SIMK_POLICY_RANDOM, 7, 200, &s), SIMK_PASS);
	cr_assert_neq(simk_trace_hash(s), h1, "the cost is part of the run");
	simk_destroy(s);
}
