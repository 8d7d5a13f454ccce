#include "sim/rng.h"

/* Rejection sampling of rng_below: each try is rejected with probability
 * below 1/2, so this many in a row never happens. */
#define RNG_REJECTIONS_MAX 1000

uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream_id)
{
	uint64_t st = seed ^ (stream_id * 0xd1b54a32d192ed03ULL);
	(void)splitmix64(&st); /* decorrelate neighbouring seeds */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&st);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1; /* the all-zero state is a fixed point */
}

uint64_t rng_below_draw(struct rng *r, uint64_t bound)
{
	/* A power of two divides 2^64: no draw is rejected and the remainder
	 * is the low bits (the same value as the general path, without its
	 * two divisions: a run's choices among two threads are most). */
	if ((bound & (bound - 1)) == 0)
		return rng_next(r) & (bound - 1);
	uint64_t limit = -bound % bound; /* 2^64 mod bound */
	for (int tries = 0; tries < RNG_REJECTIONS_MAX; tries++) {
		uint64_t x = rng_next(r);
		if (x >= limit)
			return x % bound;
	}
	return rng_next(r) % bound; /* unreachable in practice */
}

/* k * 2^-53 < p  <=>  k < p * 2^53 (a power-of-two scaling: exact)  <=>
 * k < ceil(p * 2^53), k being an integer. */
uint64_t rng_chance_threshold(double p)
{
	if (!(p > 0))
		return 0; /* 0, negative, NaN: u < p never holds */
	if (p >= 1)
		return (uint64_t)1 << 53; /* every k is below it */
	double x = p * 0x1.0p53;
	uint64_t f = (uint64_t)x; /* floor: 0 <= x < 2^53 */
	return (double)f < x ? f + 1 : f;
}

uint64_t hash_str(const char *s)
{
	uint64_t h = HASH_STR_START;
	for (; *s; s++)
		h = hash_str_step(h, (unsigned char)*s);
	return hash_str_finish(h);
}
