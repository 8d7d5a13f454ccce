/*
 * Trace recording and hashing. How an event is folded into the hash is
 * sim/trace_fold.h; here are the emitters, the memo of names' hashes and
 * what a trace that records keeps.
 */
#include "sim/trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_fold.h"

#define HASH_SEED 0x5349 /* "SI" */

/* The name of every decision; trace_init makes the hash of its bytes. */
static const char decide_name[] = "sim:decide";
uint64_t trace_decide_nh;

/* The memo of names' hashes: MEMO_SETS sets of two entries, a set chosen
 * by the name's address. Two ways, because one collision in a direct-mapped
 * table costs every run: a thread's name (in its thread block, reused run
 * after run) and a shared variable's name on the same set evicted each
 * other three times a run in explore_small, each miss a hash of the bytes
 * and a trip through the slow path. */
#define MEMO_SETS 256

struct memo_entry {
	const char *key;
	uint64_t gen; /* the run (trace_init) that memoised it */
	uint64_t val;
};
static struct memo_entry memo[MEMO_SETS][2];
static uint64_t memo_gen;

/* The ring of a trace whose ring could not be allocated: it keeps hashing
 * and drops the tail (the tail is for failure reports only). */
static struct trace_ev ring_none[TRACE_RING];

void trace_init(struct trace *t, int keep, size_t keep_max, bool tail)
{
	sim_zero(t, sizeof(*t)); /* every run's: not as `rep stos` (sim/engine.h) */
	t->hash = HASH_SEED;
	t->keep = keep;
	t->tail = tail || keep;
	t->memo_gen = ++memo_gen;
	if (trace_decide_nh == 0)
		trace_decide_nh = hash_str(decide_name);
	t->ring = t->tail ? malloc(TRACE_RING * sizeof(*t->ring)) : NULL;
	if (t->ring == NULL) {
		t->ring = ring_none;
		t->tail = false;
	}
	t->keep_max = keep_max != 0 ? keep_max : TRACE_KEEP_MAX_DEFAULT;
	t->record = t->tail || t->keep;
}

void trace_set_sink(struct trace *t, trace_sink_fn fn, void *arg)
{
	t->sink = fn;
	t->sink_arg = arg;
	t->record = t->tail || t->keep || t->sink != NULL;
}

/* Stores e for export; false (and e counted as dropped) past the cap. */
static bool trace_keep(struct trace *t, const struct trace_ev *e)
{
	if (t->len == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		if (ncap > t->keep_max)
			ncap = t->keep_max;
		struct trace_ev *ne = t->len < ncap ? realloc(t->evs, ncap * sizeof(*ne)) : NULL;
		if (ne == NULL) {
			t->dropped++;
			return false;
		}
		t->evs = ne;
		t->cap = ncap;
	}
	t->evs[t->len++] = *e;
	return true;
}

void trace_free(struct trace *t)
{
	trace_stream_end(t);
	free(t->evs);
	t->evs = NULL;
	t->len = t->cap = 0;
	for (size_t i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	free(t->strs);
	t->strs = NULL;
	t->nstrs = t->strs_cap = 0;
	if (t->ring != ring_none)
		free(t->ring);
	t->ring = ring_none;
	t->tail = false;
	t->record = t->keep || t->sink != NULL;
}

const char *trace_intern(const char *str)
{
	struct simk *s = sim_cur();
	if (s == NULL || str == NULL)
		return NULL;
	struct trace *t = &s->trace;
	if (t->nstrs == t->strs_cap) {
		size_t ncap = t->strs_cap ? t->strs_cap * 2 : 16;
		char **n = realloc(t->strs, ncap * sizeof(*n));
		if (n == NULL)
			return NULL; /* a view only: the event prints without it */
		t->strs = n;
		t->strs_cap = ncap;
	}
	size_t n = strlen(str) + 1;
	char *c = malloc(n);
	if (c != NULL)
		memcpy(c, str, n);
	if (c != NULL)
		t->strs[t->nstrs++] = c;
	return c;
}

/* The memo's set of a name: selected by its address only (the value
 * comes from the bytes). */
static inline struct memo_entry *memo_set(const char *name)
{
	return memo[((uintptr_t)name >> 3) & (MEMO_SETS - 1)];
}

/* The memoised hash of name's bytes in this run, if there is one. */
static inline bool memo_hit(const struct trace *t, const char *name, uint64_t *nh)
{
	const struct memo_entry *e = memo_set(name);
	if (__builtin_expect(e[0].key != name || e[0].gen != t->memo_gen, 0)) {
		if (e[1].key != name || e[1].gen != t->memo_gen)
			return false;
		e++;
	}
	*nh = e->val;
	return true;
}

/* Memoises name's hash in this run: in the first way, the entry it
 * displaces (another name) moving to the second. So the two ways never
 * hold the same name, and a name given again (a thread block reused in
 * the run for another thread) replaces its old hash. */
static void memo_put(const char *name, uint64_t gen, uint64_t nh)
{
	struct memo_entry *e = memo_set(name);
	if (e[0].key != name)
		e[1] = e[0];
	e[0] = (struct memo_entry){.key = name, .gen = gen, .val = nh};
}

/* The hash of a name's bytes, memoised by address for this run. */
static uint64_t name_hash(const struct trace *t, const char *name)
{
	uint64_t nh;
	if (memo_hit(t, name, &nh))
		return nh;
	nh = hash_str(name);
	memo_put(name, t->memo_gen, nh);
	return nh;
}

/*
 * Folds one event into the hash from its fields as the caller holds them,
 * nh being the hash of its name's bytes (sim/trace_fold.h). The arguments
 * are read one 8-byte field at a time, as the caller stored them (a block
 * copy of a struct just written field by field stalls on store
 * forwarding).
 */
static inline __attribute__((always_inline)) void fold(struct trace *t, uint64_t vtime, int32_t tid,
						       uint16_t type, uint64_t nh,
						       const int64_t *a)
{
	uint64_t x = trace_fold_head(vtime, tid, type, nh) + (uint64_t)a[0] * TRACE_ARG_MUL0 +
		     (uint64_t)a[1] * TRACE_ARG_MUL1 + (uint64_t)a[2] * TRACE_ARG_MUL2 +
		     (uint64_t)a[3] * TRACE_ARG_MUL3 + (uint64_t)a[4] * TRACE_ARG_MUL4 +
		     (uint64_t)a[5] * TRACE_ARG_MUL5;
	t->hash = trace_mix(t->hash, x);
	t->count++;
}

/* Whether anything beyond the hash is made of an event (ring, kept
 * events, a sink): only then is the event assembled. */
static inline bool recorded(const struct trace *t)
{
	return t->record;
}

/* e's time, thread and name are filled in; the hash has it already. */
static void record(struct trace *t, const struct trace_ev *e)
{
	if (t->tail)
		t->ring[(t->count - 1) % TRACE_RING] = *e;
	if (t->keep && t->dropped == 0)
		(void)trace_keep(t, e); /* a prefix of the run, or nothing past a gap */
	else if (t->keep)
		t->dropped++;
	if (t->sink != NULL)
		t->sink(e, t->sink_arg);
}

static inline int32_t cur_tid(const struct simk *s)
{
	return s->current ? s->current->tid : 0;
}

/*
 * The emitters. Most runs (explore's) keep only the hash, and most events
 * name a string hashed earlier in the run: that path folds the caller's
 * fields, makes no call and assembles nothing. The rest — a name not yet
 * memoised, or a trace that records events — goes to the emitter's slow
 * twin, with the same arguments (a jump, not a call), which assembles the
 * event for emit_full. Kept apart so that the common path saves no
 * registers: the saves and restores were a fifth of it.
 */
static void emit_full(struct trace *t, const struct trace_ev *e)
{
	fold(t, e->vtime_ns, e->tid, e->type, name_hash(t, e->name), e->a);
	if (recorded(t))
		record(t, e);
}

/* Whether an event of this name takes the common path; *nh: its hash. */
static inline bool hash_only(const struct trace *t, const char *name, uint64_t *nh)
{
	return __builtin_expect(!recorded(t) && memo_hit(t, name, nh), 1);
}

#define SLOW __attribute__((noinline, cold))

/* A twin's case of a trace that only hashes (the name's first event of
 * the run): no event assembled. */
static void fold_new_name(struct simk *s, uint16_t type, const char *name, const int64_t *a)
{
	struct trace *t = &s->trace;
	fold(t, s->now_ns, cur_tid(s), type, name_hash(t, name), a);
}

SLOW static void emit_slow(uint16_t type, const char *name, int64_t a0, int64_t a1, int64_t a2,
			   int64_t a3)
{
	struct simk *s = sim_cur();
	if (!recorded(&s->trace)) {
		const int64_t a[TRACE_ARGS] = {a0, a1, a2, a3, 0, 0};
		fold_new_name(s, type, name, a);
		return;
	}
	struct trace_ev e = {.vtime_ns = s->now_ns, .tid = cur_tid(s), .type = type, .name = name,
			     .a = {a0, a1, a2, a3, 0, 0}};
	emit_full(&s->trace, &e);
}

void trace_emit(uint16_t type, const char *name, int64_t a0, int64_t a1, int64_t a2, int64_t a3)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		return;
	struct trace *t = &s->trace;
	if (name == NULL)
		name = "";
	uint64_t nh;
	if (!hash_only(t, name, &nh)) {
		emit_slow(type, name, a0, a1, a2, a3);
		return;
	}
	const int64_t a[TRACE_ARGS] = {a0, a1, a2, a3, 0, 0};
	fold(t, s->now_ns, cur_tid(s), type, nh, a);
}

SLOW static void decision_slow(int64_t chosen, int64_t ncand, int64_t kind)
{
	emit_slow(TR_DECISION, decide_name, chosen, ncand, kind, 0);
}

void trace_emit_decision(int64_t chosen, int64_t ncand, int64_t kind)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		return;
	struct trace *t = &s->trace;
	if (__builtin_expect(recorded(t), 0)) {
		decision_slow(chosen, ncand, kind);
		return;
	}
	trace_fold_decision(t, s->now_ns, cur_tid(s), chosen, ncand, kind);
}

SLOW static void line_slow(uint16_t type, const char *name, int line, int64_t a0, int64_t a1,
			   int64_t a2)
{
	struct simk *s = sim_cur();
	if (!recorded(&s->trace)) {
		const int64_t a[TRACE_ARGS] = {a0, a1, a2, 0, 0, 0};
		fold_new_name(s, type, name, a);
		return;
	}
	struct trace_ev e = {.vtime_ns = s->now_ns,
			     .tid = cur_tid(s),
			     .type = type,
			     .line = line > 0 && line <= UINT16_MAX ? (uint16_t)line : 0,
			     .name = name,
			     .a = {a0, a1, a2, 0, 0, 0}};
	emit_full(&s->trace, &e);
}

void trace_emit_line(uint16_t type, const char *name, int line, int64_t a0, int64_t a1, int64_t a2)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		return;
	struct trace *t = &s->trace;
	if (name == NULL)
		name = "";
	uint64_t nh;
	if (!hash_only(t, name, &nh)) {
		line_slow(type, name, line, a0, a1, a2);
		return;
	}
	const int64_t a[TRACE_ARGS] = {a0, a1, a2, 0, 0, 0};
	fold(t, s->now_ns, cur_tid(s), type, nh, a);
}

SLOW static void ev_slow(const struct trace_ev *proto)
{
	struct simk *s = sim_cur();
	struct trace_ev e = *proto;
	e.vtime_ns = s->now_ns;
	e.tid = cur_tid(s);
	e.name = proto->name != NULL ? proto->name : "";
	emit_full(&s->trace, &e);
}

void trace_emit_ev(const struct trace_ev *proto)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		return;
	struct trace *t = &s->trace;
	const char *name = proto->name != NULL ? proto->name : "";
	uint64_t nh;
	if (!hash_only(t, name, &nh)) {
		ev_slow(proto);
		return;
	}
	fold(t, s->now_ns, cur_tid(s), proto->type, nh, proto->a);
}

SLOW static void call_slow(uint16_t type, const char *name, const void *desc, const int64_t *a,
			   int n)
{
	struct simk *s = sim_cur();
	int64_t args[TRACE_ARGS] = {0};
	for (int i = 0; i < n && i < TRACE_ARGS; i++)
		args[i] = a[i];
	if (!recorded(&s->trace)) {
		fold_new_name(s, type, name, args);
		return;
	}
	struct trace_ev e = {.vtime_ns = s->now_ns, .tid = cur_tid(s), .type = type, .name = name,
			     .desc = desc};
	memcpy(e.a, args, sizeof(e.a));
	emit_full(&s->trace, &e);
}

void trace_emit_call(uint16_t type, const char *name, uint64_t nh, const void *desc,
		     const int64_t *a, int n)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		return;
	struct trace *t = &s->trace;
	if (name == NULL)
		name = "";
#ifdef SIMK_DEBUG_CHECKS
	KASSERT(nh == 0 || nh == hash_str(name), "trace_emit_call: a wrong hash for '%s'", name);
#endif
	/* a hash the caller holds spares the memo's look-up */
	bool common = nh != 0 ? !recorded(t) : hash_only(t, name, &nh);
	if (!common) {
		call_slow(type, name, desc, a, n);
		return;
	}
	trace_fold_n(t, s->now_ns, cur_tid(s), type, nh, a, n);
}

void trace_print_tail(const struct trace *t, FILE *f, int n)
{
	if (!t->tail)
		return; /* a run that kept only its hash */
	uint64_t have = t->count < TRACE_RING ? t->count : TRACE_RING;
	if ((uint64_t)n > have)
		n = (int)have;
	for (uint64_t i = t->count - (uint64_t)n; i < t->count; i++) {
		const struct trace_ev *e = &t->ring[i % TRACE_RING];
		char buf[256];
		trace_format_ev(e, buf, sizeof(buf));
		if (e->line != 0) /* where the thread was, as the trace on stdout shows it */
			fprintf(f, "  %12" PRIu64 "ns  T%-3d %s  [%s:%u]\n", e->vtime_ns, e->tid, buf,
				t->src != NULL ? t->src : "line", (unsigned)e->line);
		else
			fprintf(f, "  %12" PRIu64 "ns  T%-3d %s\n", e->vtime_ns, e->tid, buf);
	}
}
