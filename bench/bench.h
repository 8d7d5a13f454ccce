/*
 * Helpers for benchmarks: how every bench measures and what it prints.
 *
 * - CPU time, never wall time: the process's CPU clock (user and system),
 *   so a neighbour on a shared machine slows the wall clock but not the
 *   figure. (explore_jobs, which measures whole processes, takes the CPU
 *   time of its children.)
 * - Baseline and subject alternate in one run, A B A B ..., BENCH_ROUNDS
 *   rounds: whatever drifts (frequency, caches, the neighbours) touches both.
 * - The result is the median of each side and the median of the per-round
 *   ratios, with the spread of those ratios (lowest..highest), so a reader
 *   sees how far to trust it:
 *     bench <name> <subject> <unit> baseline=<baseline> ratio=<r> spread=<lo>..<hi> rounds=<n>
 *   Both sides are costs (CPU per operation): a ratio below 1 means the
 *   subject costs less than its baseline.
 * Lines starting with '#' say what was measured (counts, modes).
 */
#ifndef SIMK_BENCH_H
#define SIMK_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_ROUNDS 7
#define BENCH_ROUNDS_MAX 31

/* Seconds of CPU this process has used (user and system). */
static inline double bench_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (v is sorted in place). */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* One measured pair: per-round costs of the baseline (a) and the subject (b). */
struct bench_ab {
	double a[BENCH_ROUNDS_MAX], b[BENCH_ROUNDS_MAX];
	int n;
};

/* Prints the result line of p to f; returns the median ratio subject/baseline. */
static inline double bench_ab_fprint(FILE *f, const char *name, const char *unit,
				     const struct bench_ab *p)
{
	double a[BENCH_ROUNDS_MAX], b[BENCH_ROUNDS_MAX], r[BENCH_ROUNDS_MAX];
	for (int i = 0; i < p->n; i++) {
		a[i] = p->a[i];
		b[i] = p->b[i];
		r[i] = p->a[i] != 0 ? p->b[i] / p->a[i] : 0.0;
	}
	double ma = bench_median(a, p->n), mb = bench_median(b, p->n), mr = bench_median(r, p->n);
	fprintf(f, "bench %s %.3f %s baseline=%.3f ratio=%.3f spread=%.3f..%.3f rounds=%d\n", name,
		mb, unit, ma, mr, r[0], r[p->n - 1], p->n);
	fflush(f);
	return mr;
}

static inline double bench_ab_report(const char *name, const char *unit, const struct bench_ab *p)
{
	return bench_ab_fprint(stdout, name, unit, p);
}

/*
 * Runs base(arg) and subject(arg) alternately, `rounds` times each (A B A B
 * ...); each returns the CPU cost of one operation in `unit` (measured with
 * bench_cpu). Prints the result line and returns the median ratio.
 */
static inline double bench_ab_run(const char *name, const char *unit, int rounds,
				  double (*base)(void *), double (*subject)(void *), void *arg)
{
	struct bench_ab p;
	p.n = rounds < 1 ? 1 : rounds < BENCH_ROUNDS_MAX ? rounds : BENCH_ROUNDS_MAX;
	for (int i = 0; i < p.n; i++) {
		p.a[i] = base(arg);
		p.b[i] = subject(arg);
	}
	return bench_ab_report(name, unit, &p);
}

/* Rounds from the environment (BENCH_ROUNDS=n; `make bench` leaves the
 * default), so a quick look can ask for fewer. */
static inline int bench_rounds(void)
{
	const char *e = getenv("BENCH_ROUNDS");
	int n = e != NULL ? atoi(e) : 0;
	return n >= 1 && n <= BENCH_ROUNDS_MAX ? n : BENCH_ROUNDS;
}

#endif
