/*
 * explore_small: the host CPU time of one run of a small scenario (two
 * threads, about twenty switches) as `simk explore` makes it — parse once;
 * per seed: create the simulation, instantiate the scenario, run, destroy —
 * against the cost of that run's context switches: its switches times one
 * raw switch (the bare assembly routine, simk_ctx_swap), measured in the
 * same round. The ratio says how far a run is from the floor its switches
 * set; the goal is at most 8 (docs/bench.md).
 */
#include <stdint.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "bench/bench_sim.h"
#include "sim/ctx.h"
#include "sim/engine.h"
#include "scn/scn.h"
#include "syscalls/builtin.h"

#define RUNS 4000	 /* runs per round */
#define RAW_SWAPS 200000 /* raw switches per round */

void simk_ctx_swap(void **save_sp, void *new_sp);

struct state {
	const struct scn_prog *prog;
	uint64_t seed;
	double switches_per_run;
};

static double ns_per_run(void *arg)
{
	struct state *st = arg;
	uint64_t switches = 0;
	double t0 = bench_cpu();
	for (int i = 0; i < RUNS; i++) {
		struct simk_opts o;
		simk_opts_default(&o);
		scn_apply_options(st->prog, &o);
		o.seed = ++st->seed;
		o.policy = SIMK_POLICY_RANDOM;
		o.trace_tail_off = true; /* as explore runs: the hash only */
		struct simk *s = bench_sim_run("explore_small", st->prog, &o, true);
		switches += simk_switches(s);
		simk_destroy(s);
	}
	double dt = bench_cpu() - t0;
	st->switches_per_run = (double)switches / RUNS;
	return dt * 1e9 / RUNS;
}

/* The raw switch: two coroutines bouncing with the bare routine. */
static void *raw_main_sp, *raw_co_sp;
static volatile uint64_t sink;

static void raw_body(void *arg)
{
	(void)arg;
	for (;;) {
		sink++;
		simk_ctx_swap(&raw_co_sp, raw_main_sp);
	}
}

static double raw_switch_ns(void)
{
	double t0 = bench_cpu();
	for (int i = 0; i < RAW_SWAPS; i++)
		simk_ctx_swap(&raw_main_sp, raw_co_sp);
	return (bench_cpu() - t0) * 1e9 / (2.0 * RAW_SWAPS);
}

/* The floor of a run: its switches at the raw cost, measured now. */
static double floor_ns(void *arg)
{
	struct state *st = arg;
	return st->switches_per_run * raw_switch_ns();
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
	static struct ctx raw_c;
	ctx_stack_alloc(&raw_c.stack, 64 * 1024);
	ctx_init(&raw_c, raw_body, NULL);
	raw_co_sp = raw_c.sp;
	struct state st = {prog, 0, 0};
	ns_per_run(&st); /* warm-up, and the switch count the first floor needs */
	printf("# explore_small: %.1f switches per run, %d runs a round\n", st.switches_per_run,
	       RUNS);
	bench_ab_run("explore_small", "ns/run", bench_rounds(), floor_ns, ns_per_run, &st);
	scn_free(prog);
	return 0;
}
