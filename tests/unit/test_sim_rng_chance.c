/*
 * rng_chance_below (sim/rng.h) is rng_chance in integers: the random
 * policy's preemption chance tests the draw's 53 high bits against
 * rng_chance_threshold(p) instead of converting it to a double. Every
 * answer must be the double test's, or every seed's schedule would change:
 * here at the threshold's edges, where a rounding would show, and on twin
 * streams.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "sim/rng.h"

#define K_END ((uint64_t)1 << 53) /* draws' 53 high bits lie below it */

/* rng_chance's test for the draw whose high bits are k. */
static int by_double(uint64_t k, double p)
{
	return (double)k * 0x1.0p-53 < p;
}

static const double edge_probs[] = {
    0.0,  -0.0, 1.0,    0.25,	0.3,	0.1,	 1.0 / 3.0, 0.5,    0.999999, 0x1.0p-53,
    0x1.8p-53, 0x1.0p-54, 1e-17, 1e-300, 0x1.0p-1074, 0.75, 2.0 / 3.0, 0.9, 1e-9,	0.05,
};

static void check_edges(double p)
{
	uint64_t t = rng_chance_threshold(p);
	cr_assert_leq(t, K_END, "p %a: threshold %llu past 2^53", p, (unsigned long long)t);
	/* around the threshold, and the ends of k's range */
	uint64_t ks[] = {0, 1, K_END - 1, t - 2, t - 1, t, t + 1, t + 2};
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		uint64_t k = ks[i];
		if (k >= K_END)
			continue; /* t - 2 wrapped, or t + 1 past the range */
		cr_assert_eq(k < t, by_double(k, p), "p %a, k %llu: %d, the double test says %d",
			     p, (unsigned long long)k, k < t, by_double(k, p));
	}
}

Test(sim_rng_chance, threshold_agrees_with_the_double_test_at_its_edges)
{
	for (size_t i = 0; i < sizeof(edge_probs) / sizeof(edge_probs[0]); i++)
		check_edges(edge_probs[i]);
	check_edges(nextafter(1.0, 0.0));
	check_edges(nextafter(0.25, 0.0));
	check_edges(nextafter(0.25, 1.0));
	struct rng r;
	rng_seed(&r, 7, 1);
	for (int i = 0; i < 20000; i++) {
		double p = rng_unit(&r);
		check_edges(p);
		check_edges(nextafter(p, 1.0));
	}
}

Test(sim_rng_chance, out_of_range_probabilities)
{
	cr_assert_eq(rng_chance_threshold(NAN), 0);
	cr_assert_eq(rng_chance_threshold(-1.0), 0);
	cr_assert_eq(rng_chance_threshold(0.0), 0);
	cr_assert_eq(rng_chance_threshold(1.0), K_END);
	cr_assert_eq(rng_chance_threshold(7.5), K_END);
	cr_assert_eq(rng_chance_threshold(INFINITY), K_END);
}

Test(sim_rng_chance, twin_streams_give_the_same_answers)
{
	for (size_t i = 0; i < sizeof(edge_probs) / sizeof(edge_probs[0]); i++) {
		double p = edge_probs[i];
		uint64_t t = rng_chance_threshold(p);
		struct rng a, b;
		rng_seed(&a, 1000 + i, 0);
		rng_seed(&b, 1000 + i, 0);
		int hits = 0;
		for (int n = 0; n < 4000; n++) {
			int want = rng_chance(&a, p);
			cr_assert_eq(rng_chance_below(&b, t), want, "p %a draw %d", p, n);
			hits += want;
		}
		if (p == 0.25) /* the draws are not all one answer */
			cr_assert(hits > 800 && hits < 1200, "p 0.25: %d hits in 4000", hits);
		cr_assert_eq(rng_next(&a), rng_next(&b)); /* one draw each */
	}
}
