/*
 * scaling: the cost per operation at 20,000 against the cost at 2,000 —
 * a ratio near 1 means the work is proportional to what is asked. Three
 * workloads (scenarios, parsed once):
 *   kq_register_20k   20,000 EVFILT_USER registrations on one kqueue
 *                     (was 325 s: a fixed lookup table and a walk over
 *                     every knote after each call)
 *   threads_pct_20k   20,000 threads runnable at once, each yielding,
 *                     under pct (was 140 s: a walk of the run queue at
 *                     every decision) — cost per decision
 *   threads_random_20k  the same under random (walked to a random position)
 * Each is CPU time (not wall time: the machine is shared), measured A B A B
 * (small, large, small, large...) with bench/bench.h: the medians, the
 * median of the per-pair ratios and their spread (lowest..highest).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "bench/bench_sim.h"
#include "scn/scn.h"
#include "sim/ctx.h"
#include "sim/engine.h"
#include "syscalls/builtin.h"

#define SMALL 2000
#define LARGE 20000

static struct scn_prog *prog_of(const char *text)
{
	char err[512];
	struct scn_prog *p = scn_parse("scaling.scn", text, strlen(text), err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "scaling: %s\n", err);
		exit(1);
	}
	return p;
}

/* CPU microseconds per unit of one run (units: registrations or decisions). */
static double per_unit(const struct scn_prog *p, enum simk_policy pol, int n, bool per_decision)
{
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	o.policy = pol;
	o.pct_steps = 4 * (uint64_t)n;
	double t0 = bench_cpu();
	struct simk *s = bench_sim_run("scaling", p, &o, true);
	uint64_t units = per_decision ? simk_steps(s) : (uint64_t)n;
	simk_destroy(s);
	ctx_stack_pool_drain();
	return (bench_cpu() - t0) * 1e6 / (double)(units ? units : 1);
}

struct measure {
	struct scn_prog *p[2];
	enum simk_policy pol;
	bool per_decision;
};

static double small_fn(void *arg)
{
	struct measure *m = arg;
	return per_unit(m->p[0], m->pol, SMALL, m->per_decision);
}

static double large_fn(void *arg)
{
	struct measure *m = arg;
	return per_unit(m->p[1], m->pol, LARGE, m->per_decision);
}

static void measure(const char *name, const char *fmt, enum simk_policy pol, bool per_decision)
{
	char text[2][1024];
	struct measure m = {.pol = pol, .per_decision = per_decision};
	for (int i = 0; i < 2; i++) {
		snprintf(text[i], sizeof(text[i]), fmt, i == 0 ? SMALL : LARGE,
			 i == 0 ? SMALL : LARGE);
		m.p[i] = prog_of(text[i]);
	}
	int rounds = bench_rounds() < 5 ? bench_rounds() : 5;
	bench_ab_run(name, per_decision ? "us/decision" : "us/op", rounds, small_fn, large_fn, &m);
	printf("# %s: baseline the same at %d, subject at %d\n", name, SMALL, LARGE);
	scn_free(m.p[0]);
	scn_free(m.p[1]);
}

int main(void)
{
	simk_register_builtin();
	measure("kq_register_20k",
		"thread t\n"
		"  local kq = kqueue\n"
		"  repeat %d as i\n"
		"    local r = kevent_add kq i EVFILT_USER\n"
		"  local n = kq_knotes\n"
		"  expect n == %d\n"
		"  n = close kq\n",
		SIMK_POLICY_FIFO, false);
	/* every worker waits until the boss has made them all, then they are
	 * runnable at once and yield twice each. A completion, not a flag and
	 * a wait queue: a worker that tests the flag, misses the wake-up and
	 * sleeps out a timeout turned the small run into a million one-thread
	 * decisions of the boss's polling (its cost per decision then said
	 * nothing), and at 1ms timeouts the large one never ended */
	const char *threads = "shared done = 0\ncompletion go\n"
			      "thread boss\n"
			      "  repeat %d\n"
			      "    local t = spawn w\n"
			      "  local r = complete_all go\n"
			      "  while done < %d\n"
			      "    delay 1us\n"
			      "thread w manual\n"
			      "  local r = wait_for_completion go\n"
			      "  yield\n"
			      "  yield\n"
			      "  done += 1\n";
	measure("threads_pct_20k", threads, SIMK_POLICY_PCT, true);
	measure("threads_random_20k", threads, SIMK_POLICY_RANDOM, true);
	return 0;
}
