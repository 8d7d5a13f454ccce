/*
 * dfs: the policy of the exhaustive search. Two searches share it:
 *  - with partial-order reduction (the default of simk_dfs_create_opts):
 *    dpor_search.c decides at every switch point and data decision;
 *  - without (simk_dfs_create, por = false): the enumeration below, of
 *    every scheduling choice with at most `bound` non-default ones per path
 *    (in the spirit of CHESS's iterative context bounding, counting
 *    "delays" instead of preemptions); data decisions come from the seed.
 * Either way the run's steps are recorded (dpor_rec.c), so that the trace
 * class of a run can be asked for.
 *
 * The enumeration:
 *
 * The search state (struct simk_dfs) outlives the runs: it holds the path
 * of the last run as (candidates, chosen index) pairs. A run replays the
 * forced prefix and takes index 0 afterwards; simk_dfs_advance() then
 * finds the deepest decision with an untried alternative within the bound.
 * Runs must be deterministic for this to be sound — which is the point of
 * the whole simulator.
 *
 * A parallel search (simk explore --jobs) splits the tree into subtrees:
 * simk_dfs_restart() points the state at a path prefix and keeps advance()
 * from changing decisions below `fixed`, so the state walks only the paths
 * that start with that prefix, in the same order as the whole search would.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dpor_search.h"
#include "sim/policy.h"

#define DFS_MAX_DEPTH 1000000

struct simk_dfs {
	struct simk_dfs_opts o;
	struct dpor_search *dps; /* NULL: the enumeration */
	struct dpor_rec rec;
	struct dpor_hb hb; /* for simk_dfs_trace_class */
	/* the enumeration */
	uint64_t seeded[SIMK_DIM_COUNT]; /* data decisions it left to the seed */
	int bound;
	uint32_t *ncand;
	uint32_t *choice;
	size_t len, cap;
	size_t forced;     /* decisions of the prefix to replay */
	size_t fixed;      /* advance() never changes decisions below this */
	size_t pos;        /* decision index in the current run */
	uint64_t runs;
	bool overflow;
};

void simk_dfs_opts_default(struct simk_dfs_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->por = true;
	o->bound = -1;
	o->dim_bound[SIMK_DIM_LATENCY] = 2;
	o->dim_bound[SIMK_DIM_FAULT] = 1;
	o->dim_bound[SIMK_DIM_CRASH] = 3;
	o->dim_bound[SIMK_DIM_TEAR] = SIMK_DFS_NO_BOUND;
	o->latency_classes = 2;
}

const char *simk_dfs_dim_name(enum simk_dfs_dim d)
{
	static const char *const names[SIMK_DIM_COUNT] = {"latency", "faults", "crash", "tear"};
	return d < SIMK_DIM_COUNT ? names[d] : "?";
}

struct simk_dfs *simk_dfs_create_opts(const struct simk_dfs_opts *o)
{
	struct simk_dfs *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->o = *o;
	d->bound = o->bound < 0 ? INT_MAX - 1 : o->bound; /* enumeration: -1 is no bound */
	if (o->por) {
		d->dps = dps_create(o, &d->rec);
		if (d->dps == NULL) {
			free(d);
			return NULL;
		}
	}
	return d;
}

struct simk_dfs *simk_dfs_create(int bound)
{
	struct simk_dfs_opts o;
	simk_dfs_opts_default(&o);
	o.por = false;
	o.bound = bound < 0 ? 0 : bound;
	return simk_dfs_create_opts(&o);
}

void simk_dfs_destroy(struct simk_dfs *d)
{
	if (d == NULL)
		return;
	dps_destroy(d->dps);
	rec_free(&d->rec);
	hb_free(&d->hb);
	free(d->ncand);
	free(d->choice);
	free(d);
}

uint64_t simk_dfs_runs(const struct simk_dfs *d)
{
	if (d->dps != NULL) {
		struct simk_dfs_stats st;
		dps_stats(d->dps, &st);
		return st.runs;
	}
	return d->runs;
}

void simk_dfs_get_stats(const struct simk_dfs *d, struct simk_dfs_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (d->dps != NULL) {
		dps_stats(d->dps, out);
	} else {
		out->runs = d->runs;
		memcpy(out->dim_seeded, d->seeded, sizeof(out->dim_seeded));
	}
}

const struct simk_dfs_opts *simk_dfs_opts_of(const struct simk_dfs *d)
{
	return &d->o;
}

void simk_dfs_replay_last(struct simk_dfs *d)
{
	if (d->dps != NULL)
		dps_replay_last(d->dps);
	/* the enumeration replays its path until advance() moves it */
}

bool simk_dfs_last_cut(const struct simk_dfs *d)
{
	return d->dps != NULL && dps_was_cut(d->dps);
}

int simk_dfs_prefix_class(struct simk_dfs *d, size_t decision, uint64_t *cls)
{
	uint32_t m = 0;
	while (m < d->rec.n && d->rec.st[m].node != (int32_t)decision)
		m++;
	if (m == d->rec.n || !hb_analyse_upto(&d->hb, &d->rec, m, NULL, NULL, cls))
		return -1;
	/* the state there also says who may not run (a yielder) */
	*cls ^= (uint64_t)(uint32_t)d->rec.st[m].yielder * 0x9e3779b97f4a7c15ULL;
	return 0;
}

uint64_t simk_dfs_trace_class(struct simk_dfs *d)
{
	uint64_t h = 0;
	if (!hb_analyse(&d->hb, &d->rec, NULL, NULL, &h))
		return 0;
	return h;
}

static int deviations(const struct simk_dfs *d, size_t upto)
{
	int n = 0;
	for (size_t i = 0; i < upto; i++)
		n += d->choice[i] != 0;
	return n;
}

bool simk_dfs_advance(struct simk_dfs *d)
{
	if (d->dps != NULL)
		return dps_advance(d->dps);
	d->runs++;
	int dev = deviations(d, d->len);
	for (size_t i = d->len; i > d->fixed; i--) {
		size_t k = i - 1;
		int before = dev - (d->choice[k] != 0);
		if (d->choice[k] + 1 < d->ncand[k] && before + 1 <= d->bound) {
			d->choice[k]++;
			d->len = k + 1;
			d->forced = k + 1;
			return true;
		}
		dev = before;
	}
	return false;
}

size_t simk_dfs_path(const struct simk_dfs *d, const uint32_t **choice, const uint32_t **ncand)
{
	*choice = d->choice;
	*ncand = d->ncand;
	return d->len;
}

int simk_dfs_restart(struct simk_dfs *d, const uint32_t *choice, const uint32_t *ncand, size_t n,
		     size_t fixed)
{
	if (d->dps != NULL || n > DFS_MAX_DEPTH || fixed > n)
		return -1;
	int dev = 0;
	for (size_t i = 0; i < n; i++) {
		if (ncand[i] < 2 || choice[i] >= ncand[i])
			return -1; /* a recorded decision had a choice to make */
		dev += choice[i] != 0;
	}
	if (dev > d->bound)
		return -1;
	/* n <= cap when the caller passes the state's own arrays: no realloc */
	if (n > d->cap) {
		uint32_t *nc = realloc(d->ncand, n * sizeof(*nc));
		if (nc == NULL)
			return -1;
		d->ncand = nc;
		uint32_t *ch = realloc(d->choice, n * sizeof(*ch));
		if (ch == NULL)
			return -1;
		d->choice = ch;
		d->cap = n;
	}
	if (n > 0) { /* memmove: the caller may pass the state's own arrays */
		memmove(d->ncand, ncand, n * sizeof(*ncand));
		memmove(d->choice, choice, n * sizeof(*choice));
	}
	d->len = n;
	d->forced = n;
	d->fixed = fixed;
	return 0;
}

static int dfs_init(struct simk *s, char *err, size_t errlen)
{
	struct simk_dfs *d = s->opts.dfs;
	if (d == NULL) {
		snprintf(err, errlen, "policy dfs needs a search state (simk_dfs_create)");
		return -1;
	}
	s->policy_state = d;
	d->pos = 0;
	rec_reset(&d->rec);
	s->rec = &d->rec;
	sim_rec_active = &d->rec;
	if (d->dps != NULL)
		dps_run_begin(d->dps);
	return 0;
}

static void dfs_fini(struct simk *s)
{
	struct simk_dfs *d = s->policy_state;
	if (d != NULL) {
		rec_close(s);
		if (d->dps != NULL)
			dps_run_end(d->dps, s);
		d->len = d->pos; /* the path of this run, for advance() */
	}
	s->rec = NULL;
	sim_rec_active = NULL;
	s->policy_state = NULL;
}

static struct pick dfs_choose(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			      bool irq_due, int ncand)
{
	struct simk_dfs *d = s->policy_state;
	size_t i = d->pos;
	KASSERT(i < DFS_MAX_DEPTH, "dfs: path longer than %d decisions", DFS_MAX_DEPTH);
	d->rec.next_node = (int32_t)i; /* the step it starts knows its decision */
	d->pos++; /* after the check: the path stays one of recorded decisions */
	uint32_t idx = 0;
	if (i < d->forced) {
		KASSERT(d->ncand[i] == (uint32_t)ncand,
			"dfs: decision %zu had %u candidates, now %d (run not deterministic?)", i,
			d->ncand[i], ncand);
		idx = d->choice[i];
	} else {
		if (i >= d->cap) {
			size_t ncap = d->cap ? d->cap * 2 : 256;
			uint32_t *nc = realloc(d->ncand, ncap * sizeof(*nc));
			if (nc == NULL)
				sim_panic("dfs: out of host memory");
			d->ncand = nc;
			uint32_t *ch = realloc(d->choice, ncap * sizeof(*ch));
			if (ch == NULL)
				sim_panic("dfs: out of host memory");
			d->choice = ch;
			d->cap = ncap;
		}
		d->ncand[i] = (uint32_t)ncand;
		d->choice[i] = 0;
	}
	struct pick p = { false, NULL };
	uint32_t k = idx;
	/* Candidate order: the current thread (absent at a yield while
	 * another thread can run: dfs_point), then the run queue, then the
	 * interrupt. */
	(void)kind;
	if (cur != NULL) {
		if (k == 0) {
			p.t = cur;
			return p;
		}
		k--;
	}
	if (k < (uint32_t)s->nrunnable) {
		p.t = runq_nth(s, (int)k);
		return p;
	}
	KASSERT(irq_due, "dfs: choice %u out of range", idx);
	KASSERT(k == (uint32_t)s->nrunnable, "dfs: choice %u out of range", idx);
	p.irq = true;
	return p;
}

static struct pick dfs_point(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			     bool irq_due, int ncand)
{
	struct simk_dfs *d = s->policy_state;
	if (d->dps != NULL)
		return dps_point(d->dps, s, kind, cur, irq_due);
	/* A yield lets another thread run when there is one, as every other
	 * policy does: the yielder going on is not a behaviour to search. */
	if (cur != NULL && kind == PT_YIELD)
		rec_yield(s, cur->tid, s->nrunnable > 0);
	if (cur != NULL && kind == PT_YIELD && s->nrunnable > 0) {
		cur = NULL;
		ncand--;
	}
	if (ncand == 1)
		return (struct pick){irq_due, irq_due ? NULL : (cur != NULL ? cur : runq_first(s))};
	return dfs_choose(s, kind, cur, irq_due, ncand);
}

static int dfs_decide(struct simk *s, enum simk_dfs_dim dim, uint32_t n)
{
	struct simk_dfs *d = s->policy_state;
	if (d->dps != NULL)
		return dps_decide(d->dps, s, dim, n);
	d->seeded[dim < SIMK_DIM_COUNT ? dim : 0]++; /* the enumeration leaves them to the seed */
	return -1;
}

static uint32_t dfs_latency_classes(struct simk *s)
{
	struct simk_dfs *d = s->policy_state;
	if (d->dps == NULL || d->o.dim_bound[SIMK_DIM_LATENCY] == SIMK_DFS_SEED)
		return 0;
	int k = d->o.latency_classes;
	return k < 2 ? 2 : k > 16 ? 16 : (uint32_t)k;
}

const struct sim_policy policy_dfs = {
	.name = "dfs",
	.init = dfs_init,
	.fini = dfs_fini,
	.choose = dfs_choose,
	.point = dfs_point,
	.decide = dfs_decide,
	.latency_classes = dfs_latency_classes,
};
