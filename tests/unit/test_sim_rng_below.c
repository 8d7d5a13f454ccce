/*
 * rng_below (sim/rng.c): a bound that is a power of two takes the low bits
 * of one draw instead of the rejection and the remainder. The values must
 * be the ones the general definition gives, or every seed's schedule
 * would change: here both are drawn from twin streams and compared.
 */
#include <criterion/criterion.h>

#include "sim/rng.h"

/* The general definition: reject draws below 2^64 mod bound, then the
 * remainder. */
static uint64_t below_by_definition(struct rng *r, uint64_t bound)
{
	if (bound <= 1)
		return 0;
	uint64_t limit = -bound % bound;
	for (;;) {
		uint64_t x = rng_next(r);
		if (x >= limit)
			return x % bound;
	}
}

Test(sim_rng_below, powers_of_two_draw_what_the_definition_draws)
{
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct rng a, b;
		rng_seed(&a, seed, 3);
		rng_seed(&b, seed, 3);
		for (int i = 0; i < 4000; i++) {
			uint64_t bound = (uint64_t)1 << (i % 64); /* 1, 2, 4, ... 2^63 */
			uint64_t got = rng_below(&a, bound);
			uint64_t want = below_by_definition(&b, bound);
			cr_assert_eq(got, want, "seed %llu draw %d bound %llu: %llu, want %llu",
				     (unsigned long long)seed, i, (unsigned long long)bound,
				     (unsigned long long)got, (unsigned long long)want);
			cr_assert_lt(got, bound);
		}
		/* the streams stayed in step: the same number of draws */
		cr_assert_eq(rng_next(&a), rng_next(&b));
	}
}

Test(sim_rng_below, other_bounds_are_unchanged)
{
	static const uint64_t bounds[] = {3, 5, 6, 7, 100, 1000003, UINT64_MAX, (1ULL << 63) + 1};
	struct rng a, b;
	rng_seed(&a, 42, 0);
	rng_seed(&b, 42, 0);
	for (int i = 0; i < 4000; i++) {
		uint64_t bound = bounds[i % (int)(sizeof(bounds) / sizeof(bounds[0]))];
		cr_assert_eq(rng_below(&a, bound), below_by_definition(&b, bound), "draw %d", i);
	}
}
