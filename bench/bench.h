/*
 * Helpers for benchmarks: a monotonic host clock (benchmarks measure the
 * host, never the simulation) and the one output format:
 *   bench <name> <value> <unit> baseline=<value> ratio=<value>
 * where the baseline is measured in the same run, so the ratio is
 * meaningful on a shared, noisy machine.
 */
#ifndef SIMK_BENCH_H
#define SIMK_BENCH_H

#include <stdio.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_report(const char *name, double value, const char *unit,
				double baseline)
{
	printf("bench %s %.3f %s baseline=%.3f ratio=%.3f\n", name, value, unit, baseline,
	       baseline != 0 ? value / baseline : 0.0);
	fflush(stdout);
}

/* Best (minimum) of several repetitions of a per-op cost: the least
 * disturbed measurement on a shared machine. */
#define BENCH_BEST(reps, expr)                                                     \
	({                                                                         \
		double best__ = 1e300;                                             \
		for (int r__ = 0; r__ < (reps); r__++) {                          \
			double v__ = (expr);                                       \
			if (v__ < best__)                                          \
				best__ = v__;                                      \
		}                                                                  \
		best__;                                                            \
	})

#endif
