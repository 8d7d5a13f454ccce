/*
 * Seeded pseudo-random streams: splitmix64 expands one 64-bit seed into
 * independent xoshiro256** states, one per purpose (scheduling, device
 * timing, faults, workload), so drawing more from one stream never shifts
 * the numbers another stream gives. No host randomness is ever used.
 */
#ifndef SIMK_RNG_H
#define SIMK_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

uint64_t splitmix64(uint64_t *state);
/* Seeds r from (seed, stream_id); distinct ids give unrelated streams. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream_id);

/* The draws are inline: the random policy makes one or two at almost every
 * switch point, and the call cost as much as the draw. */
static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* rng_below for bound >= 2 (rng.c). */
uint64_t rng_below_draw(struct rng *r, uint64_t bound);

/* Uniform in [0, bound); bound > 0. Unbiased (rejection). A bound of 1
 * draws nothing. */
static inline uint64_t rng_below(struct rng *r, uint64_t bound)
{
	return bound <= 1 ? 0 : rng_below_draw(r, bound);
}

/* Uniform double in [0, 1). */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* True with probability p. Draws exactly one number, whatever p is. */
static inline int rng_chance(struct rng *r, double p)
{
	double u = rng_unit(r);
	return u < p;
}

/* rng_chance in integers, for a hot path that tests one p at every point
 * (the random policy's preemption): the draw's 53 high bits k pass when
 * k < threshold, threshold = rng_chance_threshold(p), which holds exactly
 * when rng_unit's u = k * 2^-53 (exact: k < 2^53) is below p. The same
 * answers from the same draws; the branch waits on the draw alone, not on
 * a conversion, a multiply and a compare of doubles after it. */
uint64_t rng_chance_threshold(double p);
static inline int rng_chance_below(struct rng *r, uint64_t threshold)
{
	return (rng_next(r) >> 11) < threshold;
}

/* 64-bit hash of a string (FNV-1a then a finalizer); for stream ids. */
uint64_t hash_str(const char *s);

/* hash_str in steps, for a loop that reads the bytes anyway (a name's
 * copy): start, one step per byte, finish. */
#define HASH_STR_START 0xcbf29ce484222325ULL
static inline uint64_t hash_str_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ULL;
}
static inline uint64_t hash_str_finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

#endif
