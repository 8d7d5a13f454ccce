/*
 * explore_trace: what causality costs an exploration (issue 15). The same
 * seeds of a small scenario, explored two ways: the cheapest recording
 * `simk explore` uses (the hash only, as explore runs: no ring of the last
 * events) and full recording (every event kept, then the happens-before
 * edges built, as a failing run's "how we got here" does: docs/tracing.md).
 * Alternated A B A B in CPU time (bench/bench.h); the ratio is full /
 * cheapest. A second line states the cheapest recording's rate in runs
 * per CPU second — explore's own loop, which issue 15 wants at 100,000 or
 * more for this scenario.
 */
#include <stdlib.h>

#include "bench/bench.h"
#include "bench/bench_sim.h"
#include "scn/scn.h"
#include "sim/engine.h"
#include "sim/trace_cause.h"
#include "syscalls/builtin.h"

#define RUNS 4000

struct state {
	const struct scn_prog *prog;
	double best_cheap_ns; /* the lowest per-run cost of the hash-only rounds */
};

static double explore(struct state *st, bool full)
{
	double t0 = bench_cpu();
	for (uint64_t seed = 1; seed <= RUNS; seed++) {
		struct simk_opts o;
		simk_opts_default(&o);
		scn_apply_options(st->prog, &o);
		o.seed = seed;
		o.policy = SIMK_POLICY_RANDOM;
		o.keep_trace = full;
		o.trace_tail_off = !full;
		struct simk *s = bench_sim_run("explore_trace", st->prog, &o, false);
		if (full) {
			struct trace_causes c;
			if (trace_causes_build(s->trace.evs, s->trace.len, &c) == 0)
				trace_causes_free(&c);
		}
		simk_destroy(s);
	}
	return (bench_cpu() - t0) * 1e9 / RUNS;
}

static double cheapest(void *arg)
{
	struct state *st = arg;
	double ns = explore(st, false);
	if (st->best_cheap_ns == 0 || ns < st->best_cheap_ns)
		st->best_cheap_ns = ns;
	return ns;
}

static double full(void *arg)
{
	return explore(arg, true);
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
	struct state st = {prog, 0};
	printf("# explore_trace: %s, %d seeds a round; baseline: the hash only (explore), subject: "
	       "every event kept and the happens-before edges built\n",
	       path, RUNS);
	bench_ab_run("explore_trace", "ns/run", bench_rounds(), cheapest, full, &st);
	printf("# explore_trace: the hash only runs at %.0f runs per CPU second (best round)\n",
	       1e9 / st.best_cheap_ns);
	scn_free(prog);
	return 0;
}
