/* Determinism: a run mixing every kern service gives the same trace hash
 * for the same seed, and schedules differ across seeds. */
#include "kern_test.h"

#include "kern/callout.h"
#include "kern/lock.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/umem.h"
#include "kern/workqueue.h"

static struct mutex m;
static struct condvar cv;
static struct callout co;
static struct work works[4];
static int produced, consumed, work_ran;
static uint64_t result_digest;

static void tick(void *arg)
{
	(void)arg;
	mutex_held(&m); /* interrupt context: just a read */
	cv_broadcast(&cv);
	if (co.fired < 4)
		callout_reset(&co, 250, tick, NULL);
}

static void count_work(struct work *w)
{
	mutex_lock(&m);
	work_ran++;
	result_digest = result_digest * 31 + (uint64_t)(uintptr_t)w->arg;
	mutex_unlock(&m);
}

static void producer(void *arg)
{
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < 5; i++) {
		mutex_lock(&m);
		produced++;
		result_digest = result_digest * 31 + (uint64_t)id;
		cv_signal(&cv);
		mutex_unlock(&m);
		preempt_point();
	}
}

static void consumer(void *arg)
{
	(void)arg;
	mutex_lock(&m);
	while (consumed < 10) {
		while (produced == consumed)
			cv_timedwait(&cv, &m, 300, false);
		consumed++;
	}
	mutex_unlock(&m);
}

static void child(void *arg)
{
	(void)arg;
	uaddr_t a = umem_alloc(sim_proc_current(), 64);
	copyout("x", a, 2);
	sig_kill_proc(sim_proc_current()->parent, SIMK_SIGUSR1);
	proc_exit(4);
}

static void orchestrator(void *arg)
{
	(void)arg;
	callout_reset(&co, 100, tick, NULL);
	for (int i = 0; i < 4; i++) {
		work_init(&works[i], "w", count_work, (void *)(intptr_t)(i + 1));
		queue_work(system_wq(), &works[i]);
	}
	int pid = proc_fork("child", child, NULL);
	int status = 0;
	while (proc_wait(pid, &status) == -EINTR)
		sig_dequeue(NULL);
	result_digest = result_digest * 31 + (uint64_t)status;
	workqueue_flush(system_wq());
}

static uint64_t run_once(enum simk_policy pol, uint64_t seed, uint64_t *digest)
{
	struct simk *s = kt_sim(pol, seed);
	mutex_init(&m, "m");
	cv_init(&cv, "cv");
	callout_init(&co, "tick");
	produced = consumed = work_ran = 0;
	result_digest = 0;
	struct simk_proc *p = simk_proc_create(s, "main");
	simk_thread_create(p, "orch", orchestrator, NULL);
	simk_thread_create(p, "prod1", producer, (void *)1);
	simk_thread_create(p, "prod2", producer, (void *)2);
	simk_thread_create(p, "cons", consumer, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(consumed, 10, "seed %llu", (unsigned long long)seed);
	cr_assert_eq(work_ran, 4, "seed %llu", (unsigned long long)seed);
	uint64_t h = simk_trace_hash(s);
	*digest = result_digest;
	simk_destroy(s);
	return h;
}

static void same_hash_twice(enum simk_policy pol)
{
	uint64_t first = 0;
	int distinct = 0;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		uint64_t d1, d2;
		uint64_t h1 = run_once(pol, seed, &d1);
		uint64_t h2 = run_once(pol, seed, &d2);
		cr_assert_eq(h1, h2, "seed %llu: trace hash %016llx then %016llx",
			     (unsigned long long)seed, (unsigned long long)h1,
			     (unsigned long long)h2);
		cr_assert_eq(d1, d2, "seed %llu: results differ", (unsigned long long)seed);
		if (seed == 1)
			first = h1;
		else
			distinct += h1 != first;
	}
	cr_assert_gt(distinct, 0, "every seed gave the same schedule");
}

Test(kern_determinism, same_seed_same_trace_hash_random)
{
	same_hash_twice(SIMK_POLICY_RANDOM);
}

Test(kern_determinism, same_seed_same_trace_hash_pct)
{
	same_hash_twice(SIMK_POLICY_PCT);
}
