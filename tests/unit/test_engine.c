/* Engine: threads, switching, policies, timeouts, deadlock detection. */
#include <criterion/criterion.h>
#include <errno.h>

#include "kern/waitq.h"
#include "sim/engine.h"
#include "sim/fault.h"

static struct simk *mk(enum simk_policy pol, uint64_t seed)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = pol;
	o.seed = seed;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	return s;
}

static int counter;
static int order[64];
static int norder;

static void bump(void *arg)
{
	for (int i = 0; i < 5; i++) {
		order[norder++] = (int)(intptr_t)arg;
		counter++;
		sim_yield();
	}
}

Test(engine, fifo_yield_alternates_threads)
{
	counter = 0;
	norder = 0;
	struct simk *s = mk(SIMK_POLICY_FIFO, 1);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "a", bump, (void *)1);
	simk_thread_create(p, "b", bump, (void *)2);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	cr_assert_eq(counter, 10);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(order[i], 1 + (i % 2), "step %d ran %d", i, order[i]);
	simk_destroy(s);
}

static uint64_t run_hash(enum simk_policy pol, uint64_t seed)
{
	counter = 0;
	norder = 0;
	struct simk *s = mk(pol, seed);
	struct simk_proc *p = simk_proc_create(s, "p");
	for (int i = 0; i < 3; i++)
		simk_thread_create(p, "t", bump, (void *)(intptr_t)(i + 1));
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	uint64_t h = simk_trace_hash(s);
	simk_destroy(s);
	return h;
}

Test(engine, same_seed_same_hash_different_seeds_differ)
{
	cr_assert_eq(run_hash(SIMK_POLICY_RANDOM, 7), run_hash(SIMK_POLICY_RANDOM, 7));
	cr_assert_eq(run_hash(SIMK_POLICY_PCT, 7), run_hash(SIMK_POLICY_PCT, 7));
	int distinct = 0;
	uint64_t first = run_hash(SIMK_POLICY_RANDOM, 1);
	for (uint64_t seed = 2; seed < 10; seed++)
		distinct += run_hash(SIMK_POLICY_RANDOM, seed) != first;
	cr_assert_gt(distinct, 0);
}

static struct waitq wq;
static int sleep_result;

static void sleeper_timeout(void *arg)
{
	(void)arg;
	sleep_result = waitq_sleep(&wq, false, true, 1000);
}

Test(engine, sleep_times_out_in_virtual_time)
{
	struct simk *s = mk(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "sleeper", sleeper_timeout, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	cr_assert_eq(sleep_result, -ETIMEDOUT);
	cr_assert_eq(simk_vtime_ns(s), 1000);
	simk_destroy(s);
}

static void sleeper_forever(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, SIMK_FOREVER);
}

Test(engine, deadlock_is_reported_with_the_sleeper)
{
	struct simk *s = mk(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "lonely-wq");
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "stuck", sleeper_forever, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_DEADLOCK);
	cr_assert(strstr(simk_failure_reason(s), "stuck") != NULL, "%s", simk_failure_reason(s));
	cr_assert(strstr(simk_failure_reason(s), "lonely-wq") != NULL);
	simk_destroy(s);
}

static void asserter(void *arg)
{
	(void)arg;
	KASSERT(1 == 2, "math is broken");
}

Test(engine, kassert_stops_the_run_with_panic)
{
	struct simk *s = mk(SIMK_POLICY_FIFO, 1);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "bad", asserter, NULL);
	simk_thread_create(p, "other", bump, (void *)1);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	cr_assert(strstr(simk_failure_reason(s), "math is broken") != NULL);
	simk_destroy(s);
}

/* Two threads, each takes two steps: the dfs search must reach every
 * interleaving of the steps, and never run the same decision path twice
 * (distinct paths give distinct trace hashes). */
static int trace_buf[16];
static int ntrace;

static void stepper(void *arg)
{
	for (int i = 0; i < 2; i++) {
		trace_buf[ntrace++] = (int)(intptr_t)arg;
		preempt_point();
	}
}

Test(engine, dfs_enumerates_distinct_interleavings)
{
	struct simk_dfs *d = simk_dfs_create(10);
	uint64_t seen[64], hashes[1000];
	int nseen = 0, nruns = 0;
	bool more = true;
	for (int run = 0; more && run < 1000; run++) {
		struct simk_opts o;
		simk_opts_default(&o);
		o.policy = SIMK_POLICY_DFS;
		o.dfs = d;
		struct simk *s = simk_create(&o, NULL, 0);
		cr_assert_not_null(s);
		struct simk_proc *p = simk_proc_create(s, "p");
		ntrace = 0;
		simk_thread_create(p, "a", stepper, (void *)1);
		simk_thread_create(p, "b", stepper, (void *)2);
		cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
		uint64_t key = 0;
		for (int i = 0; i < ntrace; i++)
			key = key * 3 + (uint64_t)trace_buf[i];
		bool known = false;
		for (int i = 0; i < nseen; i++)
			known |= seen[i] == key;
		if (!known)
			seen[nseen++] = key;
		for (int i = 0; i < nruns; i++)
			cr_assert_neq(hashes[i], simk_trace_hash(s), "path repeated in run %d", run);
		hashes[nruns++] = simk_trace_hash(s);
		simk_destroy(s);
		more = simk_dfs_advance(d);
	}
	cr_assert_not(more, "search did not finish");
	/* 4 steps, 2 of each thread: C(4,2) = 6 interleavings. */
	cr_assert_eq(nseen, 6, "saw %d interleavings", nseen);
	simk_dfs_destroy(d);
}

Test(engine, enabling_an_undeclared_fault_point_is_an_error_naming_the_known_ones)
{
	struct simk *s = mk(SIMK_POLICY_FIFO, 1);
	char err[512];
	cr_assert_eq(sim_fault_enable("blk/raed/eio:p=1", err, sizeof(err)), -1);
	cr_assert(strstr(err, "unknown fault point 'blk/raed/eio'") != NULL, "%s", err);
	cr_assert(strstr(err, "blk/read/eio") != NULL, "%s", err);
	cr_assert_eq(sim_fault_enable("kmem/alloc/enomem:nth=2", err, sizeof(err)), 0, "%s", err);
	simk_destroy(s);
}

/* dfs at a yield: the candidates are the other runnable threads, then a
 * due interrupt, never the yielder itself while another thread can run (as
 * under every other policy). The default path lets the other thread run;
 * the search also reaches the interrupt firing at that very decision. */
static char yseq[8];
static int nyseq;
static struct sim_event yev;

static void ymark(char c)
{
	if (nyseq < (int)sizeof(yseq) - 1)
		yseq[nyseq++] = c;
}

static void y_irq(struct sim_event *ev)
{
	(void)ev;
	ymark('I');
}

static void y_yielder(void *arg)
{
	(void)arg;
	event_init(&yev, "test-yield-irq", y_irq, NULL);
	event_schedule_in(&yev, 0); /* due at once: a candidate at the yield */
	ymark('S');
	sim_yield();
	ymark('Y');
}

static void y_other(void *arg)
{
	(void)arg;
	ymark('O');
}

Test(engine, dfs_at_a_yield_tries_the_others_then_the_interrupt_never_the_yielder)
{
	struct simk_dfs *d = simk_dfs_create(2);
	bool more = true, saw_other = false, saw_self = false, saw_irq = false;
	int run = 0;
	for (; more && run < 1000; run++) {
		struct simk_opts o;
		simk_opts_default(&o);
		o.policy = SIMK_POLICY_DFS;
		o.dfs = d;
		struct simk *s = simk_create(&o, NULL, 0);
		cr_assert_not_null(s);
		struct simk_proc *p = simk_proc_create(s, "p");
		memset(yseq, 0, sizeof(yseq));
		nyseq = 0;
		simk_thread_create(p, "yielder", y_yielder, NULL);
		simk_thread_create(p, "other", y_other, NULL);
		cr_assert_eq(simk_run(s), SIMK_PASS, "run %d: %s", run, simk_failure_reason(s));
		const char *after = strchr(yseq, 'S');
		cr_assert_not_null(after, "run %d: %s", run, yseq);
		if (run == 0)
			cr_assert_eq(after[1], 'O', "default path: %s", yseq);
		saw_other |= after[1] == 'O';
		/* the yielder goes on at once only when the other one is done */
		const char *other = strchr(yseq, 'O');
		saw_self |= after[1] == 'Y' && other != NULL && other > after;
		saw_irq |= after[1] == 'I';
		simk_destroy(s);
		more = simk_dfs_advance(d);
	}
	cr_assert_not(more, "search did not finish");
	cr_assert(saw_other && !saw_self && saw_irq, "other %d self %d irq %d", saw_other, saw_self,
		  saw_irq);
	simk_dfs_destroy(d);
}
