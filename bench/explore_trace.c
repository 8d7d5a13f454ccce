/*
 * explore_trace: what causality costs an exploration. The same seeds of a
 * small scenario, explored two ways: the cheapest recording `simk explore`
 * uses (the hash only) and full recording (every event kept, then the
 * happens-before edges built, as a failing run's "how we got here" does:
 * docs/tracing.md). Measured alternately A B A B; the report is the median
 * of the per-pair ratios (full / cheapest time) and their spread.
 */
#include <stdlib.h>

#include "bench/bench.h"
#include "scn/scn.h"
#include "sim/engine.h"
#include "sim/trace_cause.h"
#include "syscalls/builtin.h"

#define RUNS 5000
#define PAIRS 5

static double explore(const struct scn_prog *prog, bool full, uint64_t first_seed)
{
	double t0 = bench_now();
	for (uint64_t seed = first_seed; seed < first_seed + RUNS; seed++) {
		struct simk_opts o;
		simk_opts_default(&o);
		scn_apply_options(prog, &o);
		o.seed = seed;
		o.policy = SIMK_POLICY_RANDOM;
		o.keep_trace = full;
		char err[256];
		struct simk *s = simk_create(&o, err, sizeof(err));
		if (s == NULL || scn_instantiate(s, prog, err, sizeof(err)) != 0) {
			fprintf(stderr, "explore_trace: %s\n", err);
			exit(1);
		}
		simk_run(s);
		if (full) {
			struct trace_causes c;
			if (trace_causes_build(s->trace.evs, s->trace.len, &c) == 0)
				trace_causes_free(&c);
		}
		simk_destroy(s);
	}
	return bench_now() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench/explore_small.scn";
	char err[256];
	simk_register_builtin();
	struct scn_prog *prog = scn_load(path, err, sizeof(err));
	if (prog == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double ratio[PAIRS], cheap_best = 1e300;
	for (int i = 0; i < PAIRS; i++) {
		double a = explore(prog, false, 1);
		double b = explore(prog, true, 1);
		ratio[i] = b / a;
		if (a < cheap_best)
			cheap_best = a;
	}
	qsort(ratio, PAIRS, sizeof(ratio[0]), cmp);
	printf("# explore_trace: full recording + causality / hash only, median of %d pairs, "
	       "spread %.3f..%.3f; hash only: %.0f runs/s\n",
	       PAIRS, ratio[0], ratio[PAIRS - 1], RUNS / cheap_best);
	bench_report("explore_trace", ratio[PAIRS / 2], "x", 1.0);
	scn_free(prog);
	return 0;
}
