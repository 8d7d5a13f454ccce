/* Helpers for the scenario-language tests: parse a text, run it once. */
#ifndef SIMK_TEST_SCN_H
#define SIMK_TEST_SCN_H

#include <criterion/criterion.h>
#include <string.h>

#include "sim/engine.h"
#include "scn/scn.h"
#include "syscalls/builtin.h"

struct scn_result {
	enum simk_outcome out;
	char reason[512];
	uint64_t hash;
	uint64_t vtime_ns;
};

/* Parses text as "t.scn", every built-in operation registered. */
static inline struct scn_prog *scn_test_parse(const char *text, char *err, size_t errlen)
{
	simk_register_builtin();
	return scn_parse("t.scn", text, strlen(text), err, errlen);
}

/* The parse error of text, or "" when it parses. */
static inline const char *scn_parse_error(const char *text)
{
	static char err[512];
	err[0] = '\0';
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	if (p != NULL) {
		scn_free(p);
		return "";
	}
	return err;
}

#define assert_parse_error(text, expected)                                                         \
	do {                                                                                       \
		const char *e_ = scn_parse_error(text);                                            \
		cr_assert(strstr(e_, expected) != NULL, "expected error '%s', got '%s'", expected, \
			  e_);                                                                     \
	} while (0)

/* Runs a compiled program once; keep_trace so tests can read events. */
static inline struct scn_result scn_run_prog(const struct scn_prog *p, uint64_t seed,
					     enum simk_policy pol, bool scenario_opts)
{
	struct scn_result r;
	memset(&r, 0, sizeof(r));
	struct simk_opts o;
	simk_opts_default(&o);
	o.step_cost_ns = 0; /* exact instants unless the scenario sets step_cost */
	if (scenario_opts)
		scn_apply_options(p, &o);
	else {
		o.seed = seed;
		o.policy = pol;
	}
	char err[512];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), 0, "instantiate: %s", err);
	r.out = simk_run(s);
	snprintf(r.reason, sizeof(r.reason), "%s", simk_failure_reason(s));
	r.hash = simk_trace_hash(s);
	r.vtime_ns = simk_vtime_ns(s);
	simk_destroy(s);
	return r;
}

static inline struct scn_result scn_run_text(const char *text)
{
	char err[512];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "parse: %s", err);
	struct scn_result r = scn_run_prog(p, 1, SIMK_POLICY_FIFO, true);
	scn_free(p);
	return r;
}

#define assert_passes(text)                                                                        \
	do {                                                                                       \
		struct scn_result r_ = scn_run_text(text);                                         \
		cr_assert_eq(r_.out, SIMK_PASS, "outcome %d: %s", r_.out, r_.reason);              \
	} while (0)

#endif
