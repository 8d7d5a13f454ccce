/*
 * threads_10k: the CPU cost per thread of a run with 10,000 simulated
 * threads alive at once (default 64 KiB stacks): create the simulation and
 * the threads, run — each thread blocks on one wait queue, the last wakes
 * them all — and tear it down. The baseline is the raw coroutine floor of
 * the same shape, alternating with it in the same run (bench/bench.h): take
 * a stack for each of 10,000 coroutines, enter each, let it come back
 * (it "blocks"), enter each again to let it finish, give the stacks back.
 * The ratio is what the engine (thread records, the scheduler, the wait
 * queue, the trace hash) costs over bare coroutines.
 *
 * A '#' line gives the resident memory of the process while every thread
 * is blocked, and what a thread adds to it (stacks are touched only near
 * their top). Reading it costs the subject a few microseconds per round.
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
static double peak_mib;
static double rss_mib(void);

static void worker(void *arg)
{
	(void)arg;
	if (++arrived == NTHREADS) {
		double rss = rss_mib(); /* every other thread is blocked now */
		if (rss > peak_mib)
			peak_mib = rss;
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

/* The floor: 10,000 bare coroutines that each come back twice. */
static struct ctx raw_main, raw_co[NTHREADS];

static void raw_body(void *arg)
{
	struct ctx *me = arg;
	ctx_switch(me, &raw_main, 0); /* "blocks" */
	ctx_switch(me, &raw_main, 1); /* finishes */
}

static double raw_ns_per_thread(void *arg)
{
	(void)arg;
	ctx_init_main(&raw_main);
	double t0 = bench_cpu();
	for (int i = 0; i < NTHREADS; i++) {
		if (ctx_stack_alloc(&raw_co[i].stack, 64 * 1024) != 0) {
			fprintf(stderr, "threads_10k: no stack for coroutine %d\n", i);
			exit(1);
		}
		ctx_init(&raw_co[i], raw_body, &raw_co[i]);
		ctx_switch(&raw_main, &raw_co[i], 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		ctx_switch(&raw_main, &raw_co[i], 0);
	for (int i = 0; i < NTHREADS; i++)
		ctx_stack_free(&raw_co[i].stack);
	return (bench_cpu() - t0) * 1e9 / NTHREADS;
}

static double sim_ns_per_thread(void *arg)
{
	(void)arg;
	struct simk_opts o;
	simk_opts_default(&o);
	arrived = 0;
	double t0 = bench_cpu(); /* creation, run and teardown, like the floor */
	struct simk *s = simk_create(&o, NULL, 0);
	if (s == NULL) {
		fprintf(stderr, "threads_10k: no simulation\n");
		exit(1);
	}
	waitq_init(&gate, "gate");
	struct simk_proc *p = simk_proc_create(s, "many");
	for (int i = 0; i < NTHREADS; i++)
		if (simk_thread_create(p, "w", worker, NULL) == NULL) {
			fprintf(stderr, "threads_10k: thread %d: cannot create\n", i);
			exit(1);
		}
	enum simk_outcome out = simk_run(s);
	if (out != SIMK_PASS || arrived != NTHREADS) {
		fprintf(stderr, "threads_10k: run failed: %s\n", simk_failure_reason(s));
		exit(1);
	}
	simk_destroy(s);
	return (bench_cpu() - t0) * 1e9 / NTHREADS;
}

int main(void)
{
	double before = rss_mib();
	bench_ab_run("threads_10k", "ns/thread", bench_rounds(), raw_ns_per_thread,
		     sim_ns_per_thread, NULL);
	printf("# threads_10k: resident %.1f MiB with every thread blocked, %.1f before the "
	       "first run (%.2f KiB per thread)\n",
	       peak_mib, before, (peak_mib - before) * 1024.0 / NTHREADS);
	return 0;
}
