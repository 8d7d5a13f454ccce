/* Scenario interpreter: control flow, variables, operations, finally,
 * switch points and run-to-run reset. */
#include <errno.h>

#include "scn_test.h"

#include "sim/fault.h"
#include "scn/scn_internal.h"

Test(scn_run, if_elif_else_takes_one_branch)
{
	assert_passes("shared hits = 0\nthread t\n"
		      "  repeat 4 as i\n"
		      "    if i == 0\n      hits += 1\n"
		      "    elif i == 1\n      hits += 10\n"
		      "    elif i == 2\n      hits += 100\n"
		      "    else\n      hits += 1000\n"
		      "  expect hits == 1111\n");
	assert_passes("thread t\n  local a = 0\n  if 0\n    a = 1\n  elif 0\n    a = 2\n"
		      "  expect a == 0\n");
}

Test(scn_run, while_with_break_and_continue)
{
	assert_passes("thread t\n  local i = 0\n  local odd = 0\n"
		      "  while 1\n"
		      "    i += 1\n"
		      "    if i > 9\n      break\n"
		      "    if i % 2 == 0\n      continue\n"
		      "    odd += 1\n"
		      "  expect i == 10 && odd == 5\n");
}

Test(scn_run, repeat_counts_and_nests)
{
	assert_passes("thread t\n  local n = 0\n"
		      "  repeat 3 as i\n    repeat i + 1 as j\n      n += j + 1\n"
		      "  expect n == 1 + 3 + 6\n"
		      "  repeat 0\n    expect 0\n"
		      "  repeat -5\n    expect 0\n"
		      "  repeat 4 as k\n    if k == 2\n      break\n    n -= 1\n"
		      "  expect n == 8\n");
}

Test(scn_run, locals_start_at_zero_and_shared_at_their_value)
{
	assert_passes("shared s = -3\nthread t\n  local a\n  expect a == 0 && s == -3\n");
}

Test(scn_run, shared_variables_are_shared_between_threads)
{
	assert_passes(
	    "shared n = 0\nthread a\n  n += 1\nthread b\n  n += 2\nfinally\n  expect n == 3\n");
}

Test(scn_run, finally_runs_after_every_thread_and_can_fail)
{
	struct scn_result r = scn_run_text("shared n = 0\nthread a\n  delay 5ms\n  n = 1\n"
					   "thread b\n  n = 2\nfinally\n  expect n == 2\n");
	cr_assert_eq(r.out, SIMK_FAIL_EXPECT, "%s", r.reason);
	cr_assert(strstr(r.reason, "t.scn:8:3: expect failed: n == 2 (1 == 2, n=1)") != NULL, "%s",
		  r.reason);
	cr_assert_eq(r.vtime_ns, 5000000);
}

Test(scn_run, sleep_times_out_in_virtual_time)
{
	struct scn_result r = scn_run_text("waitqueue wq\nthread t\n"
					   "  r = sleep wq timeout=3ms\n  expect r == -ETIMEDOUT\n"
					   "  t1 = now\n  expect t1 == 3ms\nshared r\nshared t1\n");
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
	cr_assert_eq(r.vtime_ns, 3000000);
}

Test(scn_run, wake_returns_the_number_woken)
{
	assert_passes("waitqueue wq\nshared woken = -1\nshared ready = 0\n"
		      "thread s1\n  ready += 1\n  sleep wq\n"
		      "thread s2\n  ready += 1\n  sleep wq\n"
		      "thread w\n  while ready < 2\n    yield\n  woken = wake wq\n"
		      "finally\n  expect woken == 2\n");
}

Test(scn_run, wake_one_wakes_one_exclusive_sleeper)
{
	assert_passes(
	    "waitqueue wq\nshared n = 0\nshared ready = 0\n"
	    "thread s1\n  ready += 1\n  r = sleep wq excl=1 timeout=1s\n"
	    "  if r == 0\n    n += 1\n"
	    "thread s2\n  ready += 1\n  r = sleep wq excl=1 timeout=1s\n"
	    "  if r == 0\n    n += 1\n"
	    "thread w\n  while ready < 2\n    yield\n  local k = wake_one wq\n  expect k == 1\n"
	    "finally\n  expect n == 1\nshared r\n");
}

Test(scn_run, delay_and_compute_move_virtual_time)
{
	struct scn_result r = scn_run_text("thread a\n  delay 2ms\n  compute 1ms\n  local t = now\n"
					   "  expect t == 3ms\n");
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
	cr_assert_eq(r.vtime_ns, 3000000);
}

Test(scn_run, negative_duration_panics_at_the_call)
{
	struct scn_result r = scn_run_text("thread a\n  local d = -1\n  delay d\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "t.scn:3:3: delay: negative duration -1") != NULL, "%s",
		  r.reason);
}

Test(scn_run, deadlock_is_reported)
{
	struct scn_result r = scn_run_text("waitqueue lonely\nthread t\n  sleep lonely\n");
	cr_assert_eq(r.out, SIMK_FAIL_DEADLOCK);
	cr_assert(strstr(r.reason, "lonely") != NULL, "%s", r.reason);
}

Test(scn_run, spinning_loop_hits_the_step_limit)
{
	struct scn_result r = scn_run_text("max_steps 500\nthread t\n  while 1\n    pass\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "step limit of 500") != NULL, "%s", r.reason);
	/* a loop on locals has no switch point, but counts its iterations */
	cr_assert(strstr(r.reason, "without a switch point") != NULL, "%s", r.reason);
	/* a loop made only of `continue` still counts */
	r = scn_run_text("max_steps 500\nthread t\n  repeat 1000000000\n    continue\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
}

Test(scn_run, gettid_and_getpid)
{
	assert_passes(
	    "process p\nthread a\n  local t = gettid\n  local q = getpid\n"
	    "  expect t == 1 && q == 1\n"
	    "thread b in p\n  local t = gettid\n  local q = getpid\n  expect t == 2 && q == 2\n");
}

static uint64_t hash_of(const struct scn_prog *p, uint64_t seed)
{
	struct scn_result r = scn_run_prog(p, seed, SIMK_POLICY_RANDOM, false);
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
	return r.hash;
}

Test(scn_run, one_program_many_runs_same_seed_same_hash)
{
	const char *text = "shared n = 0\nwaitqueue wq\n"
			   "thread a\n  repeat 5\n    n += 1\n    yield\n"
			   "thread b\n  repeat 5\n    n += 1\n    r = sleep wq timeout=1us\n"
			   "finally\n  expect n == 10\nshared r\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	uint64_t h7 = hash_of(p, 7);
	int distinct = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		uint64_t h = hash_of(p, seed);
		cr_assert_eq(h, hash_of(p, seed), "seed %llu", (unsigned long long)seed);
		distinct += h != h7;
	}
	cr_assert_eq(hash_of(p, 7), h7);
	cr_assert_gt(distinct, 5);
	scn_free(p);
}

static int count_events(struct simk *s, uint16_t type, const char *name)
{
	int n = 0;
	for (size_t i = 0; i < s->trace.len; i++)
		if (s->trace.evs[i].type == type &&
		    (name == NULL || strcmp(s->trace.evs[i].name, name) == 0))
			n++;
	return n;
}

Test(scn_run, calls_are_traced_syscalls_and_prints_user_events)
{
	const char *text = "shared x\nwaitqueue wq\nthread t\n  print \"hello\" 42\n"
			   "  x = sleep wq timeout=5\n  print x\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	struct simk_opts o;
	simk_opts_default(&o);
	o.keep_trace = true;
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s);
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	cr_assert_eq(count_events(s, TR_SYSCALL_ENTER, "sleep"), 1);
	cr_assert_eq(count_events(s, TR_SYSCALL_EXIT, "sleep"), 1);
	cr_assert_eq(count_events(s, TR_USER, "hello"), 1);
	cr_assert_eq(count_events(s, TR_USER, "x ="), 1);
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type == TR_SYSCALL_ENTER) {
			/* the object by declaration, then the named arguments given */
			char buf[128];
			trace_format_ev(e, buf, sizeof(buf));
			cr_assert_str_eq(buf, "sleep(wq, timeout=5ns)");
			cr_assert_eq(e->a[1], 5, "the timeout");
		}
		if (e->type == TR_SYSCALL_EXIT)
			cr_assert_eq(e->a[0], -ETIMEDOUT);
		if (e->type == TR_USER && strcmp(e->name, "hello") == 0)
			cr_assert_eq(e->a[0], 42);
		if (e->type == TR_USER && strcmp(e->name, "x") == 0)
			cr_assert_eq(e->a[0], -ETIMEDOUT);
	}
	simk_destroy(s);
	scn_free(p);
}

/* The lost-wakeup race exists only if the policy can switch between the
 * test and the sleep: some random seeds deadlock, fifo never does. */
Test(scn_run, test_then_sleep_is_a_switch_point)
{
	const char *text = "shared flag = 0\nwaitqueue wq\nthread waker\n  flag = 1\n  wake wq\n"
			   "thread waiter\n  if flag == 0\n    sleep wq\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	int deadlocks = 0;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		struct scn_result r = scn_run_prog(p, seed, SIMK_POLICY_RANDOM, false);
		cr_assert(r.out == SIMK_PASS || r.out == SIMK_FAIL_DEADLOCK, "%s", r.reason);
		deadlocks += r.out == SIMK_FAIL_DEADLOCK;
		cr_assert_eq(scn_run_prog(p, seed, SIMK_POLICY_FIFO, false).out, SIMK_PASS);
	}
	cr_assert_gt(deadlocks, 0);
	cr_assert_lt(deadlocks, 200);
	scn_free(p);
}

Test(scn_run, instantiate_twice_is_refused)
{
	const char *text = "thread t\n  pass\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	struct simk_opts o;
	simk_opts_default(&o);
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), 0);
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "already loaded") != NULL, "%s", err);
	cr_assert_eq(simk_run(s), SIMK_PASS);
	simk_destroy(s);
	scn_free(p);
}

Test(scn_run, scenario_fault_spec_is_enabled)
{
	/* kmem/alloc/enomem with p=1 would fail any allocation; the spec is
	 * enabled at instantiate time and shows in the fault table */
	const char *text = "fault some/point:nth=1\nthread t\n  pass\n";
	sim_fault_declare("some/point"); /* a point of this test's own */
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	struct simk_opts o;
	simk_opts_default(&o);
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), 0, "%s", err);
	cr_assert(sim_fault("some/point"));
	cr_assert(!sim_fault("some/point"));
	cr_assert_eq(sim_fault_hits("some/point"), 2);
	cr_assert_eq(simk_run(s), SIMK_PASS);
	simk_destroy(s);
	scn_free(p);
}

/* ---- operations over kern ---------------------------------------------- */

Test(scn_ops, trylock_reports_whether_it_got_the_mutex)
{
	assert_passes("mutex m\nthread a\n  local r = trylock m\n  expect r == 1\n"
		      "  r = trylock m\n  expect r == 0\n  unlock m\n");
}

Test(scn_ops, a_thread_exiting_with_a_mutex_is_a_panic_naming_where_it_took_it)
{
	/* it was "KASSERT(m->owner == NULL) at kern/mutex.c:32" at the end */
	struct scn_result r = scn_run_text("mutex m\nthread a\n  lock m\n  pass\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert_str_eq(r.reason, "thread a (tid 1) exited holding mutex m (acquired at t.scn:3:3)");
	/* a hand-off, a trylock and a cv_wait record the statement that got it */
	r = scn_run_text("mutex m\nmutex n\ncv c\nshared go = 0\n"
			 "thread a\n  lock m\n  delay 1ms\n  unlock m\n  lock n\n"
			 "  while go == 0\n    cv_wait c n\n  unlock n\n"
			 "thread b\n  local r = trylock n\n  expect r == 1\n  unlock n\n"
			 "  lock m\n  go = 1\n  cv_signal c\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC, "%s", r.reason);
	cr_assert_str_eq(r.reason, "thread b (tid 2) exited holding mutex m (acquired at t.scn:17:3)");
	r = scn_run_text("mutex m\nthread a\n  local r = trylock m\n");
	cr_assert_str_eq(r.reason, "thread a (tid 1) exited holding mutex m (acquired at t.scn:3:3)");
	/* a cv_wait gives it back and takes it again: the lock statement is named */
	r = scn_run_text("mutex m\ncv c\nthread a\n  lock m\n  cv_wait c m timeout=1ms\n");
	cr_assert_str_eq(r.reason, "thread a (tid 1) exited holding mutex m (acquired at t.scn:4:3)");
}

Test(scn_ops, cv_wait_times_out_and_keeps_the_mutex)
{
	struct scn_result r = scn_run_text("mutex m\ncv c\nthread a\n  lock m\n"
					   "  local r = cv_wait c m timeout=2ms\n"
					   "  expect r == -ETIMEDOUT\n  unlock m\n");
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
	cr_assert_eq(r.vtime_ns, 2000000);
}

Test(scn_ops, cv_broadcast_wakes_every_waiter)
{
	assert_passes(
	    "mutex m\ncv c\nshared go = 0\nshared n = 0\n"
	    "thread w1\n  lock m\n  while go == 0\n    cv_wait c m\n  n += 1\n  unlock m\n"
	    "thread w2\n  lock m\n  while go == 0\n    cv_wait c m\n  n += 1\n  unlock m\n"
	    "thread b\n  delay 1ms\n  lock m\n  go = 1\n  cv_broadcast c\n  unlock m\n"
	    "finally\n  expect n == 2\n");
}

Test(scn_ops, spawn_join_and_exit_codes)
{
	assert_passes("thread boss\n  local t = spawn w\n  expect t == 2\n  local c = join t\n"
		      "  expect c == 5\n  c = join t\n  expect c == -EINVAL\n"
		      "  c = join 99\n  expect c == -ESRCH\n"
		      "thread w manual\n  thread_exit 5\n");
}

Test(scn_ops, join_of_self_is_einval)
{
	assert_passes(
	    "thread a\n  local me = gettid\n  local c = join me\n  expect c == -EINVAL\n");
}

Test(scn_ops, kill_a_thread_that_never_started_is_esrch)
{
	assert_passes("thread a\n  local r = kill w SIGUSR1\n  expect r == -ESRCH\n"
		      "  r = tkill 77 SIGUSR1\n  expect r == -ESRCH\n"
		      "  r = kill_pid 77 SIGUSR1\n  expect r == -ESRCH\n"
		      "  r = kill a 65\n  expect r == -EINVAL\n"
		      "  r = kill a 0\n  expect r == 0\n" /* signal 0 only checks the target */
		      "thread w manual\n  pass\n");
}

Test(scn_ops, blocked_signal_does_not_interrupt)
{
	struct scn_result r = scn_run_text(
	    "waitqueue wq\nthread s\n  sigblock SIGUSR1\n  local r = sleep wq intr=1 timeout=5ms\n"
	    "  expect r == -ETIMEDOUT\n  local p = sigpending SIGUSR1\n  expect p == 1\n"
	    "  sigunblock SIGUSR1\n"
	    "  r = delay 1ms intr=1\n  expect r == -EINTR\n  local sig = sigtake\n"
	    "  expect sig == SIGUSR1\n  sig = sigtake\n  expect sig == 0\n"
	    "thread k\n  delay 1ms\n  kill s SIGUSR1\n");
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
}

Test(scn_ops, exit_ends_the_other_threads_of_the_process)
{
	/* the spinner never blocks: SIGKILL ends it at its next switch point
	 * (it burns CPU time, or the clock would never reach a's timer, and
	 * yields, or fifo would never run a again) */
	struct scn_result r =
	    scn_run_text("shared spins = 0\nthread a\n  delay 1ms\n  exit 2\n"
			 "  expect 0\nthread spinner\n  while 1\n    spins += 1\n"
			 "    compute 100us\n    yield\nfinally\n  expect spins >= 10\n");
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
}

Test(scn_ops, fork_wait_and_status)
{
	assert_passes(
	    "shared ran = 0\nthread p\n  local pid = fork c\n  expect pid == 2\n"
	    "  local st = 0\n  local r = wait status=st\n  expect r == pid && st == 9 << 8\n"
	    "  expect ran == 1\n  r = wait -1\n  expect r == -ECHILD\n"
	    "  local pp = getppid\n  expect pp == 0\n"
	    "thread c manual\n  ran = 1\n  local pp = getppid\n  expect pp == 1\n  exit 9\n");
}

Test(scn_ops, lock_intr_is_interrupted_by_a_signal)
{
	assert_passes(
	    "mutex m\nthread holder\n  lock m\n  delay 5ms\n  unlock m\n"
	    "thread locker\n  delay 1ms\n  local r = lock m intr=1\n  expect r == -EINTR\n"
	    "thread k\n  delay 2ms\n  kill locker SIGUSR1\n");
}
