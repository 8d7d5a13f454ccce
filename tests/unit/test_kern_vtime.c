/*
 * The end of virtual time (SIMK_VTIME_MAX, docs/determinism.md): running
 * past it fails the run instead of wrapping the clock, a deadline past it
 * saturates to "never" instead of wrapping into the past, and a sleeper
 * whose only way out lies past it is a stall.
 */
#include "kern_test.h"

#include "kern/waitq.h"

static void run_past_the_end(void *arg)
{
	(void)arg;
	sim_advance(SIMK_VTIME_MAX - 1000);
	cr_assert_eq(sim_now(), SIMK_VTIME_MAX - 1000);
	sim_advance(1000); /* exactly the end: allowed */
	sim_advance(1);	   /* past it */
	cr_assert_fail("the clock passed the end of virtual time: %llu",
		       (unsigned long long)sim_now());
}

Test(vtime, running_past_the_end_of_virtual_time_fails_the_run)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", run_past_the_end, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "virtual time limit");
	simk_destroy(s);
}

static void run_a_huge_step(void *arg)
{
	(void)arg;
	sim_advance(5);
	sim_advance(UINT64_MAX - 2); /* would wrap the clock to 2 */
}

Test(vtime, a_step_that_would_wrap_the_clock_fails_the_run)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", run_a_huge_step, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "virtual time limit");
	simk_destroy(s);
}

/* A wait whose timeout is huge but not SIMK_FOREVER: its deadline used to
 * wrap (now + timeout past 2^64) into the past, so it timed out at once. */
static struct waitq vt_wq;
static bool vt_flag;
static int vt_res;
static uint64_t vt_woke_ns;

static bool flag_set(void *arg)
{
	(void)arg;
	return vt_flag;
}

static void huge_timeout_waiter(void *arg)
{
	(void)arg;
	sim_advance(1000); /* now > 0: now + (SIMK_FOREVER - 1) wraps */
	vt_res = waitq_wait(&vt_wq, false, false, SIMK_FOREVER - 1, flag_set, NULL);
	vt_woke_ns = sim_now();
}

static void setter(void *arg)
{
	(void)arg;
	simk_sleep_ns(1000000);
	vt_flag = true;
	waitq_wake_all(&vt_wq);
}

Test(vtime, a_huge_timeout_never_expires_instead_of_wrapping)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&vt_wq, "vt_wq");
	vt_flag = false;
	vt_res = -1;
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "waiter", huge_timeout_waiter, NULL);
	simk_thread_create(p, "setter", setter, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(vt_res, 0, "the wait ended with %d", vt_res);
	cr_assert_eq(vt_woke_ns, 1000 + 1000000); /* when the setter set it */
	simk_destroy(s);
}

static void sleep_past_the_end(void *arg)
{
	(void)arg;
	simk_sleep_ns(SIMK_VTIME_MAX + 1);
}

Test(vtime, a_sleep_past_the_end_of_virtual_time_is_a_stall)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "sleeper", sleep_past_the_end, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_DEADLOCK, "past the end of virtual time");
	simk_destroy(s);
}

Test(vtime, time_sums_saturate_at_never)
{
	cr_assert_eq(sim_time_add(5, 7), 12);
	cr_assert_eq(sim_time_add(5, SIMK_FOREVER), SIMK_FOREVER);
	cr_assert_eq(sim_time_add(SIMK_VTIME_MAX, SIMK_FOREVER - 3), SIMK_FOREVER);
	cr_assert_eq(sim_time_add(0, SIMK_FOREVER - 1), SIMK_FOREVER - 1);
	cr_assert_eq(sim_time_add(1, SIMK_FOREVER - 1), SIMK_FOREVER);
}
