/*
 * libFuzzer harness: parse arbitrary bytes and, when they parse, run the
 * scenario the way `simk run` does (its own seed, policy and faults),
 * under tight limits so every run ends: at most FUZZ_STEPS_MAX decisions
 * (which also bounds interrupts while every thread sleeps), and pct with
 * k = FUZZ_PCT_STEPS unless the file gives a smaller one. The engine's own
 * virtual-time limit (a day) stops a run whose next timer is further away.
 *
 * Each input runs twice: as written, then under the random or the pct
 * policy (a bit of the input's hash picks) with a seed taken from the input
 * and kernel allocations failing now and then (kmem/alloc/enomem:p=0.02),
 * which walks the error and teardown paths of every layer the scenario
 * touches.
 *
 * A failed run (expect failed, deadlock, step limit, a leak that the
 * end-of-run checks report, a panic the scenario caused itself) is a
 * normal outcome; it must carry a reason. A host crash, a sanitizer
 * report, a host leak, a timeout, or a kernel panic from inside the kernel
 * (fuzz_panic_is_finding) is a bug.
 * After a failure the harness also asks for what `simk run` prints (the
 * failure site, the last events, the blocked threads) to exercise that code.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz_common.h"
#include "syscalls/builtin.h"
#include "fuzz/scn_mutator.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "scn/scn.h"

#define FUZZ_STEPS_MAX 20000
#define FUZZ_PCT_STEPS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
	static FILE *f;
	if (f == NULL)
		f = fopen("/dev/null", "w");
	if (f == NULL)
		abort();
	return f;
}

static void need_message(const char *what, const char *msg)
{
	if (msg == NULL || msg[0] == '\0') {
		fprintf(stderr, "fuzz: %s without a message\n", what);
		abort();
	}
}

/* The variation of the second run. */
struct variant {
	enum simk_policy policy; /* random or pct */
	uint64_t seed;
	int pct_depth;
	const char *fault; /* NULL: none */
};

/* The `simk run` line that makes the same run of the artifact (the
 * options the harness set: its step cap, pct's k, the second run's). */
static void print_reproducer(const struct simk_opts *o, const struct variant *v)
{
	fprintf(stderr, "fuzz: reproduce: simk run ARTIFACT --max-steps %llu",
		(unsigned long long)o->max_steps);
	if (v != NULL)
		fprintf(stderr, " --seed %llu --policy %s --preempt 0.3%s%s",
			(unsigned long long)v->seed,
			v->policy == SIMK_POLICY_PCT ? "pct" : "random",
			v->fault != NULL ? " --fault " : "", v->fault != NULL ? v->fault : "");
	if (o->policy == SIMK_POLICY_PCT)
		fprintf(stderr, " --pct-depth %d --pct-steps %llu", o->pct_depth,
			(unsigned long long)o->pct_steps);
	fputc('\n', stderr);
}

static void run_once(const struct scn_prog *p, const struct variant *v)
{
	struct simk_opts o;
	char err[512];
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	if (v != NULL) {
		o.policy = v->policy;
		o.seed = v->seed;
		o.preempt_prob = 0.3;
		o.pct_depth = v->pct_depth;
		o.pct_steps = 0; /* set below */
	}
	if (o.max_steps > FUZZ_STEPS_MAX)
		o.max_steps = FUZZ_STEPS_MAX;
	if (o.policy == SIMK_POLICY_PCT && (o.pct_steps == 0 || o.pct_steps > FUZZ_STEPS_MAX))
		o.pct_steps = FUZZ_PCT_STEPS;
	o.keep_trace = false;
	err[0] = '\0';
	struct simk *s = simk_create(&o, err, sizeof(err));
	if (s == NULL) {
		need_message("simk_create failed", err);
		return;
	}
	err[0] = '\0';
	if (scn_instantiate(s, p, err, sizeof(err)) != 0) {
		need_message("scn_instantiate failed", err);
		simk_destroy(s);
		return;
	}
	if (v != NULL && v->fault != NULL && sim_fault_enable(v->fault, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s: %s\n", v->fault, err);
		abort();
	}
	enum simk_outcome out = simk_run(s);
	if (out != SIMK_PASS) {
		char site[300];
		need_message("a failed run", simk_failure_reason(s));
		if (out == SIMK_FAIL_PANIC && fuzz_panic_is_finding(simk_failure_reason(s))) {
			fprintf(stderr, "fuzz: a kernel panic: %s\n", simk_failure_reason(s));
			print_reproducer(&o, v);
			abort();
		}
		(void)scn_failure_site(s, site, sizeof(site));
		trace_print_tail(&s->trace, devnull(), 20);
		scn_print_blocked(s, devnull());
	}
	simk_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	simk_register_builtin(); /* idempotent: the first input registers */
	char err[512];
	err[0] = '\0';
	struct scn_prog *p = scn_parse(FUZZ_NAME, (const char *)data, size, err, sizeof(err));
	if (p == NULL) {
		fuzz_check_parse_error(err, (const char *)data, size);
		return 0;
	}
	run_once(p, NULL);
	uint64_t h = 1469598103934665603ULL; /* FNV-1a of the input: its seed */
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	struct variant v = {h & 1 ? SIMK_POLICY_PCT : SIMK_POLICY_RANDOM, h >> 3,
			    1 + (int)((h >> 1) & 3), "kmem/alloc/enomem:p=0.02"};
	run_once(p, &v);
	scn_free(p);
	return 0;
}
