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
 * (small, large, small, large...) REPS times; the reported ratio is the
 * median of the per-pair ratios, with their spread (max - min) after it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "scn/scn.h"
#include "sim/ctx.h"
#include "sim/engine.h"

#define SMALL 2000
#define LARGE 20000
#define REPS 5

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/* CPU seconds per unit of one run (units: registrations or decisions). */
static double per_unit(const struct scn_prog *p, enum simk_policy pol, int n, bool per_decision)
{
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	o.policy = pol;
	o.pct_steps = 4 * (uint64_t)n;
	char err[256];
	double t0 = cpu_now();
	struct simk *s = simk_create(&o, err, sizeof(err));
	if (s == NULL || scn_instantiate(s, p, err, sizeof(err)) != 0) {
		fprintf(stderr, "scaling: %s\n", err);
		exit(1);
	}
	if (simk_run(s) != SIMK_PASS) {
		fprintf(stderr, "scaling: run failed: %s\n", simk_failure_reason(s));
		exit(1);
	}
	uint64_t units = per_decision ? simk_steps(s) : (uint64_t)n;
	simk_destroy(s);
	ctx_stack_pool_drain();
	return (cpu_now() - t0) / (double)(units ? units : 1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void measure(const char *name, const char *fmt, enum simk_policy pol, bool per_decision)
{
	char text[2][1024];
	struct scn_prog *p[2];
	for (int i = 0; i < 2; i++) {
		snprintf(text[i], sizeof(text[i]), fmt, i == 0 ? SMALL : LARGE, i == 0 ? SMALL : LARGE);
		p[i] = prog_of(text[i]);
	}
	double ratio[REPS], small_best = 1e300, large_best = 1e300;
	for (int r = 0; r < REPS; r++) {
		double a = per_unit(p[0], pol, SMALL, per_decision);
		double b = per_unit(p[1], pol, LARGE, per_decision);
		ratio[r] = b / a;
		small_best = a < small_best ? a : small_best;
		large_best = b < large_best ? b : large_best;
	}
	qsort(ratio, REPS, sizeof(ratio[0]), cmp_double);
	const char *unit = per_decision ? "us/decision" : "us/op";
	printf("bench %s %.3f %s baseline=%.3f ratio=%.3f spread=%.3f (median of %d A/B pairs, "
	       "baseline: %d)\n",
	       name, large_best * 1e6, unit, small_best * 1e6, ratio[REPS / 2],
	       ratio[REPS - 1] - ratio[0], REPS, SMALL);
	fflush(stdout);
	scn_free(p[0]);
	scn_free(p[1]);
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
	/* every worker sleeps until the boss has made them all, then they are
	 * runnable at once and yield twice each */
	const char *threads = "shared go = 0\nshared done = 0\nwaitqueue wq\n"
			      "thread boss\n"
			      "  repeat %d\n"
			      "    local t = spawn w\n"
			      "  go = 1\n"
			      "  local r = wake wq\n"
			      "  while done < %d\n"
			      "    delay 1us\n"
			      "thread w manual\n"
			      "  while go == 0\n"
			      "    local r = sleep wq timeout=1ms\n"
			      "  yield\n"
			      "  yield\n"
			      "  done += 1\n";
	measure("threads_pct_20k", threads, SIMK_POLICY_PCT, true);
	measure("threads_random_20k", threads, SIMK_POLICY_RANDOM, true);
	return 0;
}
