/*
 * Properties of a scenario beyond `expect` (docs/scenarios.md,
 * "Properties"):
 *
 *  always COND                    top level: COND holds in every state
 *  eventually COND within DUR     top level: COND holds in some state at
 *                                 or before virtual time DUR
 *  sometimes COND / reachable     statements: counted across an
 *                                 exploration (explore reports the first
 *                                 run where each held, or that none did)
 *
 * A state is what the shared variables hold: it changes only at a store
 * into shared memory, so `always` and `eventually` are checked after each
 * such store and before a thread's first statement (the initial state).
 * Their reads count as the storing step's reads for the partial-order
 * reduction: a store that could make a condition false is then dependent
 * with every store whose order decides it, so `dfs` cannot skip the
 * interleaving that breaks an invariant in an intermediate state.
 * Checking reads no trace event of its own (the trace would drown in
 * them); a failure names the condition, the values it read and the store
 * that broke it.
 *
 * `eventually` is bounded liveness: a callout at the earliest pending
 * deadline fails the run there, and a run that ends (its last user thread
 * exits) with a condition never true fails too — a wait that never ends
 * is a deadlock, reported as such.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/engine.h"
#include "scn/scn_internal.h"

static void fmt_ns(int64_t ns, char *buf, size_t len)
{
	if (ns % 1000000000 == 0)
		snprintf(buf, len, "%" PRId64 "s", ns / 1000000000);
	else if (ns % 1000000 == 0)
		snprintf(buf, len, "%" PRId64 "ms", ns / 1000000);
	else if (ns % 1000 == 0)
		snprintf(buf, len, "%" PRId64 "us", ns / 1000);
	else
		snprintf(buf, len, "%" PRId64 "ns", ns);
}

/* "x=3, y=1": the shared variables a condition reads, for its message. */
static void cond_vars(const struct scn_props_run *pr, const struct scn_expect *x, char *buf,
		      size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < x->nvars && off < len; i++)
		if (x->vkind[i] == V_SHARED)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%" PRId64,
						off ? ", " : "", x->vname[i], pr->shared[x->var[i]]);
}

static void eventually_missed(const struct scn_props_run *pr, const struct scn_prop *q,
			      const char *when)
{
	const struct scn_prog *p = pr->prog;
	const struct scn_expect *x = &p->expects[q->expect];
	char vars[200], dur[32];
	cond_vars(pr, x, vars, sizeof(vars));
	fmt_ns(q->within_ns, dur, sizeof(dur));
	sim_fail(SIMK_FAIL_EXPECT, "%s:%d:%d: eventually failed: %s was not true within %s (%s)%s%s%s",
		 p->name, q->line, q->col, x->text, dur, when, vars[0] ? " (" : "", vars,
		 vars[0] ? ")" : "");
}

static void rearm(struct scn_props_run *pr);

/* The callout at a deadline: interrupt context, no evaluation needed (the
 * state has not changed since the last store checked it). */
static void deadline_fired(void *arg)
{
	struct scn_props_run *pr = arg;
	const struct scn_prog *p = pr->prog;
	uint64_t now = sim_now();
	for (int k = 0; k < p->nprops; k++) {
		const struct scn_prop *q = &p->props[k];
		if (q->kind == SCN_PROP_EVENTUALLY && !(pr->hit & (1ull << k)) &&
		    (uint64_t)q->within_ns <= now)
			eventually_missed(pr, q, "the deadline passed");
	}
	rearm(pr);
}

/* Arms the callout at the earliest deadline of an eventually still false. */
static void rearm(struct scn_props_run *pr)
{
	const struct scn_prog *p = pr->prog;
	int64_t first = -1;
	for (int k = 0; k < p->nprops; k++) {
		const struct scn_prop *q = &p->props[k];
		if (q->kind == SCN_PROP_EVENTUALLY && !(pr->hit & (1ull << k)) &&
		    (first < 0 || q->within_ns < first))
			first = q->within_ns;
	}
	if (first < 0) {
		if (pr->armed)
			callout_stop(&pr->deadline);
		pr->armed = false;
		return;
	}
	if (pr->armed && pr->armed_at == first)
		return;
	callout_reset_at(&pr->deadline, (uint64_t)first, deadline_fired, pr);
	pr->armed = true;
	pr->armed_at = first;
}

void scn_props_start(struct scn_props_run *pr, const struct scn_prog *p, const int64_t *shared)
{
	memset(pr, 0, sizeof(*pr));
	pr->prog = p;
	pr->shared = shared;
	callout_init(&pr->deadline, "scn-eventually");
	rearm(pr);
}

void scn_props_stop(struct scn_props_run *pr)
{
	if (pr->prog != NULL && pr->armed)
		callout_stop(&pr->deadline);
	pr->armed = false;
}

void scn_props_check(struct scn_props_run *pr, const int64_t *locals, int line, int col)
{
	const struct scn_prog *p = pr->prog;
	bool changed = false;
	for (int k = 0; k < p->nprops; k++) {
		const struct scn_prop *q = &p->props[k];
		if (q->kind == SCN_PROP_ALWAYS) {
			if (scn_eval_quiet(p, q->e, locals, pr->shared, q->line) != 0)
				continue;
			const struct scn_expect *x = &p->expects[q->expect];
			char vars[200];
			cond_vars(pr, x, vars, sizeof(vars));
			struct simk_thread *t = sim_thread_current();
			const char *who = t != NULL ? t->name : "?";
			if (line > 0)
				sim_fail(SIMK_FAIL_EXPECT,
					 "%s:%d:%d: always failed: %s%s%s%s after %s's store at %s:%d:%d",
					 p->name, q->line, q->col, x->text, vars[0] ? " (" : "", vars,
					 vars[0] ? ")" : "", who, p->name, line, col);
			sim_fail(SIMK_FAIL_EXPECT, "%s:%d:%d: always failed: %s%s%s%s in the initial state",
				 p->name, q->line, q->col, x->text, vars[0] ? " (" : "", vars,
				 vars[0] ? ")" : "");
		}
		if (q->kind == SCN_PROP_EVENTUALLY && !(pr->hit & (1ull << k))) {
			if ((uint64_t)q->within_ns < sim_now())
				eventually_missed(pr, q, "the deadline passed");
			if (scn_eval_quiet(p, q->e, locals, pr->shared, q->line) != 0) {
				pr->hit |= 1ull << k;
				changed = true;
			}
		}
	}
	if (changed)
		rearm(pr);
}

void scn_props_reached(struct scn_props_run *pr, int k, const int64_t *locals, int line)
{
	const struct scn_prog *p = pr->prog;
	const struct scn_prop *q = &p->props[k];
	if (pr->hit & (1ull << k))
		return;
	if (q->e.len > 0 && scn_eval(p, q->e, locals, pr->shared, line) == 0)
		return;
	pr->hit |= 1ull << k;
	trace_emit(TR_USER, q->kind == SCN_PROP_REACHABLE ? "reachable" : "sometimes", q->line, 0,
		   0, 0);
}

void scn_props_end(struct scn_props_run *pr)
{
	const struct scn_prog *p = pr->prog;
	for (int k = 0; k < p->nprops; k++) {
		const struct scn_prop *q = &p->props[k];
		if (q->kind == SCN_PROP_EVENTUALLY && !(pr->hit & (1ull << k)))
			eventually_missed(pr, q, "the run ended first");
	}
	scn_props_stop(pr);
}

bool scn_prop_at(const struct scn_prog *p, int k, struct scn_prop_info *out)
{
	static const char *const kinds[] = {"sometimes", "reachable", "always", "eventually"};
	if (p == NULL || p->foreign != NULL || k < 0 || k >= p->nprops)
		return false;
	const struct scn_prop *q = &p->props[k];
	out->kind = kinds[q->kind];
	out->text = q->expect >= 0 ? p->expects[q->expect].text : "";
	out->line = q->line;
	return true;
}
