/* kern/proc: fork, exit, wait, zombies, orphans, join, observers, hooks. */
#include "kern_test.h"

#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/umem.h"
#include "kern/waitq.h"

static struct waitq wq;
static int child_pid;
static bool zombie_before_wait;
static bool zombie_after_wait;
static int wait_r, wait_status, wait_again;
static int ppid_seen;

struct obs_ev {
	int pid;
	enum proc_event ev;
	int arg;
};
static struct obs_ev obs[16];
static int nobs;

static void observer(struct simk_proc *p, enum proc_event ev, int arg)
{
	if (nobs < 16)
		obs[nobs++] = (struct obs_ev){p->pid, ev, arg};
}

static void child_exit7(void *arg)
{
	(void)arg;
	ppid_seen = proc_ppid(sim_proc_current());
	proc_exit(7);
}

static void parent_yields_then_waits(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", child_exit7, NULL);
	for (int i = 0; i < 3; i++)
		sim_yield(); /* the child runs and dies */
	zombie_before_wait = proc_is_zombie(sim_proc_by_pid(child_pid));
	wait_r = proc_wait(child_pid, &wait_status);
	zombie_after_wait = proc_is_zombie(sim_proc_by_pid(child_pid));
	wait_again = proc_wait(-1, NULL);
}

Test(proc, fork_exit_zombie_until_wait_reaps)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	nobs = 0;
	proc_register_observer(observer);
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_yields_then_waits, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(child_pid, 2);
	cr_assert_eq(ppid_seen, 1);
	cr_assert(zombie_before_wait);
	cr_assert_eq(wait_r, child_pid);
	cr_assert_eq(wait_status, SIMK_W_EXITED(7)); /* a wait(2) status word */
	cr_assert(simk_wifexited(wait_status) && simk_wexitstatus(wait_status) == 7);
	cr_assert(!zombie_after_wait);
	cr_assert_eq(wait_again, -ECHILD);
	/* observers: fork (on the parent), exit of the child, exit of the parent */
	cr_assert_geq(nobs, 2);
	cr_assert_eq(obs[0].pid, 1);
	cr_assert_eq(obs[0].ev, PROC_EV_FORK);
	cr_assert_eq(obs[0].arg, 2);
	cr_assert_eq(obs[1].pid, 2);
	cr_assert_eq(obs[1].ev, PROC_EV_EXIT);
	cr_assert_eq(obs[1].arg, SIMK_W_EXITED(7));
	simk_destroy(s);
}

/* A child that ends on SIGKILL (as a scenario thread does at its next
 * switch point) dies of the signal: its wait(2) status says so. */
static void child_until_killed(void *arg)
{
	(void)arg;
	struct simk_thread *self = sim_thread_current();
	while (!sig_pending(self, SIMK_SIGKILL))
		waitq_sleep(&wq, false, true, 1000);
	proc_thread_killed(SIMK_SIGKILL);
}

static void parent_kills_then_waits(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", child_until_killed, NULL);
	sim_yield();
	cr_assert_eq(sig_kill_proc(sim_proc_by_pid(child_pid), SIMK_SIGKILL), 0);
	wait_r = proc_wait(child_pid, &wait_status);
}

Test(proc, a_process_killed_by_a_signal_has_a_signaled_wait_status)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	wait_status = -1;
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_kills_then_waits, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(wait_r, child_pid);
	cr_assert_eq(wait_status, SIMK_W_SIGNALED(SIMK_SIGKILL));
	cr_assert(simk_wifsignaled(wait_status) && !simk_wifexited(wait_status));
	cr_assert_eq(simk_wtermsig(wait_status), SIMK_SIGKILL);
	simk_destroy(s);
}

/* exit() decides the status even though the other threads end on the
 * SIGKILL it sends them; the second exit() changes nothing. */
static void exits_3(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, true, 500);
	proc_exit(3);
}

static void child_two_exits(void *arg)
{
	(void)arg;
	kthread_create(sim_proc_current(), "other", exits_3, NULL, false);
	proc_exit(4);
}

static void parent_forks_two_exits(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", child_two_exits, NULL);
	wait_r = proc_wait(child_pid, &wait_status);
}

Test(proc, the_first_exit_decides_the_status)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_forks_two_exits, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(wait_r, child_pid);
	cr_assert_eq(wait_status, SIMK_W_EXITED(4));
	simk_destroy(s);
}

static void child_sleeps_then_returns(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 1000);
}

static void parent_waits_at_once(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", child_sleeps_then_returns, NULL);
	wait_r = proc_wait(-1, &wait_status);
}

Test(proc, wait_sleeps_until_a_child_exits)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	wait_status = -1;
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_waits_at_once, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(wait_r, child_pid);
	cr_assert_eq(wait_status, 0);
	cr_assert_eq(simk_vtime_ns(s), 1000);
	simk_destroy(s);
}

static void lonely_waiter(void *arg)
{
	(void)arg;
	wait_r = proc_wait(-1, NULL);
	wait_again = proc_wait(42, NULL);
}

Test(proc, wait_without_children_returns_echild)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "main", lonely_waiter, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(wait_r, -ECHILD);
	cr_assert_eq(wait_again, -ECHILD);
	simk_destroy(s);
}

static void child_sleeps_long(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 5000);
}

static void parent_interrupted(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", child_sleeps_long, NULL);
	wait_r = proc_wait(child_pid, NULL);
	sig_dequeue(NULL);
	wait_again = proc_wait(child_pid, &wait_status);
}

static void poker(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 100);
	sig_kill_proc(sim_proc_by_pid(1), SIMK_SIGUSR1);
}

Test(proc, wait_is_interrupted_by_a_signal)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_interrupted, NULL);
	simk_thread_create(simk_proc_create(s, "poker"), "poker", poker, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(wait_r, -EINTR);
	cr_assert_eq(wait_again, child_pid);
	simk_destroy(s);
}

static bool orphan_zombie;
static int orphan_ppid;

static void orphan_child(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 1000); /* the parent dies meanwhile */
	orphan_ppid = proc_ppid(sim_proc_current());
}

static void short_parent(void *arg)
{
	(void)arg;
	child_pid = proc_fork("orphan", orphan_child, NULL);
}

static void checker(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 2000);
	orphan_zombie = proc_is_zombie(sim_proc_by_pid(child_pid));
}

Test(proc, orphan_is_reparented_and_reaped_at_death)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	orphan_ppid = -1;
	simk_thread_create(simk_proc_create(s, "parent"), "main", short_parent, NULL);
	simk_thread_create(simk_proc_create(s, "checker"), "checker", checker, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(orphan_ppid, 0);
	cr_assert(!orphan_zombie);
	simk_destroy(s);
}

static int hook_calls;
static int hook_parent, hook_child;
static int hook_errno;
static bool child_ran;

static int fork_hook(struct simk_proc *parent, struct simk_proc *child)
{
	hook_calls++;
	hook_parent = parent->pid;
	hook_child = child->pid;
	return hook_errno;
}

static void marks_ran(void *arg)
{
	(void)arg;
	child_ran = true;
}

static void forker(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", marks_ran, NULL);
	wait_r = proc_wait(-1, NULL);
}

Test(proc, fork_hook_sees_parent_and_child)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	hook_calls = 0;
	hook_errno = 0;
	proc_register_fork_hook(fork_hook);
	simk_thread_create(simk_proc_create(s, "parent"), "main", forker, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(hook_calls, 1);
	cr_assert_eq(hook_parent, 1);
	cr_assert_eq(hook_child, child_pid);
	cr_assert(child_ran);
	cr_assert_eq(wait_r, child_pid);
	simk_destroy(s);
}

Test(proc, failing_fork_hook_fails_the_fork_and_the_child_never_runs)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	hook_calls = 0;
	hook_errno = -EMFILE;
	child_ran = false;
	nobs = 0;
	proc_register_fork_hook(fork_hook);
	proc_register_observer(observer);
	simk_thread_create(simk_proc_create(s, "parent"), "main", forker, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(child_pid, -EMFILE);
	cr_assert(!child_ran);
	cr_assert_eq(wait_r, -ECHILD, "a failed child is not waitable");
	for (int i = 0; i < nobs; i++)
		cr_assert_neq(obs[i].ev, PROC_EV_FORK);
	simk_destroy(s);
}

static int victim_r;
static int victim_done;

static void other_thread(void *arg)
{
	(void)arg;
	victim_r = waitq_sleep(&wq, false, true, SIMK_FOREVER);
	victim_done = 1;
}

static void exiting_child(void *arg)
{
	(void)arg;
	kthread_create(sim_proc_current(), "other", other_thread, NULL, false);
	sim_yield(); /* other sleeps */
	proc_exit(5);
}

static void parent_of_exiting(void *arg)
{
	(void)arg;
	child_pid = proc_fork("child", exiting_child, NULL);
	wait_r = proc_wait(child_pid, &wait_status);
}

Test(proc, exit_ends_other_threads_through_sigkill)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	victim_done = 0;
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_of_exiting, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(victim_r, -EINTR);
	cr_assert_eq(victim_done, 1);
	cr_assert_eq(wait_r, child_pid);
	cr_assert_eq(wait_status, SIMK_W_EXITED(5));
	simk_destroy(s);
}

static int join_r, join_code, join_self, join_twice;
static struct simk_thread *joinee;

static void exits_42(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 300);
	sim_thread_exit(42);
}

static void joiner(void *arg)
{
	(void)arg;
	joinee = kthread_create(sim_proc_current(), "joinee", exits_42, NULL, false);
	join_self = kthread_join(sim_thread_current(), NULL);
	join_r = kthread_join(joinee, &join_code);
	join_twice = kthread_join(joinee, NULL);
}

Test(proc, join_waits_for_exit_and_returns_the_code)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	simk_thread_create(simk_proc_create(s, "p"), "joiner", joiner, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(join_self, -EINVAL);
	cr_assert_eq(join_r, 0);
	cr_assert_eq(join_code, 42);
	cr_assert_eq(join_twice, -EINVAL);
	cr_assert_eq(simk_vtime_ns(s), 300);
	simk_destroy(s);
}

static void exits_at_once(void *arg)
{
	(void)arg;
	sim_thread_exit(9);
}

static void late_joiner(void *arg)
{
	(void)arg;
	joinee = kthread_create(sim_proc_current(), "quick", exits_at_once, NULL, false);
	sim_yield(); /* it exits first */
	join_r = kthread_join(joinee, &join_code);
}

Test(proc, join_of_an_exited_thread_returns_at_once)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "joiner", late_joiner, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(join_r, 0);
	cr_assert_eq(join_code, 9);
	simk_destroy(s);
}

static void joins_last_thread_of_a_process(void *arg)
{
	struct simk_thread *t = arg;
	join_r = kthread_join(t, &join_code);
}

static void child_returns_3(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 50);
	sim_thread_exit(3);
}

Test(proc, join_across_processes_under_random_schedules)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk *s = kt_sim(SIMK_POLICY_RANDOM, seed);
		waitq_init(&wq, "wq");
		join_r = -1;
		struct simk_thread *t =
		    simk_thread_create(simk_proc_create(s, "a"), "a", child_returns_3, NULL);
		simk_thread_create(simk_proc_create(s, "b"), "b", joins_last_thread_of_a_process,
				   t);
		KT_RUN_PASS(s);
		cr_assert_eq(join_r, 0, "seed %llu", (unsigned long long)seed);
		cr_assert_eq(join_code, 3);
		simk_destroy(s);
	}
}

static uaddr_t shared_addr;
static char child_saw[16];
static char parent_after[16];

static void umem_child(void *arg)
{
	(void)arg;
	copyin(shared_addr, child_saw, sizeof(child_saw));
	copyout("child-wrote", shared_addr, 12);
}

static void umem_parent(void *arg)
{
	(void)arg;
	shared_addr = umem_alloc(sim_proc_current(), 64);
	copyout("parent-data", shared_addr, 12);
	int pid = proc_fork("child", umem_child, NULL);
	proc_wait(pid, NULL);
	copyin(shared_addr, parent_after, sizeof(parent_after));
}

Test(proc, fork_copies_user_memory)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "parent"), "main", umem_parent, NULL);
	KT_RUN_PASS(s);
	cr_assert_str_eq(child_saw, "parent-data");
	cr_assert_str_eq(parent_after, "parent-data");
	simk_destroy(s);
}

static void exec_user(void *arg)
{
	(void)arg;
	proc_exec(sim_proc_current(), "newimage");
}

Test(proc, exec_renames_and_notifies)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	nobs = 0;
	proc_register_observer(observer);
	struct simk_proc *p = simk_proc_create(s, "old");
	simk_thread_create(p, "main", exec_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_str_eq(p->name, "newimage");
	cr_assert_eq(obs[0].ev, PROC_EV_EXEC);
	cr_assert_eq(obs[0].pid, 1);
	simk_destroy(s);
}

static void no_kernel_use(void *arg)
{
	(void)arg;
}

Test(proc, kernel_process_is_made_on_first_use_only)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	struct simk_proc *p = simk_proc_create(s, "p");
	cr_assert_eq(p->pid, 1);
	simk_thread_create(p, "t", no_kernel_use, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(s->nprocs, 1, "a run that never needed kernel threads got a process");
	simk_destroy(s);
}

/* A later layer whose proc_exit hook sleeps (as closing files may): the
 * exiting thread is not a zombie yet while joiners and waiters already
 * run. They must not miss its exit. */
static void sleepy_proc_exit(struct simk_proc *p)
{
	if (strcmp(p->name, "slowexit") == 0)
		waitq_sleep(&wq, false, false, 100);
}

static const struct sim_subsys sleepy_subsys = {
    .name = "test-sleepy-exit",
    .proc_exit = sleepy_proc_exit,
};

static void slow_child(void *arg)
{
	(void)arg;
	waitq_sleep(&wq, false, false, 10); /* the joiner waits first */
	sim_thread_exit(6);
}

static void slow_parent(void *arg)
{
	(void)arg;
	child_pid = proc_fork("slowexit", slow_child, NULL);
	wait_r = proc_wait(child_pid, &wait_status);
}

Test(proc, join_survives_exit_hooks_that_sleep)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	sim_subsys_register(&sleepy_subsys); /* after create: its hook runs first */
	waitq_init(&wq, "wq");
	join_r = -1;
	struct simk_proc *victim = simk_proc_create(s, "slowexit");
	struct simk_thread *t = kthread_create(victim, "joinee", slow_child, NULL, false);
	simk_thread_create(simk_proc_create(s, "j"), "joiner", joins_last_thread_of_a_process, t);
	KT_RUN_PASS(s);
	cr_assert_eq(join_r, 0);
	cr_assert_eq(join_code, 6);
	cr_assert_eq(simk_vtime_ns(s), 110);
	simk_destroy(s);
}

Test(proc, wait_survives_exit_hooks_that_sleep)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	sim_subsys_register(&sleepy_subsys);
	waitq_init(&wq, "wq");
	wait_r = -1;
	simk_thread_create(simk_proc_create(s, "parent"), "main", slow_parent, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(wait_r, child_pid);
	cr_assert_eq(wait_status, SIMK_W_EXITED(6));
	simk_destroy(s);
}

/* The waitpid system call stores the wait(2) status word as proc_wait
 * makes it (Linux's encoding), not shifted again: an exit(5) reads back
 * as 5 << 8, a death by SIGKILL as 9. */
static int sys_status_exit, sys_status_killed;
static int ust[1024] __attribute__((aligned(4096))); /* user memory: an identity page */

static void child_exit5(void *arg)
{
	(void)arg;
	proc_exit(5);
}

static void parent_waitpid_syscall(void *arg)
{
	(void)arg;
	/* both children first: a fork copies user memory, which an identity
	 * region is not (umem_fork refuses it) */
	int pid1 = proc_fork("child", child_exit5, NULL);
	int pid2 = proc_fork("child", child_until_killed, NULL);
	struct simk_proc *self = sim_proc_current();
	cr_assert_eq(umem_map_identity(self, ust, sizeof(ust), UMEM_PROT_READ | UMEM_PROT_WRITE,
				       "st", NULL, NULL),
		     0);
	simk_uaddr_t st = (simk_uaddr_t)(uintptr_t)&ust[0];
	int w = simk_waitpid(pid1, st, 0);
	cr_assert_eq(w, pid1, "waitpid = %d", w);
	sys_status_exit = ust[0];
	cr_assert_eq(sig_kill_proc(sim_proc_by_pid(pid2), SIMK_SIGKILL), 0);
	cr_assert_eq(simk_waitpid(-1, st, 0), pid2);
	sys_status_killed = ust[0];
	(void)umem_unmap_identity(self, ust);
}

Test(proc, waitpid_syscall_stores_the_linux_status_word)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	simk_thread_create(simk_proc_create(s, "parent"), "main", parent_waitpid_syscall, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(sys_status_exit, 5 << 8);
	cr_assert_eq(sys_status_killed, SIMK_SIGKILL);
	simk_destroy(s);
}
