/*
 * The run queue's position index (sim/runq.c) and pct's heap: with many
 * threads coming and going, the n-th runnable thread is the one a walk of
 * the queue finds, and the policies choose exactly as they did when they
 * walked it (the sanitizer build also asserts this at every decision,
 * SIMK_DEBUG_CHECKS).
 */
#include <criterion/criterion.h>

#include "kern/waitq.h"
#include "sim/engine.h"
#include "sim/policy.h"

#define RQ_THREADS 300
#define RQ_ROUNDS 40

static struct waitq rq_gate;
static int rq_checks;

static struct simk_thread *walk_nth(struct simk *s, int n)
{
	struct list_node *w = s->runq.next;
	for (int i = 0; i < n; i++)
		w = w->next;
	return list_entry(w, struct simk_thread, rq);
}

/* Each worker sleeps for a pseudo-random while or yields, so threads keep
 * joining and leaving the queue in every order; the checker compares the
 * index with a walk at every position after each of its switch points. */
static void rq_worker(void *arg)
{
	uint64_t x = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	for (int i = 0; i < RQ_ROUNDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x % 3 == 0)
			sim_yield();
		else
			waitq_sleep(&rq_gate, false, false, 1000 + x % 5000);
	}
}

static void rq_checker(void *arg)
{
	(void)arg;
	struct simk *s = sim_cur();
	for (int i = 0; i < RQ_ROUNDS * 20; i++) {
		for (int k = 0; k < s->nrunnable; k++) {
			cr_assert_eq(runq_nth(s, k), walk_nth(s, k), "position %d of %d", k,
				     s->nrunnable);
			rq_checks++;
		}
		if (i % 7 == 0)
			waitq_wake_all(&rq_gate);
		sim_yield();
	}
}

static uint64_t run_mix(enum simk_policy pol, uint64_t seed)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = pol;
	o.seed = seed;
	o.pct_steps = 5000;
	struct simk *s = simk_create(&o, NULL, 0);
	cr_assert_not_null(s);
	waitq_init(&rq_gate, "gate");
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "checker", rq_checker, NULL);
	for (int i = 0; i < RQ_THREADS; i++)
		cr_assert_not_null(simk_thread_create(p, "w", rq_worker, (void *)(uintptr_t)(i + 1)));
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	uint64_t h = simk_trace_hash(s);
	simk_destroy(s);
	return h;
}

Test(runq, nth_runnable_thread_is_the_one_a_walk_finds_under_every_policy)
{
	const enum simk_policy pols[] = {SIMK_POLICY_FIFO, SIMK_POLICY_RANDOM, SIMK_POLICY_PCT};
	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		rq_checks = 0;
		uint64_t a = run_mix(pols[i], 3);
		cr_assert_gt(rq_checks, RQ_THREADS, "policy %d compared only %d positions", pols[i],
			     rq_checks);
		cr_assert_eq(run_mix(pols[i], 3), a, "policy %d: same seed, other hash", pols[i]);
	}
}

/* ---- the cost is counted: O(decisions x log threads) ------------------- */

static void idle_worker(void *arg)
{
	(void)arg;
	sim_yield();
	sim_yield();
}

/* Runs n threads that each yield twice; returns the scheduler's work per
 * decision. A policy that walked the whole queue at each decision (as
 * random and pct did: 20,000 threads took 140 s under pct) makes it grow
 * with n; the index and the heap make it grow with log n. */
static double work_per_decision(enum simk_policy pol, int n, uint64_t *decisions)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = pol;
	o.seed = 7;
	o.pct_steps = (uint64_t)n * 4;
	struct simk *s = simk_create(&o, NULL, 0);
	cr_assert_not_null(s);
	struct simk_proc *p = simk_proc_create(s, "p");
	for (int i = 0; i < n; i++)
		cr_assert_not_null(simk_thread_create(p, "w", idle_worker, NULL));
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	*decisions = simk_switches(s);
	double w = (double)s->sched_work / (double)(*decisions ? *decisions : 1);
	simk_destroy(s);
	return w;
}

Test(runq, scheduler_work_per_decision_grows_with_log_threads_not_threads)
{
	const enum simk_policy pols[] = {SIMK_POLICY_RANDOM, SIMK_POLICY_PCT};
	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		uint64_t d_small, d_big;
		double small = work_per_decision(pols[i], 256, &d_small);
		double big = work_per_decision(pols[i], 8192, &d_big);
		cr_assert_gt(d_big, 2 * 8192, "policy %d: %llu decisions", pols[i],
			     (unsigned long long)d_big);
		cr_assert_gt(small, 1.0, "policy %d: the work is not counted", pols[i]);
		/* 32x the threads: a walk costs 32x per decision, log n 13/8 */
		cr_assert_lt(big, 3.0 * small,
			     "policy %d: %.1f steps a decision with 8192 threads, %.1f with 256",
			     pols[i], big, small);
	}
}
