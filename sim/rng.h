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
uint64_t rng_next(struct rng *r);
/* Uniform in [0, bound); bound > 0. Unbiased (rejection). */
uint64_t rng_below(struct rng *r, uint64_t bound);
/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);
/* True with probability p. Draws exactly one number, whatever p is. */
int rng_chance(struct rng *r, double p);
/* 64-bit hash of a string (FNV-1a then a finalizer); for stream ids. */
uint64_t hash_str(const char *s);

#endif
