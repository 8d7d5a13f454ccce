/* kern/callout: interrupt context, virtual time, ordering, stop. */
#include "kern_test.h"

#include "kern/callout.h"
#include "kern/waitq.h"

static struct waitq wq;
static struct callout c[5];
static int fired_order[16];
static int nfired;
static uint64_t fired_at;
static bool fired_in_irq;
static bool fired_without_thread;

static void record(void *arg)
{
	fired_order[nfired++] = (int)(intptr_t)arg;
	fired_at = sim_now();
	fired_in_irq = sim_in_irq();
	fired_without_thread = sim_thread_current() == NULL;
}

static void sleep_until(void *arg)
{
	waitq_sleep(&wq, false, false, (uint64_t)(uintptr_t)arg);
}

Test(callout, fires_in_interrupt_context_at_its_virtual_time)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	nfired = 0;
	callout_init(&c[0], "c0");
	callout_reset(&c[0], 500, record, (void *)7);
	cr_assert(callout_pending(&c[0]));
	simk_thread_create(simk_proc_create(s, "p"), "t", sleep_until, (void *)2000);
	KT_RUN_PASS(s);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired_order[0], 7);
	cr_assert_eq(fired_at, 500);
	cr_assert(fired_in_irq);
	cr_assert(fired_without_thread);
	cr_assert_eq(c[0].fired, 1);
	cr_assert(!callout_pending(&c[0]));
	simk_destroy(s);
}

static void arm_in_order(void *arg)
{
	(void)arg;
	int arm[] = {3, 1, 4, 0, 2};
	for (int i = 0; i < 5; i++) {
		callout_init(&c[arm[i]], "c");
		callout_reset_at(&c[arm[i]], 1000, record, (void *)(intptr_t)arm[i]);
		preempt_point();
	}
	callout_reset_at(&c[3], 1000, record, (void *)(intptr_t)3); /* re-armed: goes last */
	waitq_sleep(&wq, false, false, 5000);
}

Test(callout, equal_times_fire_in_arming_order)
{
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct simk *s = kt_sim(SIMK_POLICY_RANDOM, seed);
		waitq_init(&wq, "wq");
		nfired = 0;
		simk_thread_create(simk_proc_create(s, "p"), "t", arm_in_order, NULL);
		KT_RUN_PASS(s);
		int want[] = {1, 4, 0, 2, 3};
		cr_assert_eq(nfired, 5);
		for (int i = 0; i < 5; i++)
			cr_assert_eq(fired_order[i], want[i], "seed %llu: %d-th fired %d",
				     (unsigned long long)seed, i, fired_order[i]);
		simk_destroy(s);
	}
}

static bool stop_results[3];

static void stopper(void *arg)
{
	(void)arg;
	callout_init(&c[0], "stopped");
	callout_init(&c[1], "kept");
	callout_reset(&c[0], 100, record, (void *)0);
	callout_reset(&c[1], 50, record, (void *)1);
	stop_results[0] = callout_stop(&c[0]); /* pending: true */
	stop_results[1] = callout_stop(&c[0]); /* already stopped: false */
	waitq_sleep(&wq, false, false, 500);
	stop_results[2] = callout_stop(&c[1]); /* already fired: false */
}

Test(callout, stop_returns_whether_it_was_pending)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	nfired = 0;
	simk_thread_create(simk_proc_create(s, "p"), "t", stopper, NULL);
	KT_RUN_PASS(s);
	cr_assert(stop_results[0]);
	cr_assert(!stop_results[1]);
	cr_assert(!stop_results[2]);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(fired_order[0], 1);
	cr_assert_eq(c[0].fired, 0);
	simk_destroy(s);
}

static uint64_t periodic_times[8];

static void periodic(void *arg)
{
	struct callout *self = arg;
	periodic_times[self->fired - 1] = sim_now();
	if (self->fired < 3)
		callout_reset(self, 100, periodic, self);
}

Test(callout, handler_may_rearm_its_own_callout)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	callout_init(&c[0], "periodic");
	callout_reset(&c[0], 100, periodic, &c[0]);
	simk_thread_create(simk_proc_create(s, "p"), "t", sleep_until, (void *)1000);
	KT_RUN_PASS(s);
	cr_assert_eq(c[0].fired, 3);
	cr_assert_eq(periodic_times[0], 100);
	cr_assert_eq(periodic_times[1], 200);
	cr_assert_eq(periodic_times[2], 300);
	simk_destroy(s);
}

static void sleeping_handler(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 10);
}

Test(callout, sleeping_in_a_handler_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	callout_init(&c[0], "sleepy");
	callout_reset(&c[0], 100, sleeping_handler, NULL);
	simk_thread_create(simk_proc_create(s, "p"), "t", sleep_until, (void *)1000);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "interrupt context");
	simk_destroy(s);
}
