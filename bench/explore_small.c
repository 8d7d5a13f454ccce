/*
 * explore_small: runs/s of exploring a 2-thread, ~20-switch scenario in one
 * process, exactly as `simk explore` does (parse once; per seed: create the
 * simulation, instantiate the scenario, run, destroy). The baseline is the
 * floor any such explorer pays per run, measured in the same process: take
 * two coroutine stacks, make as many raw switches as the run made, give the
 * stacks back. The ratio says how close to that floor we are.
 */
#include <stdlib.h>

#include "bench/bench.h"
#include "sim/ctx.h"
#include "sim/engine.h"
#include "scn/scn.h"
#include "syscalls/builtin.h"

#define RUNS 20000

static uint64_t total_switches;

static double explore_rate(const struct scn_prog *prog)
{
	total_switches = 0;
	double t0 = bench_now();
	for (uint64_t seed = 1; seed <= RUNS; seed++) {
		struct simk_opts o;
		simk_opts_default(&o);
		scn_apply_options(prog, &o);
		o.seed = seed;
		o.policy = SIMK_POLICY_RANDOM;
		char err[256];
		struct simk *s = simk_create(&o, err, sizeof(err));
		if (s == NULL || scn_instantiate(s, prog, err, sizeof(err)) != 0) {
			fprintf(stderr, "explore_small: %s\n", err);
			exit(1);
		}
		if (simk_run(s) != SIMK_PASS) {
			fprintf(stderr, "explore_small: seed %llu failed: %s\n",
				(unsigned long long)seed, simk_failure_reason(s));
			exit(1);
		}
		total_switches += simk_switches(s);
		simk_destroy(s);
	}
	return RUNS / (bench_now() - t0);
}

static struct ctx floor_main, floor_co[2];
static int floor_cur;

static void floor_body(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (;;)
		ctx_switch(&floor_co[me], &floor_main, 0);
}

static double floor_rate(uint64_t switches_per_run)
{
	ctx_init_main(&floor_main);
	double t0 = bench_now();
	for (int run = 0; run < RUNS; run++) {
		for (int i = 0; i < 2; i++) {
			ctx_stack_alloc(&floor_co[i].stack, 64 * 1024);
			ctx_init(&floor_co[i], floor_body, (void *)(intptr_t)i);
		}
		for (uint64_t k = 0; k < switches_per_run; k += 2) {
			floor_cur ^= 1;
			ctx_switch(&floor_main, &floor_co[floor_cur], 0);
		}
		for (int i = 0; i < 2; i++)
			ctx_stack_free(&floor_co[i].stack);
	}
	return RUNS / (bench_now() - t0);
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
	double rate = BENCH_BEST(3, -explore_rate(prog));
	uint64_t per_run = total_switches / RUNS;
	double base = BENCH_BEST(3, -floor_rate(per_run));
	printf("# explore_small: %llu switches per run on average\n", (unsigned long long)per_run);
	bench_report("explore_small", -rate, "runs/s", -base);
	scn_free(prog);
	return 0;
}
