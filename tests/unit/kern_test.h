/* Helpers shared by the kern/ unit tests (test_kern_*.c). */
#ifndef SIMK_KERN_TEST_H
#define SIMK_KERN_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "sim/engine.h"

/* Creates a simulation; failures name the seed. */
static inline struct simk *kt_sim(enum simk_policy pol, uint64_t seed)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = pol;
	o.seed = seed;
	o.step_cost_ns = 0; /* exact instants: no cost model (test_engine.c tests it) */
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create (seed %llu): %s", (unsigned long long)seed, err);
	return s;
}

static inline struct simk *kt_sim_opts(const struct simk_opts *o)
{
	char err[128];
	struct simk *s = simk_create(o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create (seed %llu): %s", (unsigned long long)o->seed, err);
	return s;
}

/* Runs s and asserts it passed; the message names the seed and how to
 * rerun the test. */
#define KT_RUN_PASS(s)                                                                             \
	do {                                                                                       \
		enum simk_outcome kt_o_ = simk_run(s);                                             \
		cr_assert_eq(                                                                      \
		    kt_o_, SIMK_PASS,                                                              \
		    "seed %llu: outcome %d: %s (rerun: build/tests/unit --filter '%s/%s')",        \
		    (unsigned long long)simk_seed(s), kt_o_, simk_failure_reason(s),               \
		    criterion_current_test->category, criterion_current_test->name);               \
	} while (0)

/* Runs s and asserts it failed with outcome o and a reason containing
 * needle. */
#define KT_RUN_FAILS(s, o, needle)                                                                 \
	do {                                                                                       \
		enum simk_outcome kt_o_ = simk_run(s);                                             \
		cr_assert_eq(kt_o_, (o), "seed %llu: outcome %d, expected %d: %s",                 \
			     (unsigned long long)simk_seed(s), kt_o_, (o),                         \
			     simk_failure_reason(s));                                              \
		cr_assert(strstr(simk_failure_reason(s), (needle)) != NULL,                        \
			  "seed %llu: reason lacks \"%s\": %s", (unsigned long long)simk_seed(s),  \
			  (needle), simk_failure_reason(s));                                       \
	} while (0)

#endif
