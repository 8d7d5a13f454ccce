/* What a bench prints (bench/bench.h): the medians of both sides, the
 * median of the per-round ratios (not the ratio of the medians) and their
 * spread, and that the rounds alternate baseline and subject. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"

static char out[256];

static double report(const struct bench_ab *p)
{
	FILE *f = fmemopen(out, sizeof(out), "w");
	cr_assert(f != NULL);
	double r = bench_ab_fprint(f, "x", "ns", p);
	fclose(f);
	return r;
}

Test(bench_report, medians_and_the_spread_of_the_per_round_ratios)
{
	/* rounds: 10/20 (2), 10/40 (4), 20/20 (1), 30/90 (3), 40/200 (5) */
	struct bench_ab p = {.a = {10, 10, 20, 30, 40}, .b = {20, 40, 20, 90, 200}, .n = 5};
	double r = report(&p);
	cr_assert_float_eq(r, 3.0, 1e-9);
	cr_assert_str_eq(out, "bench x 40.000 ns baseline=20.000 ratio=3.000 spread=1.000..5.000 "
			      "rounds=5\n");
	/* the inputs are left as they were (the report sorts copies) */
	cr_assert_float_eq(p.b[4], 200, 1e-9);
}

Test(bench_report, an_even_number_of_rounds_takes_the_mean_of_the_middle_two)
{
	struct bench_ab p = {.a = {1, 1, 1, 1}, .b = {1, 2, 3, 4}, .n = 4};
	cr_assert_float_eq(report(&p), 2.5, 1e-9);
	cr_assert(strstr(out, "spread=1.000..4.000 rounds=4") != NULL, "%s", out);
}

static char order[16];
static int norder;

static double side_a(void *arg)
{
	(void)arg;
	order[norder++] = 'A';
	return 2;
}

static double side_b(void *arg)
{
	(void)arg;
	order[norder++] = 'B';
	return 1;
}

Test(bench_report, baseline_and_subject_alternate)
{
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	double r = bench_ab_run("alt", "ns", 3, side_a, side_b, NULL);
	fclose(stdout);
	stdout = saved;
	cr_assert_str_eq(order, "ABABAB");
	cr_assert_float_eq(r, 0.5, 1e-9);
}
