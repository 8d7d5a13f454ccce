/* kern/signal: pending sets, masks, ignore, observers, queued values. */
#include "kern_test.h"

#include "kern/signal.h"
#include "kern/waitq.h"

static struct waitq wq;
static int sleep_r;
static int dequeued;
static struct siginfo_sim dq_info;
static struct simk_proc *target;

static void interruptible_sleeper(void *arg)
{
	uint64_t timeout = (uint64_t)(uintptr_t)arg;
	sleep_r = waitq_sleep(&wq, false, true, timeout ? timeout : SIMK_FOREVER);
	dequeued = sig_dequeue(&dq_info);
}

static void killer(void *arg)
{
	sim_yield(); /* the sleeper sleeps */
	sig_kill_proc(target, (int)(intptr_t)arg);
}

Test(signal, signal_interrupts_an_interruptible_sleep_with_eintr)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	target = simk_proc_create(s, "victim");
	simk_thread_create(target, "sleeper", interruptible_sleeper, NULL);
	simk_thread_create(simk_proc_create(s, "k"), "killer", killer,
			   (void *)(intptr_t)SIMK_SIGUSR1);
	KT_RUN_PASS(s);
	cr_assert_eq(sleep_r, -EINTR);
	cr_assert_eq(dequeued, SIMK_SIGUSR1);
	cr_assert_eq(dq_info.code, SIMK_SI_USER);
	cr_assert_eq(dq_info.sender_pid, 2);
	cr_assert_eq(target->sigpending, 0, "dequeued signal still pending");
	simk_destroy(s);
}

static void uninterruptible_sleeper(void *arg)
{
	(void)arg;
	sleep_r = waitq_sleep(&wq, false, false, 1000);
}

Test(signal, uninterruptible_sleep_is_not_interrupted)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	target = simk_proc_create(s, "victim");
	simk_thread_create(target, "sleeper", uninterruptible_sleeper, NULL);
	simk_thread_create(simk_proc_create(s, "k"), "killer", killer,
			   (void *)(intptr_t)SIMK_SIGUSR1);
	KT_RUN_PASS(s);
	cr_assert_eq(sleep_r, -ETIMEDOUT);
	cr_assert_neq(target->sigpending, 0);
	simk_destroy(s);
}

static bool pending_while_masked;
static int after_unblock;

static void masked_sleeper(void *arg)
{
	(void)arg;
	sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIMK_SIGUSR1 - 1), NULL);
	sleep_r = waitq_sleep(&wq, false, true, 1000);
	pending_while_masked = sig_pending(sim_thread_current(), SIMK_SIGUSR1);
	dequeued = sig_dequeue(NULL); /* masked: nothing */
	sig_procmask(SIMK_SIG_UNBLOCK, 1ULL << (SIMK_SIGUSR1 - 1), NULL);
	after_unblock = waitq_sleep(&wq, false, true, 1000); /* pending: -EINTR at once */
}

Test(signal, masked_signal_does_not_interrupt_and_stays_pending)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	target = simk_proc_create(s, "victim");
	simk_thread_create(target, "sleeper", masked_sleeper, NULL);
	simk_thread_create(simk_proc_create(s, "k"), "killer", killer,
			   (void *)(intptr_t)SIMK_SIGUSR1);
	KT_RUN_PASS(s);
	cr_assert_eq(sleep_r, -ETIMEDOUT);
	cr_assert(pending_while_masked);
	cr_assert_eq(dequeued, 0);
	cr_assert_eq(after_unblock, -EINTR);
	cr_assert_eq(simk_vtime_ns(s), 1000);
	simk_destroy(s);
}

static int observed[SIMK_NSIG + 1];
static int observed_pid;

static void observer(struct simk_proc *p, int signo)
{
	observed[signo]++;
	observed_pid = p->pid;
}

Test(signal, ignored_signal_is_not_pending_but_observed)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	memset(observed, 0, sizeof(observed));
	sig_register_observer(observer);
	target = simk_proc_create(s, "victim");
	cr_assert_eq(sig_ignore(target, SIMK_SIGUSR2, true), 0);
	simk_thread_create(target, "sleeper", interruptible_sleeper, (void *)500);
	simk_thread_create(simk_proc_create(s, "k"), "killer", killer,
			   (void *)(intptr_t)SIMK_SIGUSR2);
	KT_RUN_PASS(s);
	cr_assert_eq(sleep_r, -ETIMEDOUT, "an ignored signal interrupted the sleep");
	cr_assert_eq(dequeued, 0);
	cr_assert_eq(target->sigpending, 0);
	cr_assert_eq(observed[SIMK_SIGUSR2], 1);
	cr_assert_eq(observed_pid, target->pid);
	simk_destroy(s);
}

static int rt_values[40];
static int nrt;
static int queue_results[40];

static void rt_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	sig_procmask(SIMK_SIG_BLOCK, ~0ULL, NULL);
	for (int i = 0; i < 34; i++) {
		struct siginfo_sim si = {SIMK_SIGRTMIN, SIMK_SI_QUEUE, 100 + i, p->pid};
		queue_results[i] = sig_queue_proc(p, &si);
	}
	sig_procmask(SIMK_SIG_SETMASK, 0, NULL);
	struct siginfo_sim out;
	nrt = 0;
	while (sig_dequeue(&out) == SIMK_SIGRTMIN && nrt < 40)
		rt_values[nrt++] = (int)out.value;
}

Test(signal, realtime_signals_queue_values_in_order_up_to_the_limit)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", rt_user, NULL);
	KT_RUN_PASS(s);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(queue_results[i], 0, "queue %d: %d", i, queue_results[i]);
	cr_assert_eq(queue_results[32], -EAGAIN);
	cr_assert_eq(queue_results[33], -EAGAIN);
	cr_assert_eq(nrt, 32);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(rt_values[i], 100 + i);
	simk_destroy(s);
}

static int std_count;
static int std_value;

static void std_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	sig_procmask(SIMK_SIG_BLOCK, ~0ULL, NULL);
	struct siginfo_sim si = {SIMK_SIGUSR1, SIMK_SI_ASYNCIO, 7, p->pid};
	sig_queue_proc(p, &si);
	si.value = 8;
	sig_queue_proc(p, &si);		/* coalesced */
	sig_kill_proc(p, SIMK_SIGUSR1); /* coalesced */
	sig_procmask(SIMK_SIG_SETMASK, 0, NULL);
	struct siginfo_sim out;
	std_count = 0;
	while (sig_dequeue(&out) != 0) {
		std_count++;
		std_value = (int)out.value;
	}
}

Test(signal, standard_signals_coalesce_keeping_the_first_value)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", std_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(std_count, 1);
	cr_assert_eq(std_value, 7);
	simk_destroy(s);
}

static int errs[8];

static void err_user(void *arg)
{
	struct simk_proc *dead = arg;
	struct simk_proc *p = sim_proc_current();
	errs[0] = sig_kill_proc(p, 0);
	errs[1] = sig_kill_proc(p, -1);
	errs[2] = sig_kill_proc(p, SIMK_NSIG + 1);
	errs[3] = sig_kill_proc(dead, SIMK_SIGUSR1);
	errs[4] = sig_ignore(p, SIMK_SIGKILL, true);
	errs[5] = sig_procmask(42, 0, NULL);
	uint64_t old;
	sig_procmask(SIMK_SIG_SETMASK, ~0ULL, NULL);
	sig_procmask(SIMK_SIG_SETMASK, 0, &old);
	errs[6] = (old & (1ULL << (SIMK_SIGKILL - 1))) != 0; /* SIGKILL never blocked */
	errs[7] = sig_kill_thread(sim_thread_by_tid(1), SIMK_SIGUSR1);
}

static void quick(void *arg)
{
	(void)arg;
}

Test(signal, bad_arguments_get_their_errno)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	struct simk_proc *dead = simk_proc_create(s, "dead");
	simk_thread_create(dead, "quick", quick, NULL);
	simk_thread_create(simk_proc_create(s, "p"), "t", err_user, dead);
	KT_RUN_PASS(s);
	cr_assert_eq(errs[0], 0);
	cr_assert_eq(errs[1], -EINVAL);
	cr_assert_eq(errs[2], -EINVAL);
	cr_assert_eq(errs[3], -ESRCH);
	cr_assert_eq(errs[4], -EINVAL);
	cr_assert_eq(errs[5], -EINVAL);
	cr_assert_eq(errs[6], 0);
	cr_assert_eq(errs[7], -ESRCH, "signal to an exited thread");
	simk_destroy(s);
}

static int thread_sleep_r[2];

static void numbered_sleeper(void *arg)
{
	int i = (int)(intptr_t)arg;
	if (i == 0)
		sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIMK_SIGUSR1 - 1), NULL);
	thread_sleep_r[i] = waitq_sleep(&wq, false, true, 1000);
}

Test(signal, process_signal_interrupts_a_thread_that_does_not_block_it)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	target = simk_proc_create(s, "victim");
	simk_thread_create(target, "masked", numbered_sleeper, (void *)0);
	simk_thread_create(target, "open", numbered_sleeper, (void *)1);
	simk_thread_create(simk_proc_create(s, "k"), "killer", killer,
			   (void *)(intptr_t)SIMK_SIGUSR1);
	KT_RUN_PASS(s);
	cr_assert_eq(thread_sleep_r[0], -ETIMEDOUT);
	cr_assert_eq(thread_sleep_r[1], -EINTR);
	simk_destroy(s);
}

static void tkill_target(void *arg)
{
	(void)arg;
	sim_yield();
	sig_kill_thread(sim_thread_by_tid(1), SIMK_SIGUSR2);
}

Test(signal, thread_directed_signal_interrupts_only_that_thread)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	target = simk_proc_create(s, "victim");
	simk_thread_create(target, "t1", numbered_sleeper, (void *)1); /* tid 1 */
	struct simk_thread *t2 = simk_thread_create(target, "t2", uninterruptible_sleeper, NULL);
	simk_thread_create(target, "k", tkill_target, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(thread_sleep_r[1], -EINTR);
	cr_assert_eq(target->sigpending, 0, "tkill made the process pending");
	cr_assert_eq(t2->sigpending, 0);
	simk_destroy(s);
}

static void ignore_discards(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	sig_procmask(SIMK_SIG_BLOCK, ~0ULL, NULL);
	sig_kill_proc(p, SIMK_SIGTERM);
	errs[0] = sig_pending(sim_thread_current(), SIMK_SIGTERM);
	sig_ignore(p, SIMK_SIGTERM, true);
	errs[1] = sig_pending(sim_thread_current(), SIMK_SIGTERM);
	sig_ignore(p, SIMK_SIGTERM, false);
	sig_kill_proc(p, SIMK_SIGTERM);
	errs[2] = sig_pending(sim_thread_current(), SIMK_SIGTERM);
}

Test(signal, ignoring_a_pending_signal_discards_it)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", ignore_discards, NULL);
	KT_RUN_PASS(s);
	cr_assert(errs[0]);
	cr_assert(!errs[1]);
	cr_assert(errs[2]);
	simk_destroy(s);
}

Test(signal, names_round_trip)
{
	cr_assert_str_eq(sig_name(SIMK_SIGUSR1), "SIGUSR1");
	cr_assert_str_eq(sig_name(SIMK_SIGRTMIN), "SIGRTMIN");
	cr_assert_str_eq(sig_name(SIMK_SIGRTMIN + 2), "SIGRTMIN+2");
	cr_assert_str_eq(sig_name(64), "SIGRTMAX");
	cr_assert_str_eq(sig_name(0), "SIG?");
	cr_assert_eq(sig_from_name("USR1"), SIMK_SIGUSR1);
	cr_assert_eq(sig_from_name("SIGTERM"), SIMK_SIGTERM);
	cr_assert_eq(sig_from_name("sigio"), SIMK_SIGIO);
	cr_assert_eq(sig_from_name("RTMIN+2"), SIMK_SIGRTMIN + 2);
	cr_assert_eq(sig_from_name("NOPE"), 0);
	for (int i = 1; i <= SIMK_NSIG; i++)
		cr_assert_eq(sig_from_name(sig_name(i)), i, "%s", sig_name(i));
}

static void kill_self(void *arg)
{
	(void)arg;
	sig_kill_proc(sim_proc_current(), SIMK_SIGUSR1);
}

Test(signal, delivery_is_traced)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.keep_trace = true;
	struct simk *s = kt_sim_opts(&o);
	simk_thread_create(simk_proc_create(s, "p"), "t", kill_self, NULL);
	KT_RUN_PASS(s);
	int found = 0;
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type == TR_SIGNAL && e->a[0] == SIMK_SIGUSR1 && e->a[1] == 1)
			found++;
	}
	cr_assert_eq(found, 1);
	simk_destroy(s);
}
