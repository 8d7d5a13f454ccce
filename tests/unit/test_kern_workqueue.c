/* kern/workqueue: FIFO, flush, thread context, cancel, system queue. */
#include "kern_test.h"

#include "kern/callout.h"
#include "kern/proc.h"
#include "kern/waitq.h"
#include "kern/workqueue.h"
#include "sim/fault.h"

static struct workqueue *wq;
static struct work items[8];
static int ran[16];
static int nran;
static bool ran_in_thread_ctx;
static bool ran_in_kernel_proc;
static bool ran_on_daemon;
static struct waitq sleepq;

static void sleepy_work(struct work *w)
{
	ran_in_thread_ctx = !sim_in_irq() && sim_thread_current() != NULL;
	ran_in_kernel_proc = sim_proc_current() == kernel_proc();
	ran_on_daemon = sim_thread_current()->daemon;
	/* work runs in thread context: it may sleep */
	waitq_sleep(&sleepq, false, false, 100);
	ran[nran++] = (int)(intptr_t)w->arg;
}

static int ran_at_flush;

static void fifo_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("test_wq", 1);
	for (int i = 0; i < 5; i++) {
		work_init(&items[i], "item", sleepy_work, (void *)(intptr_t)i);
		queue_work(wq, &items[i]);
	}
	workqueue_flush(wq);
	ran_at_flush = nran;
	workqueue_destroy(wq);
}

Test(workqueue, runs_items_fifo_in_thread_context_and_flush_waits)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&sleepq, "sleepq");
	nran = 0;
	simk_thread_create(simk_proc_create(s, "p"), "user", fifo_user, NULL);
	KT_RUN_PASS(s); /* includes the kmem leak check: the queue was freed */
	cr_assert_eq(ran_at_flush, 5);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(ran[i], i);
	cr_assert(ran_in_thread_ctx);
	cr_assert(ran_in_kernel_proc);
	cr_assert(ran_on_daemon);
	cr_assert_eq(simk_vtime_ns(s), 500); /* five sleeps of 100 ns, one worker */
	simk_destroy(s);
}

static int flush_saw_first;
static int flush_saw_total;

static void late_queuer(void *arg)
{
	(void)arg;
	sim_yield(); /* the flusher is waiting */
	queue_work(wq, &items[1]);
}

static void flush_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("test_wq", 1);
	work_init(&items[0], "first", sleepy_work, (void *)0);
	work_init(&items[1], "late", sleepy_work, (void *)1);
	queue_work(wq, &items[0]);
	kthread_create(sim_proc_current(), "late", late_queuer, NULL, false);
	workqueue_flush(wq);
	flush_saw_first = nran >= 1 && ran[0] == 0;
	flush_saw_total = nran;
	workqueue_destroy(wq); /* drains the late item */
}

Test(workqueue, flush_waits_for_earlier_items_only)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&sleepq, "sleepq");
	nran = 0;
	simk_thread_create(simk_proc_create(s, "p"), "user", flush_user, NULL);
	KT_RUN_PASS(s);
	cr_assert(flush_saw_first);
	/* the late item was queued behind the first: the flush returned when
	 * the first finished, before the late one (100 ns more) ran */
	cr_assert_eq(flush_saw_total, 1);
	cr_assert_eq(nran, 2);
	simk_destroy(s);
}

static bool q_results[3];
static bool cancel_results[2];

static void count_work(struct work *w)
{
	ran[nran++] = (int)(intptr_t)w->arg;
}

static void cancel_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("test_wq", 1);
	work_init(&items[0], "a", count_work, (void *)0);
	work_init(&items[1], "b", count_work, (void *)1);
	q_results[0] = queue_work(wq, &items[0]);
	q_results[1] = queue_work(wq, &items[0]); /* already queued */
	q_results[2] = queue_work(wq, &items[1]);
	cancel_results[0] = work_cancel(wq, &items[0]);
	cancel_results[1] = work_cancel(wq, &items[0]);
	workqueue_flush(wq);
	workqueue_destroy(wq);
}

Test(workqueue, queue_twice_is_refused_and_cancel_removes_a_queued_item)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	nran = 0;
	simk_thread_create(simk_proc_create(s, "p"), "user", cancel_user, NULL);
	KT_RUN_PASS(s);
	cr_assert(q_results[0]);
	cr_assert(!q_results[1]);
	cr_assert(q_results[2]);
	cr_assert(cancel_results[0]);
	cr_assert(!cancel_results[1]);
	cr_assert_eq(nran, 1);
	cr_assert_eq(ran[0], 1);
	simk_destroy(s);
}

static struct callout co;
static struct waitq doneq;
static int work_done;

static bool is_done(void *arg)
{
	(void)arg;
	return work_done != 0;
}

static void done_work(struct work *w)
{
	(void)w;
	ran_in_thread_ctx = !sim_in_irq() && sim_thread_current() != NULL;
	work_done = 1;
	waitq_wake_all(&doneq);
}

static void irq_queue(void *arg)
{
	(void)arg;
	queue_work(system_wq(), &items[0]);
}

static void wait_done(void *arg)
{
	(void)arg;
	waitq_wait(&doneq, false, false, SIMK_FOREVER, is_done, NULL);
}

Test(workqueue, interrupt_defers_to_the_system_queue)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&doneq, "doneq");
	work_done = 0;
	work_init(&items[0], "deferred", done_work, NULL);
	callout_init(&co, "irq");
	callout_reset(&co, 300, irq_queue, NULL);
	simk_thread_create(simk_proc_create(s, "p"), "user", wait_done, NULL);
	KT_RUN_PASS(s); /* the system queue is freed at the end: no leak */
	cr_assert_eq(work_done, 1);
	cr_assert(ran_in_thread_ctx);
	cr_assert_eq(simk_vtime_ns(s), 300);
	simk_destroy(s);
}

static void parallel_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("test_wq", 3);
	for (int i = 0; i < 6; i++) {
		work_init(&items[i], "item", sleepy_work, (void *)(intptr_t)i);
		queue_work(wq, &items[i]);
	}
	workqueue_destroy(wq);
}

Test(workqueue, several_workers_run_items_concurrently)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&sleepq, "sleepq");
	nran = 0;
	simk_thread_create(simk_proc_create(s, "p"), "user", parallel_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(nran, 6);
	cr_assert_eq(simk_vtime_ns(s), 200, "3 workers, 6 items of 100 ns: %llu ns",
		     (unsigned long long)simk_vtime_ns(s));
	simk_destroy(s);
}

static void forgetful_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("forgotten", 1);
}

Test(workqueue, queue_never_destroyed_is_reported_as_leak)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "user", forgetful_user, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "kern.workqueue=1");
	simk_destroy(s);
}

static void requeue_self(struct work *w)
{
	ran[nran++] = 9;
	if (nran < 3)
		queue_work(wq, w); /* a work function may re-queue its item */
}

static void requeue_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("test_wq", 1);
	work_init(&items[0], "again", requeue_self, NULL);
	queue_work(wq, &items[0]);
	workqueue_destroy(wq); /* drains work queued by work */
}

Test(workqueue, destroy_drains_work_requeued_by_work)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	nran = 0;
	simk_thread_create(simk_proc_create(s, "p"), "user", requeue_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(nran, 3);
	simk_destroy(s);
}

static void flush_self(struct work *w)
{
	(void)w;
	workqueue_flush(wq);
}

static void self_flush_user(void *arg)
{
	(void)arg;
	wq = workqueue_create("test_wq", 1);
	work_init(&items[0], "selfflush", flush_self, NULL);
	queue_work(wq, &items[0]);
	workqueue_flush(wq);
}

Test(workqueue, flush_from_own_worker_panics)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "user", self_flush_user, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "own worker");
	simk_destroy(s);
}

static struct workqueue *wq_fault;

static void enomem_user(void *arg)
{
	(void)arg;
	wq_fault = workqueue_create("test_wq", 1);
}

Test(workqueue, create_returns_null_under_enomem)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	char err[128];
	cr_assert_eq(sim_fault_enable("kmem/alloc/enomem:p=1", err, sizeof(err)), 0, "%s", err);
	wq_fault = (struct workqueue *)&wq_fault;
	simk_thread_create(simk_proc_create(s, "p"), "user", enomem_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_null(wq_fault);
	simk_destroy(s);
}
