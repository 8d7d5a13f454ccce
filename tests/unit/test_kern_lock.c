/* kern/ locks: spinlocks, mutexes, condition variables. */
#include "kern_test.h"

#include "kern/callout.h"
#include "kern/lock.h"
#include "kern/signal.h"

/* ---- mutex ---- */

static struct mutex m;
static int order[16];
static int norder;

static void relocker(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	order[norder++] = 0;
	for (int i = 0; i < 3; i++)
		sim_yield(); /* the others queue up on m, in creation order */
	mutex_unlock(&m);
	mutex_lock(&m); /* must queue behind them: hand-off, no barging */
	order[norder++] = 0;
	mutex_unlock(&m);
}

static void taker(void *arg)
{
	mutex_lock(&m);
	order[norder++] = (int)(intptr_t)arg;
	mutex_unlock(&m);
}

Test(mutex, waiters_acquire_in_fifo_order_by_handoff)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	norder = 0;
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "relocker", relocker, NULL);
	for (int i = 1; i <= 3; i++)
		simk_thread_create(p, "taker", taker, (void *)(intptr_t)i);
	KT_RUN_PASS(s);
	int want[] = {0, 1, 2, 3, 0};
	cr_assert_eq(norder, 5);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(order[i], want[i], "acquisition %d by %d, want %d", i, order[i],
			     want[i]);
	cr_assert_eq(m.contended, 4, "contended %llu", (unsigned long long)m.contended);
	cr_assert_null(m.owner);
	mutex_destroy(&m);
	simk_destroy(s);
}

static int counter;
static int inside;

static void incrementer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++) {
		mutex_lock(&m);
		inside++;
		KASSERT(inside == 1, "%d threads inside the critical section", inside);
		int v = counter;
		sim_yield();
		preempt_point();
		counter = v + 1;
		inside--;
		mutex_unlock(&m);
	}
}

Test(mutex, mutual_exclusion_holds_under_random_schedules)
{
	uint64_t contended = 0;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct simk *s = kt_sim(SIMK_POLICY_RANDOM, seed);
		mutex_init(&m, "m");
		counter = 0;
		inside = 0;
		struct simk_proc *p = simk_proc_create(s, "p");
		for (int i = 0; i < 4; i++)
			simk_thread_create(p, "inc", incrementer, NULL);
		KT_RUN_PASS(s);
		cr_assert_eq(counter, 80, "seed %llu: counter %d", (unsigned long long)seed,
			     counter);
		contended += m.contended;
		mutex_destroy(&m);
		simk_destroy(s);
	}
	cr_assert_gt(contended, 0, "no schedule ever contended: the test proves nothing");
}

Test(mutex, mutual_exclusion_holds_under_pct)
{
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct simk *s = kt_sim(SIMK_POLICY_PCT, seed);
		mutex_init(&m, "m");
		counter = 0;
		inside = 0;
		struct simk_proc *p = simk_proc_create(s, "p");
		for (int i = 0; i < 3; i++)
			simk_thread_create(p, "inc", incrementer, NULL);
		KT_RUN_PASS(s);
		cr_assert_eq(counter, 60, "seed %llu", (unsigned long long)seed);
		mutex_destroy(&m);
		simk_destroy(s);
	}
}

static void lock_and_yield(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	sim_yield();
	sim_yield();
	mutex_unlock(&m);
}

static void unlock_foreign(void *arg)
{
	(void)arg;
	mutex_unlock(&m);
}

Test(mutex, unlock_by_non_owner_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "owner", lock_and_yield, NULL);
	simk_thread_create(p, "thief", unlock_foreign, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "non-owner");
	simk_destroy(s);
}

static void lock_twice(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	mutex_lock(&m);
}

Test(mutex, recursive_lock_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	simk_thread_create(simk_proc_create(s, "p"), "t", lock_twice, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "recursively");
	simk_destroy(s);
}

Test(mutex, unlock_of_free_mutex_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	simk_thread_create(simk_proc_create(s, "p"), "t", unlock_foreign, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "non-owner");
	simk_destroy(s);
}

static int intr_result;
static bool trylock_result;
static struct simk_thread *victim;

static void holder(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	sim_yield(); /* waiter blocks */
	sig_kill_thread(victim, SIMK_SIGUSR1);
	sim_yield(); /* waiter returns -EINTR */
	mutex_unlock(&m);
	trylock_result = mutex_trylock(&m);
	if (trylock_result)
		mutex_unlock(&m);
}

static void interruptible_waiter(void *arg)
{
	(void)arg;
	intr_result = mutex_lock_interruptible(&m);
	if (intr_result == 0)
		mutex_unlock(&m);
}

Test(mutex, interruptible_lock_returns_eintr_and_does_not_own)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	intr_result = 1;
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "holder", holder, NULL);
	victim = simk_thread_create(p, "waiter", interruptible_waiter, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(intr_result, -EINTR);
	cr_assert(trylock_result, "the interrupted waiter must not have been handed the mutex");
	cr_assert_null(m.owner);
	mutex_destroy(&m);
	simk_destroy(s);
}

static bool try_results[2];
static bool owned_seen[2];

static void trylocker(void *arg)
{
	(void)arg;
	try_results[0] = mutex_trylock(&m);
	owned_seen[0] = mutex_held(&m);
	sim_yield();
	mutex_unlock(&m);
}

static void trylocker2(void *arg)
{
	(void)arg;
	try_results[1] = mutex_trylock(&m);
	owned_seen[1] = mutex_held(&m);
}

Test(mutex, trylock_fails_on_held_mutex)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "a", trylocker, NULL);
	simk_thread_create(p, "b", trylocker2, NULL);
	KT_RUN_PASS(s);
	cr_assert(try_results[0]);
	cr_assert(owned_seen[0]);
	cr_assert(!try_results[1]);
	cr_assert(!owned_seen[1]);
	simk_destroy(s);
}

static void destroy_held(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	mutex_destroy(&m);
}

Test(mutex, destroy_while_held_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	simk_thread_create(simk_proc_create(s, "p"), "t", destroy_held, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "destroyed while held");
	simk_destroy(s);
}

static int lock_line; /* the line of the mutex_lock a panic must name */

static void exit_holding(void *arg)
{
	(void)arg;
	lock_line = __LINE__; mutex_lock(&m); // clang-format off: one line
}

Test(mutex, a_thread_exiting_while_holding_one_panics_naming_the_lock_site)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	simk_thread_create(simk_proc_create(s, "p"), "t", exit_holding, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	char want[128];
	snprintf(want, sizeof(want),
		 "thread t (tid 1) exited holding mutex m (acquired at %s:%d)", __FILE__,
		 lock_line);
	cr_assert_str_eq(simk_failure_reason(s), want);
	simk_destroy(s);
}

static struct condvar cv_t;

static void cv_relock_keeps_site(void *arg)
{
	(void)arg;
	lock_line = __LINE__; mutex_lock(&m); // named, not condvar.c's re-lock
	cv_timedwait(&cv_t, &m, 1000, false);
}

Test(mutex, a_cv_wait_keeps_the_callers_lock_site)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	cv_init(&cv_t, "c");
	simk_thread_create(simk_proc_create(s, "p"), "t", cv_relock_keeps_site, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	char want[128];
	snprintf(want, sizeof(want),
		 "thread t (tid 1) exited holding mutex m (acquired at %s:%d)", __FILE__,
		 lock_line);
	cr_assert_str_eq(simk_failure_reason(s), want);
	simk_destroy(s);
}

/* ---- spinlocks ---- */

static struct spinlock sl;
static struct waitq wq;
static int in_spin_section;
static int spin_violations;

static void spin_then_sleep(void *arg)
{
	(void)arg;
	spin_lock(&sl);
	waitq_sleep(&wq, false, false, 100);
	spin_unlock(&sl);
}

Test(spinlock, sleeping_with_spinlock_held_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	spin_init(&sl, "sl");
	waitq_init(&wq, "wq");
	simk_thread_create(simk_proc_create(s, "p"), "t", spin_then_sleep, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "spinlock");
	simk_destroy(s);
}

static void spin_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		spin_lock(&sl);
		if (in_spin_section++ != 0)
			spin_violations++;
		for (int k = 0; k < 5; k++) {
			preempt_point(); /* ignored while the lock is held */
			sim_yield();
		}
		in_spin_section--;
		spin_unlock(&sl);
		sim_yield();
	}
}

Test(spinlock, holder_is_never_switched_away)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk_opts o;
		simk_opts_default(&o);
		o.policy = SIMK_POLICY_RANDOM;
		o.preempt_prob = 0.9;
		o.seed = seed;
		struct simk *s = kt_sim_opts(&o);
		spin_init(&sl, "sl");
		in_spin_section = 0;
		spin_violations = 0;
		struct simk_proc *p = simk_proc_create(s, "p");
		for (int i = 0; i < 3; i++)
			simk_thread_create(p, "t", spin_worker, NULL);
		KT_RUN_PASS(s);
		cr_assert_eq(spin_violations, 0, "seed %llu", (unsigned long long)seed);
		cr_assert(!spin_held(&sl));
		simk_destroy(s);
	}
}

static void spin_twice(void *arg)
{
	(void)arg;
	spin_lock(&sl);
	spin_lock(&sl);
}

Test(spinlock, recursive_spin_lock_panics_as_deadlock)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	spin_init(&sl, "sl");
	simk_thread_create(simk_proc_create(s, "p"), "t", spin_twice, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "spinlock deadlock");
	simk_destroy(s);
}

static void irq_leaks_lock(void *arg)
{
	(void)arg;
	spin_lock(&sl); /* never released */
}

static void irq_takes_lock(void *arg)
{
	(void)arg;
	spin_lock(&sl);
	spin_unlock(&sl);
}

static void sleep_long(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 10000);
}

Test(spinlock, interrupt_taking_a_held_lock_panics_as_deadlock)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	spin_init(&sl, "sl");
	waitq_init(&wq, "wq");
	struct callout c1, c2;
	callout_init(&c1, "leaker");
	callout_init(&c2, "taker");
	callout_reset(&c1, 100, irq_leaks_lock, NULL);
	callout_reset(&c2, 200, irq_takes_lock, NULL);
	simk_thread_create(simk_proc_create(s, "p"), "t", sleep_long, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "spinlock deadlock: interrupt handler");
	simk_destroy(s);
}

static bool irq_try;

static void irq_trylock(void *arg)
{
	(void)arg;
	irq_try = spin_trylock(&sl);
	if (irq_try)
		spin_unlock(&sl);
}

static void spin_unlock_foreign(void *arg)
{
	(void)arg;
	spin_unlock(&sl);
}

Test(spinlock, trylock_in_interrupt_fails_without_panic_when_held)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	spin_init(&sl, "sl");
	waitq_init(&wq, "wq");
	struct callout c1, c2;
	callout_init(&c1, "leaker");
	callout_init(&c2, "try");
	callout_reset(&c1, 100, irq_leaks_lock, NULL);
	callout_reset(&c2, 200, irq_trylock, NULL);
	irq_try = true;
	simk_thread_create(simk_proc_create(s, "p"), "t", sleep_long, NULL);
	KT_RUN_PASS(s);
	cr_assert(!irq_try);
	cr_assert(spin_held(&sl));
	simk_destroy(s);
}

Test(spinlock, release_by_another_context_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	spin_init(&sl, "sl");
	waitq_init(&wq, "wq");
	struct callout c1;
	callout_init(&c1, "leaker");
	callout_reset(&c1, 100, irq_leaks_lock, NULL);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "t", sleep_long, NULL);
	simk_thread_create(p, "u", spin_unlock_foreign, NULL); /* lock still free: panics */
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "free spinlock");
	simk_destroy(s);
}

/* ---- condition variables ---- */

static struct condvar cv;
static int ready;
static int consumed;

static void consumer(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	while (!ready)
		cv_wait(&cv, &m);
	consumed++;
	mutex_unlock(&m);
}

static void producer(void *arg)
{
	(void)arg;
	preempt_point();
	mutex_lock(&m);
	ready = 1;
	cv_signal(&cv);
	mutex_unlock(&m);
}

Test(condvar, no_lost_wakeup_under_random_schedules)
{
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct simk_opts o;
		simk_opts_default(&o);
		o.policy = SIMK_POLICY_RANDOM;
		o.preempt_prob = seed % 2 ? 0.5 : 0.95; /* often preempt inside cv_wait */
		o.seed = seed;
		struct simk *s = kt_sim_opts(&o);
		mutex_init(&m, "m");
		cv_init(&cv, "cv");
		ready = 0;
		consumed = 0;
		struct simk_proc *p = simk_proc_create(s, "p");
		simk_thread_create(p, "consumer", consumer, NULL);
		simk_thread_create(p, "producer", producer, NULL);
		KT_RUN_PASS(s); /* a lost wake-up is a deadlock */
		cr_assert_eq(consumed, 1);
		cv_destroy(&cv);
		mutex_destroy(&m);
		simk_destroy(s);
	}
}

static int timed_result;
static bool owned_after;

static void timed_waiter(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	timed_result = cv_timedwait(&cv, &m, 5000, false);
	owned_after = mutex_held(&m);
	mutex_unlock(&m);
}

Test(condvar, timedwait_times_out_in_virtual_time_and_relocks)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	cv_init(&cv, "cv");
	simk_thread_create(simk_proc_create(s, "p"), "w", timed_waiter, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(timed_result, -ETIMEDOUT);
	cr_assert(owned_after);
	cr_assert_eq(simk_vtime_ns(s), 5000);
	simk_destroy(s);
}

static void sig_waiter(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	timed_result = cv_wait_sig(&cv, &m);
	owned_after = mutex_held(&m);
	mutex_unlock(&m);
}

static void sig_sender(void *arg)
{
	(void)arg;
	sim_yield();
	sig_kill_proc(sim_proc_current(), SIMK_SIGUSR1);
}

Test(condvar, wait_sig_returns_eintr_on_signal_and_relocks)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	cv_init(&cv, "cv");
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "w", sig_waiter, NULL);
	simk_thread_create(p, "k", sig_sender, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(timed_result, -EINTR);
	cr_assert(owned_after);
	simk_destroy(s);
}

static int woken;

static void counting_waiter(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	cv_wait(&cv, &m);
	woken++;
	mutex_unlock(&m);
}

static int woken_after_signal;

static void signaller(void *arg)
{
	(void)arg;
	sim_yield(); /* all three wait */
	cv_signal(&cv);
	for (int i = 0; i < 5; i++)
		sim_yield();
	woken_after_signal = woken;
	cv_broadcast(&cv);
}

Test(condvar, signal_wakes_one_broadcast_wakes_all)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	cv_init(&cv, "cv");
	woken = 0;
	struct simk_proc *p = simk_proc_create(s, "p");
	for (int i = 0; i < 3; i++)
		simk_thread_create(p, "w", counting_waiter, NULL);
	simk_thread_create(p, "sig", signaller, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(woken_after_signal, 1);
	cr_assert_eq(woken, 3);
	simk_destroy(s);
}

static void wait_unlocked(void *arg)
{
	(void)arg;
	cv_wait(&cv, &m);
}

Test(condvar, wait_without_the_mutex_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	mutex_init(&m, "m");
	cv_init(&cv, "cv");
	simk_thread_create(simk_proc_create(s, "p"), "w", wait_unlocked, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "without holding");
	simk_destroy(s);
}
