/*
 * threads_10k: 10,000 simulated threads alive at once in one run with the
 * default 64 KiB stacks. Reports the resident memory they add (MiB), with
 * the resident size before the run as the baseline, and the run's time.
 */
#include <stdlib.h>
#include <sys/resource.h>

#include "bench/bench.h"
#include "kern/waitq.h"
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

int main(void)
{
	double before = rss_mib();
	struct simk_opts o;
	simk_opts_default(&o);
	struct simk *s = simk_create(&o, NULL, 0);
	waitq_init(&gate, "gate");
	struct simk_proc *p = simk_proc_create(s, "many");
	for (int i = 0; i < NTHREADS; i++)
		if (simk_thread_create(p, "w", worker, NULL) == NULL) {
			fprintf(stderr, "thread %d: cannot create\n", i);
			return 1;
		}
	double t0 = bench_now();
	enum simk_outcome out = simk_run(s);
	double dt = bench_now() - t0;
	double peak = 0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	peak = (double)ru.ru_maxrss / 1024.0;
	if (out != SIMK_PASS || arrived != NTHREADS) {
		fprintf(stderr, "threads_10k: run failed: %s\n", simk_failure_reason(s));
		return 1;
	}
	simk_destroy(s);
	bench_report("threads_10k_rss", peak, "MiB", before);
	bench_report("threads_10k_run", dt * 1e3, "ms", 0);
	return 0;
}
