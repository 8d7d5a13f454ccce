/*
 * dfs: stateless, bounded exhaustive exploration of the decision tree (in
 * the spirit of CHESS's iterative context bounding, with a bound on the
 * number of non-default choices — "delays" — instead of preemptions).
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
#include <stdlib.h>
#include <string.h>

#include "sim/policy.h"

#define DFS_MAX_DEPTH 1000000

struct simk_dfs {
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

struct simk_dfs *simk_dfs_create(int bound)
{
	struct simk_dfs *d = calloc(1, sizeof(*d));
	if (d != NULL)
		d->bound = bound < 0 ? 0 : bound;
	return d;
}

void simk_dfs_destroy(struct simk_dfs *d)
{
	if (d == NULL)
		return;
	free(d->ncand);
	free(d->choice);
	free(d);
}

uint64_t simk_dfs_runs(const struct simk_dfs *d)
{
	return d->runs;
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
	if (n > DFS_MAX_DEPTH || fixed > n)
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
	if (s->opts.dfs == NULL) {
		snprintf(err, errlen, "policy dfs needs a search state (simk_dfs_create)");
		return -1;
	}
	s->policy_state = s->opts.dfs;
	s->opts.dfs->pos = 0;
	return 0;
}

static void dfs_fini(struct simk *s)
{
	struct simk_dfs *d = s->policy_state;
	if (d != NULL)
		d->len = d->pos; /* the path of this run, for advance() */
	s->policy_state = NULL;
}

static struct pick dfs_choose(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			      bool irq_due, int ncand)
{
	struct simk_dfs *d = s->policy_state;
	size_t i = d->pos;
	KASSERT(i < DFS_MAX_DEPTH, "dfs: path longer than %d decisions", DFS_MAX_DEPTH);
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
	/* Candidate order: the current thread, then the run queue, then the
	 * interrupt — except at a yield, where the current thread goes after
	 * the run queue, so that the default path (index 0 everywhere) lets
	 * the others run instead of spinning in the yielder forever. */
	bool cur_last = cur != NULL && kind == PT_YIELD && s->nrunnable > 0;
	if (cur != NULL && !cur_last) {
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
	if (cur_last) {
		if (k == (uint32_t)s->nrunnable) {
			p.t = cur;
			return p;
		}
		k--;
	}
	KASSERT(irq_due, "dfs: choice %u out of range", idx);
	KASSERT(k == (uint32_t)s->nrunnable, "dfs: choice %u out of range", idx);
	p.irq = true;
	return p;
}

const struct sim_policy policy_dfs = {
	.name = "dfs",
	.init = dfs_init,
	.fini = dfs_fini,
	.choose = dfs_choose,
};
