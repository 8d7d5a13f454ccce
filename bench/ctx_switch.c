/*
 * ctx_switch: cost of one coroutine switch through ctx_switch() (the
 * engine's switch, with its bookkeeping) against a raw loop of the bare
 * assembly routine, alternating with it (bench/bench.h: CPU time, A B A B).
 * sched_switch: one full scheduler hand-off (sim_yield between two
 * simulated threads: decision, trace hash, switch), same baseline.
 */
#include <stdint.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "sim/ctx.h"
#include "sim/engine.h"

#define N 500000

void simk_ctx_swap(void **save_sp, void *new_sp);

static struct ctx main_c, co_c;
static volatile uint64_t sink;

static void co_body(void *arg)
{
	(void)arg;
	for (;;) {
		sink++;
		ctx_switch(&co_c, &main_c, 0);
	}
}

static double ns_engine_switch(void *arg)
{
	(void)arg;
	double t0 = bench_cpu();
	for (int i = 0; i < N; i++)
		ctx_switch(&main_c, &co_c, 0);
	return (bench_cpu() - t0) * 1e9 / (2.0 * N);
}

/* Raw: the assembly routine alone, no wrapper. */
static void *raw_main_sp, *raw_co_sp;
static void raw_body(void *arg)
{
	(void)arg;
	for (;;) {
		sink++;
		simk_ctx_swap(&raw_co_sp, raw_main_sp);
	}
}

static struct ctx raw_c;

static double ns_raw_switch(void *arg)
{
	(void)arg;
	double t0 = bench_cpu();
	for (int i = 0; i < N; i++)
		simk_ctx_swap(&raw_main_sp, raw_co_sp);
	return (bench_cpu() - t0) * 1e9 / (2.0 * N);
}

static void yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < N / 4; i++)
		sim_yield();
}

static double ns_sched_switch(void *arg)
{
	(void)arg;
	struct simk_opts o;
	simk_opts_default(&o);
	o.max_steps = (uint64_t)N * 4;
	struct simk *s = simk_create(&o, NULL, 0);
	struct simk_proc *p = simk_proc_create(s, "bench");
	simk_thread_create(p, "a", yielder, NULL);
	simk_thread_create(p, "b", yielder, NULL);
	double t0 = bench_cpu();
	simk_run(s);
	double dt = bench_cpu() - t0;
	uint64_t sw = simk_switches(s);
	simk_destroy(s);
	return dt * 1e9 / (double)sw;
}

int main(void)
{
	ctx_init_main(&main_c);
	ctx_stack_alloc(&co_c.stack, 64 * 1024);
	ctx_init(&co_c, co_body, NULL);
	ctx_stack_alloc(&raw_c.stack, 64 * 1024);
	ctx_init(&raw_c, raw_body, NULL);
	/* The raw coroutine starts through the engine's boot path once, then
	 * switches with the bare routine only. */
	raw_co_sp = raw_c.sp;
	int rounds = bench_rounds();
	bench_ab_run("ctx_switch", "ns", rounds, ns_raw_switch, ns_engine_switch, NULL);
	bench_ab_run("sched_switch", "ns", rounds, ns_raw_switch, ns_sched_switch, NULL);
	return 0;
}
