/*
 * One simulated run as the benches make it: create the simulation with
 * the caller's options, instantiate the program, run it. Every bench that
 * times runs goes through here, so they all pay for the same steps.
 */
#ifndef SIMK_BENCH_SIM_H
#define SIMK_BENCH_SIM_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "scn/scn.h"
#include "sim/engine.h"

/* Runs p once with o. A program that cannot be set up, or that does not
 * pass when must_pass, ends the bench with a message naming `who` and the
 * seed. Returns the finished simulation (for its counters); the caller
 * destroys it. */
static inline struct simk *bench_sim_run(const char *who, const struct scn_prog *p,
					 const struct simk_opts *o, bool must_pass)
{
	char err[512];
	struct simk *s = simk_create(o, err, sizeof(err));
	if (s == NULL || scn_instantiate(s, p, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", who, err);
		exit(1);
	}
	if (simk_run(s) != SIMK_PASS && must_pass) {
		fprintf(stderr, "%s: seed %llu failed: %s\n", who, (unsigned long long)o->seed,
			simk_failure_reason(s));
		exit(1);
	}
	return s;
}

#endif
