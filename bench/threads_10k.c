/*
 * threads_10k: 10,000 simulated threads alive at once in one run with the
 * default 64 KiB stacks. Reports the resident memory they add (MiB), with
 * the resident size before the run as the baseline (RSS is ~4.5 KiB per
 * thread: stacks are mapped lazily and touched only near their top), and the
 * time to create, run and tear down the run against the raw floor of as
 * many coroutines (map, enter once, release).
 */
#include <stdlib.h>
#include <sys/resource.h>

#include "bench/bench.h"
#include "kern/waitq.h"
#include "sim/ctx.h"
#include "sim/engine.h"

#define NTHREADS 10000

static struct waitq gate;
static int arrived;

static void worker(void *arg)
{
	(void)arg;
	if (++arrived == NTHREADS) {
		waitq_wake_all(&gate);
		return;
	}
	waitq_sleep(&gate, false, false, SIMK_FOREVER);
}

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (double)rss * 4096.0 / (1024.0 * 1024.0);
}

/* Baseline for the run time: the raw floor of 10,000 coroutines — map a
 * stack, enter it once, come back, release it — measured in the same run. */
static struct ctx raw_main, raw_co[NTHREADS];

static void raw_body(void *arg)
{
	struct ctx *me = arg;
	ctx_switch(me, &raw_main, 1);
}

static double raw_floor_ms(void)
{
	ctx_init_main(&raw_main);
	double t0 = bench_now();
	for (int i = 0; i < NTHREADS; i++) {
		ctx_stack_alloc(&raw_co[i].stack, 64 * 1024);
		ctx_init(&raw_co[i], raw_body, &raw_co[i]);
	}
	for (int i = 0; i < NTHREADS; i++)
		ctx_switch(&raw_main, &raw_co[i], 0);
	for (int i = 0; i < NTHREADS; i++)
		ctx_stack_free(&raw_co[i].stack);
	ctx_stack_pool_drain();
	return (bench_now() - t0) * 1e3;
}

int main(void)
{
	double floor_ms = raw_floor_ms();
	double before = rss_mib();
	struct simk_opts o;
	simk_opts_default(&o);
	double t0 = bench_now(); /* creation, run and teardown, like the floor */
	struct simk *s = simk_create(&o, NULL, 0);
	waitq_init(&gate, "gate");
	struct simk_proc *p = simk_proc_create(s, "many");
	for (int i = 0; i < NTHREADS; i++)
		if (simk_thread_create(p, "w", worker, NULL) == NULL) {
			fprintf(stderr, "thread %d: cannot create\n", i);
			return 1;
		}
	enum simk_outcome out = simk_run(s);
	double peak = 0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	peak = (double)ru.ru_maxrss / 1024.0;
	if (out != SIMK_PASS || arrived != NTHREADS) {
		fprintf(stderr, "threads_10k: run failed: %s\n", simk_failure_reason(s));
		return 1;
	}
	simk_destroy(s);
	ctx_stack_pool_drain();
	double dt = bench_now() - t0;
	bench_report("threads_10k_rss", peak, "MiB", before);
	bench_report("threads_10k_run", dt * 1e3, "ms", floor_ms);
	return 0;
}
