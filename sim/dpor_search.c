/*
 * The dfs search with partial-order reduction: source-DPOR with sleep sets
 * (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial order
 * reduction", POPL 2014, Algorithm 2; building on Flanagan and Godefroid,
 * "Dynamic partial-order reduction for model checking software", POPL
 * 2005). Stateless: every run starts from scratch and replays a prefix.
 *
 * The one invariant: every Mazurkiewicz trace of the program (every order
 * of dependent steps that some interleaving produces) is the trace of at
 * least one run the search makes. It holds because
 *  - after each run, for every race (e, k) (sim/dpor.h) the search makes
 *    sure that at the node where e was chosen, some thread that can start
 *    the reversed order (an "initial" of the steps after e that do not
 *    depend on e, followed by k) is explored too;
 *  - sleep sets only skip a thread whose next step was already explored
 *    from an equivalent state: after alternative p was explored at a node,
 *    the later siblings carry p, with the accesses of p's step, until a
 *    step dependent with it runs. A run that reaches a point where every
 *    enabled thread sleeps is covered by another run; it is cut short.
 *
 * Nodes are the points of a run where the search could choose: a switch
 * point with two or more candidates (the running thread if it may go on,
 * the runnable threads in queue order, "deliver the due interrupt"), and
 * data decisions (a device latency, a fault firing, a crash state:
 * sim_decide), whose alternatives are all explored, up to the bound of
 * their dimension. At a yield the yielder is not a candidate while another
 * thread can run, so a polling loop makes progress.
 *
 * --bound B adds a preemption bound (switching away from a thread that
 * could go on, to another thread or to an interrupt, at a point that is not
 * a yield): an alternative that would exceed it is not added, and counted,
 * so the summary can say the search covered less than every trace.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/dpor_search.h"
#include "sim/policy.h"

enum { ALT_BT = 1, ALT_DONE = 2 };
enum { DN_SCHED = 0, DN_DATA = 1 };

struct accset {
	struct dpor_acc *a;
	uint32_t n;
	uint32_t flags; /* STEP_* of the step */
	bool known;
};

struct sleeper {
	int32_t id;
	struct accset acc;
};

struct dnode {
	uint8_t kind;
	uint8_t dim;
	int32_t cur; /* sched: the thread that may go on at a preemptible point, -1 */
	uint32_t nalt;
	int32_t *alt;	    /* sched: candidate ids in order */
	uint8_t *st;	    /* per alternative: ALT_BT | ALT_DONE */
	struct accset *acc; /* sched, per alternative: the step it took */
	uint32_t chosen;
	struct sleeper *sleep; /* the sleep set when the decision was made */
	uint32_t nsleep;
	uint32_t preempts; /* on the path before this node */
	uint32_t nd;	   /* data: non-default choices of its dimension before it */
};

struct dpor_search {
	struct simk_dfs_opts o;
	struct dpor_rec *rec;
	struct dpor_hb hb;
	struct dnode *nodes;
	size_t nnodes, cap;
	size_t forced; /* nodes the next run replays */
	size_t fixed;  /* advance() never changes a node below this */
	size_t pos;    /* nodes passed in this run */
	uint32_t seen; /* steps of this run already processed */
	struct sleeper *sleep;
	uint32_t nsleep, sleep_cap;
	bool sleep_live; /* past the replayed prefix: the sleep set is maintained */
	uint32_t preempts;
	uint32_t nd[SIMK_DIM_COUNT];
	bool cut;
	int32_t *alts; /* scratch: candidates of one point */
	size_t alts_cap;
	int32_t *first; /* scratch by tid: first step of the thread in v, -1 */
	uint8_t *initial;
	size_t first_cap;
	uint64_t last_class;
	uint32_t (*races)[2]; /* of the last run: (e, k) */
	size_t nraces, races_cap;
	struct simk_dfs_stats stats;
};

/* ---- small helpers ---------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
	void *np = realloc(p, n ? n : 1);
	if (np == NULL)
		sim_panic("dfs: out of host memory");
	return np;
}

static void acc_free(struct accset *a)
{
	free(a->a);
	memset(a, 0, sizeof(*a));
}

static void acc_copy(struct accset *dst, const struct accset *src)
{
	dst->n = src->n;
	dst->flags = src->flags;
	dst->known = src->known;
	dst->a = src->n ? xrealloc(NULL, src->n * sizeof(*dst->a)) : NULL;
	if (src->n)
		memcpy(dst->a, src->a, src->n * sizeof(*dst->a));
}

static void acc_of_step(struct accset *dst, const struct dpor_rec *r, uint32_t k)
{
	const struct dpor_step *st = &r->st[k];
	struct accset src = {r->acc + st->acc, st->nacc, st->flags, true};
	acc_copy(dst, &src);
}

/* A process's reaper step runs right after the exit step that led to it,
 * with no choice in between: for a sleep set, the exit's transition is
 * both, so the reaper's accesses join the exit's. */
static void acc_join_step(struct accset *dst, const struct dpor_rec *r, uint32_t k)
{
	const struct dpor_step *st = &r->st[k];
	dst->flags |= st->flags;
	dst->a = xrealloc(dst->a, (dst->n + st->nacc) * sizeof(*dst->a));
	for (uint32_t i = 0; i < st->nacc; i++) {
		const struct dpor_acc *a = &r->acc[st->acc + i];
		uint32_t j = 0;
		while (j < dst->n && dst->a[j].oid != a->oid)
			j++;
		if (j == dst->n)
			dst->a[dst->n++] = *a;
		else
			dst->a[j].mode |= a->mode;
	}
}

/* A sleeping step may stay asleep across a step only when both are
 * precisely annotated and share no conflicting access. */
static bool sleeper_usable(const struct accset *a)
{
	return a->known && !(a->flags & (STEP_GLOBAL | STEP_BARRIER | STEP_DATA));
}

static void node_free(struct dnode *n)
{
	if (n->acc != NULL)
		for (uint32_t i = 0; i < n->nalt; i++)
			acc_free(&n->acc[i]);
	for (uint32_t i = 0; i < n->nsleep; i++)
		acc_free(&n->sleep[i].acc);
	free(n->alt);
	free(n->st);
	free(n->acc);
	free(n->sleep);
	memset(n, 0, sizeof(*n));
}

static void truncate_nodes(struct dpor_search *d, size_t n)
{
	while (d->nnodes > n)
		node_free(&d->nodes[--d->nnodes]);
}

static void sleep_clear(struct dpor_search *d)
{
	for (uint32_t i = 0; i < d->nsleep; i++)
		acc_free(&d->sleep[i].acc);
	d->nsleep = 0;
}

static bool sleep_has(const struct sleeper *s, uint32_t n, int32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i].id == id)
			return true;
	return false;
}

static void sleep_add(struct dpor_search *d, int32_t id, const struct accset *acc)
{
	if (!sleeper_usable(acc) || sleep_has(d->sleep, d->nsleep, id))
		return;
	if (d->nsleep == d->sleep_cap) {
		d->sleep_cap = d->sleep_cap ? d->sleep_cap * 2 : 8;
		d->sleep = xrealloc(d->sleep, d->sleep_cap * sizeof(*d->sleep));
	}
	d->sleep[d->nsleep].id = id;
	acc_copy(&d->sleep[d->nsleep].acc, acc);
	d->nsleep++;
}

/* The sleep set of a node, as it was when its decision was made. */
static void sleep_snapshot(const struct dpor_search *d, struct dnode *n)
{
	n->nsleep = d->nsleep;
	n->sleep = d->nsleep ? xrealloc(NULL, d->nsleep * sizeof(*n->sleep)) : NULL;
	for (uint32_t i = 0; i < d->nsleep; i++) {
		n->sleep[i].id = d->sleep[i].id;
		acc_copy(&n->sleep[i].acc, &d->sleep[i].acc);
	}
}

static void sleep_restore(struct dpor_search *d, const struct dnode *n)
{
	sleep_clear(d);
	for (uint32_t i = 0; i < n->nsleep; i++)
		sleep_add(d, n->sleep[i].id, &n->sleep[i].acc);
	if (n->kind == DN_SCHED)
		for (uint32_t i = 0; i < n->nalt; i++)
			if ((n->st[i] & ALT_DONE) && i != n->chosen)
				sleep_add(d, n->alt[i], &n->acc[i]);
	d->sleep_live = true;
}

/* Wakes every sleeper that step k depends on. */
static void sleep_filter(struct dpor_search *d, uint32_t k)
{
	const struct dpor_step *st = &d->rec->st[k];
	const struct dpor_acc *a = d->rec->acc + st->acc;
	uint32_t w = 0;
	for (uint32_t i = 0; i < d->nsleep; i++) {
		struct sleeper *sl = &d->sleep[i];
		if (sl->id == st->tid ||
		    dpor_dependent(sl->acc.a, sl->acc.n, sl->acc.flags, a, st->nacc, st->flags)) {
			acc_free(&sl->acc);
			continue;
		}
		d->sleep[w++] = *sl;
	}
	d->nsleep = w;
}

/* Steps closed since the last look: keep the step each alternative took,
 * and move the sleep set along. */
static void process_closed(struct dpor_search *d)
{
	struct dpor_rec *r = d->rec;
	uint32_t upto = r->open >= 0 ? (uint32_t)r->open : r->n;
	for (; d->seen < upto; d->seen++) {
		const struct dpor_step *st = &r->st[d->seen];
		if (st->node >= 0 && (size_t)st->node < d->nnodes) {
			struct dnode *n = &d->nodes[st->node];
			if (n->kind == DN_SCHED && !n->acc[n->chosen].known)
				acc_of_step(&n->acc[n->chosen], r, d->seen);
			else if (n->kind == DN_SCHED && st->tid < 0 && d->seen > 0 &&
				 r->st[d->seen - 1].node == st->node)
				acc_join_step(&n->acc[n->chosen], r, d->seen);
		}
		if (d->sleep_live)
			sleep_filter(d, d->seen);
	}
}

static struct dnode *node_new(struct dpor_search *d)
{
	if (d->nnodes == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->nodes = xrealloc(d->nodes, d->cap * sizeof(*d->nodes));
	}
	struct dnode *n = &d->nodes[d->nnodes++];
	memset(n, 0, sizeof(*n));
	return n;
}

/* ---- the run ------------------------------------------------------------ */

void dps_run_begin(struct dpor_search *d)
{
	d->pos = 0;
	d->seen = 0;
	d->preempts = 0;
	memset(d->nd, 0, sizeof(d->nd));
	d->cut = false;
	sleep_clear(d);
	d->sleep_live = d->forced == 0;
}

static uint32_t candidates(struct dpor_search *d, struct simk *s, enum point_kind kind,
			   struct simk_thread *cur, bool irq_due)
{
	size_t need = (size_t)s->nrunnable + 2;
	if (need > d->alts_cap) {
		d->alts_cap = need * 2;
		d->alts = xrealloc(d->alts, d->alts_cap * sizeof(*d->alts));
	}
	uint32_t n = 0;
	bool yield_away = cur != NULL && kind == PT_YIELD && s->nrunnable > 0;
	if (cur != NULL && !yield_away)
		d->alts[n++] = cur->tid;
	for (struct list_node *l = s->runq.next; l != &s->runq; l = l->next)
		d->alts[n++] = list_entry(l, struct simk_thread, rq)->tid;
	if (irq_due)
		d->alts[n++] = DPOR_IRQ;
	return n;
}

static struct pick pick_of(struct simk *s, int32_t id)
{
	struct pick p = {id == DPOR_IRQ, NULL};
	if (id != DPOR_IRQ)
		p.t = s->threads[id - 1];
	return p;
}

static struct pick cut_run(struct dpor_search *d, struct simk *s)
{
	d->cut = true;
	s->cut = true;
	s->stop = true;
	return (struct pick){false, NULL};
}

struct pick dps_point(struct dpor_search *d, struct simk *s, enum point_kind kind,
		      struct simk_thread *cur, bool irq_due)
{
	if (cur != NULL && kind == PT_YIELD)
		rec_yield(s, cur->tid, s->nrunnable > 0); /* before its step is looked at */
	process_closed(d);
	uint32_t nalt = candidates(d, s, kind, cur, irq_due);
	KASSERT(nalt >= 1, "dfs: a switch point with no candidate");
	if (nalt == 1) {
		if (d->sleep_live && sleep_has(d->sleep, d->nsleep, d->alts[0]))
			return cut_run(d, s);
		return pick_of(s, d->alts[0]);
	}
	struct dnode *n;
	size_t at = d->pos;
	if (at < d->forced) {
		n = &d->nodes[at];
		KASSERT(n->kind == DN_SCHED,
			"dfs: node %zu has other candidates than when it was recorded (run not "
			"deterministic?)",
			at);
		KASSERT(n->nalt == nalt,
			"dfs: node %zu has other candidates than when it was recorded (run not "
			"deterministic?)",
			at);
		KASSERT(memcmp(n->alt, d->alts, nalt * sizeof(*n->alt)) == 0,
			"dfs: node %zu has other candidates than when it was recorded (run not "
			"deterministic?)",
			at);
		if (at + 1 == d->forced)
			sleep_restore(d, n);
	} else {
		KASSERT(at == d->nnodes, "dfs: node %zu recorded out of order", at);
		uint32_t pick = nalt;
		for (uint32_t i = 0; i < nalt && pick == nalt; i++)
			if (!sleep_has(d->sleep, d->nsleep, d->alts[i]))
				pick = i;
		if (pick == nalt)
			return cut_run(d, s);
		n = node_new(d);
		n->kind = DN_SCHED;
		n->cur = cur != NULL && kind != PT_YIELD ? cur->tid : -1;
		n->nalt = nalt;
		n->alt = xrealloc(NULL, nalt * sizeof(*n->alt));
		memcpy(n->alt, d->alts, nalt * sizeof(*n->alt));
		n->st = xrealloc(NULL, nalt);
		memset(n->st, 0, nalt);
		n->acc = xrealloc(NULL, nalt * sizeof(*n->acc));
		memset(n->acc, 0, nalt * sizeof(*n->acc));
		n->chosen = pick;
		n->st[pick] = ALT_BT | ALT_DONE;
		n->preempts = d->preempts;
		sleep_snapshot(d, n);
	}
	int32_t id = n->alt[n->chosen];
	if (n->cur >= 0 && id != n->cur)
		d->preempts++; /* another thread, or an interrupt, takes over */
	d->rec->next_node = (int32_t)at;
	d->pos++;
	return pick_of(s, id);
}

int dps_decide(struct dpor_search *d, struct simk *s, enum simk_dfs_dim dim, uint32_t nalt)
{
	if (dim >= SIMK_DIM_COUNT || d->o.dim_bound[dim] < 0) {
		d->stats.dim_seeded[dim < SIMK_DIM_COUNT ? dim : 0]++;
		return -1; /* this dimension is the seed's */
	}
	process_closed(d);
	rec_flag(s, STEP_DATA);
	if (nalt < 2)
		return 0;
	struct dnode *n;
	size_t at = d->pos;
	if (at < d->forced) {
		n = &d->nodes[at];
		KASSERT(n->kind == DN_DATA,
			"dfs: data decision %zu is not the one recorded (run not deterministic?)",
			at);
		KASSERT(n->dim == dim,
			"dfs: data decision %zu is not the one recorded (run not deterministic?)",
			at);
		KASSERT(n->nalt == nalt,
			"dfs: data decision %zu is not the one recorded (run not deterministic?)",
			at);
		if (at + 1 == d->forced)
			sleep_restore(d, n);
	} else {
		KASSERT(at == d->nnodes, "dfs: node %zu recorded out of order", at);
		n = node_new(d);
		n->kind = DN_DATA;
		n->dim = (uint8_t)dim;
		n->cur = -1;
		n->nalt = nalt;
		n->st = xrealloc(NULL, nalt);
		memset(n->st, 0, nalt);
		n->chosen = 0;
		n->st[0] = ALT_BT | ALT_DONE;
		n->nd = d->nd[dim];
		bool more = d->nd[dim] + 1 <= (uint32_t)d->o.dim_bound[dim];
		for (uint32_t i = 1; i < nalt; i++)
			n->st[i] = more ? ALT_BT : 0;
		if (!more)
			d->stats.dim_cut[dim] += nalt - 1;
		d->stats.dim_nodes[dim]++;
		sleep_snapshot(d, n);
	}
	if (n->chosen != 0)
		d->nd[dim]++;
	d->pos++;
	return (int)n->chosen;
}

void dps_run_end(struct dpor_search *d, struct simk *s)
{
	if (s->outcome == SIMK_PASS && !s->cut)
		process_closed(d); /* the last steps are whole: keep what they took */
}

/* ---- after the run: races and the next path ----------------------------- */

static void fit_first(struct dpor_search *d, uint32_t ntid)
{
	if (ntid <= d->first_cap)
		return;
	size_t old = d->first_cap;
	d->first_cap = ntid * 2;
	d->first = xrealloc(d->first, d->first_cap * sizeof(*d->first));
	d->initial = xrealloc(d->initial, d->first_cap);
	for (size_t i = old; i < d->first_cap; i++) {
		d->first[i] = -1;
		d->initial[i] = 0;
	}
}

/*
 * The initials of v = notdep(e).k: the threads whose first step in v
 * depends on no earlier step of v. Marks d->initial[tid]; returns the
 * threads seen in v (to reset) in d->alts.
 */
static uint32_t initials(struct dpor_search *d, uint32_t e, uint32_t k)
{
	const struct dpor_rec *r = d->rec;
	const struct dpor_hb *hb = &d->hb;
	fit_first(d, hb->T);
	if (d->alts_cap < hb->T + 1) {
		d->alts_cap = hb->T + 1;
		d->alts = xrealloc(d->alts, d->alts_cap * sizeof(*d->alts));
	}
	uint32_t nseen = 0;
	for (uint32_t j = e + 1; j <= k; j++) {
		if (j < k && hb_before(hb, r, e, j))
			continue; /* not in v */
		int32_t t = (int32_t)rec_actor(r, r->st[j].tid);
		if (d->first[t] >= 0)
			continue;
		bool init = true;
		for (uint32_t i = 0; i < nseen && init; i++)
			init = !hb_before(hb, r, (uint32_t)d->first[d->alts[i]], j);
		d->first[t] = (int32_t)j;
		d->initial[t] = init;
		d->alts[nseen++] = t;
	}
	return nseen;
}

static void initials_reset(struct dpor_search *d, uint32_t nseen)
{
	for (uint32_t i = 0; i < nseen; i++) {
		d->first[d->alts[i]] = -1;
		d->initial[d->alts[i]] = 0;
	}
}

static bool is_initial(const struct dpor_search *d, int32_t id)
{
	return (size_t)id < d->first_cap && d->initial[id];
}

static void add_alt(struct dpor_search *d, struct dnode *n, uint32_t i)
{
	if (n->st[i] & (ALT_BT | ALT_DONE))
		return;
	int32_t id = n->alt[i];
	if (d->o.bound >= 0 && n->cur >= 0 && id != n->cur &&
	    n->preempts + 1 > (uint32_t)d->o.bound) {
		d->stats.bound_cut++;
		return;
	}
	n->st[i] |= ALT_BT;
	d->stats.backtracks++;
}

/* Races are kept during the analysis and reversed after it: the initials
 * of a race need the final clock of its later step. */
static void on_race(void *ctx, uint32_t e, uint32_t k)
{
	struct dpor_search *d = ctx;
	if (d->nraces == d->races_cap) {
		d->races_cap = d->races_cap ? d->races_cap * 2 : 256;
		d->races = xrealloc(d->races, d->races_cap * sizeof(*d->races));
	}
	d->races[d->nraces][0] = e;
	d->races[d->nraces][1] = k;
	d->nraces++;
}

static void reverse_race(struct dpor_search *d, uint32_t e, uint32_t k)
{
	d->stats.races++;
	int32_t ni = d->rec->st[e].node;
	if (ni < 0 || (size_t)ni >= d->nnodes || (size_t)ni < d->fixed) {
		if (ni < 0 || (size_t)ni >= d->nnodes)
			d->stats.unreversible++;
		else
			d->stats.outside++; /* above this search's subtree */
		return;
	}
	struct dnode *n = &d->nodes[ni];
	KASSERT(n->kind == DN_SCHED, "dfs: a race at a data decision");
	uint32_t nseen = initials(d, e, k);
	bool covered = false;
	for (uint32_t i = 0; i < n->nalt && !covered; i++)
		covered = (n->st[i] & (ALT_BT | ALT_DONE)) && is_initial(d, n->alt[i]);
	if (!covered) {
		uint32_t q = n->nalt;
		int32_t kt = d->rec->st[k].tid;
		for (uint32_t i = 0; i < n->nalt; i++) {
			if (!is_initial(d, n->alt[i]))
				continue;
			if (q == n->nalt || n->alt[i] == kt)
				q = i;
		}
		if (q < n->nalt) {
			add_alt(d, n, q);
		} else {
			/* no initial can run there: the dependence relation missed
			 * something; trying every candidate stays sound */
			d->stats.fallbacks++;
			for (uint32_t i = 0; i < n->nalt; i++)
				add_alt(d, n, i);
		}
	}
	initials_reset(d, nseen);
}

/* A step that took a due event away disabled the interrupt thread, which
 * was a candidate where the step was chosen: delivering it first there is
 * another order to try (a race with an interrupt that never ran, so the
 * race analysis cannot see it). */
static void irq_disablings(struct dpor_search *d)
{
	const struct dpor_rec *r = d->rec;
	for (uint32_t i = 0; i < r->nirq_dis; i++) {
		int32_t ni = r->st[r->irq_dis[i]].node;
		if (ni < 0 || (size_t)ni >= d->nnodes || (size_t)ni < d->fixed)
			continue;
		struct dnode *n = &d->nodes[ni];
		for (uint32_t a = 0; a < n->nalt; a++)
			if (n->kind == DN_SCHED && n->alt[a] == DPOR_IRQ)
				add_alt(d, n, a);
	}
}

/* The run could not be analysed: every alternative of every node of it. */
static void try_everything(struct dpor_search *d)
{
	d->stats.unanalysed++;
	for (size_t i = d->fixed; i < d->nnodes; i++) {
		struct dnode *n = &d->nodes[i];
		if (n->kind == DN_SCHED)
			for (uint32_t a = 0; a < n->nalt; a++)
				add_alt(d, n, a);
	}
}

bool dps_advance(struct dpor_search *d)
{
	d->stats.runs++;
	if (d->cut)
		d->stats.cut++;
	d->last_class = 0;
	d->nraces = 0;
	if (!hb_analyse(&d->hb, d->rec, on_race, d, &d->last_class))
		try_everything(d);
	else
		for (size_t i = 0; i < d->nraces; i++)
			reverse_race(d, d->races[i][0], d->races[i][1]);
	irq_disablings(d);
	for (size_t i = d->nnodes; i > d->fixed; i--) {
		struct dnode *n = &d->nodes[i - 1];
		for (uint32_t a = 0; a < n->nalt; a++) {
			if ((n->st[a] & (ALT_BT | ALT_DONE)) != ALT_BT)
				continue;
			if (n->kind == DN_SCHED && sleep_has(n->sleep, n->nsleep, n->alt[a]))
				continue; /* an equivalent run was made from here */
			n->st[a] |= ALT_DONE;
			n->chosen = a;
			if (n->kind == DN_SCHED)
				acc_free(&n->acc[a]);
			truncate_nodes(d, i);
			d->forced = i;
			return true;
		}
	}
	truncate_nodes(d, d->fixed);
	d->forced = d->fixed;
	return false;
}

void dps_replay_last(struct dpor_search *d)
{
	d->forced = d->nnodes;
}

/* ---- lifetime and queries ------------------------------------------------ */

struct dpor_search *dps_create(const struct simk_dfs_opts *o, struct dpor_rec *rec)
{
	struct dpor_search *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->o = *o;
	d->rec = rec;
	return d;
}

void dps_destroy(struct dpor_search *d)
{
	if (d == NULL)
		return;
	truncate_nodes(d, 0);
	free(d->nodes);
	sleep_clear(d);
	free(d->sleep);
	free(d->alts);
	free(d->first);
	free(d->initial);
	free(d->races);
	hb_free(&d->hb);
	free(d);
}

void dps_stats(const struct dpor_search *d, struct simk_dfs_stats *out)
{
	*out = d->stats;
}

uint64_t dps_class(const struct dpor_search *d)
{
	return d->last_class;
}

bool dps_was_cut(const struct dpor_search *d)
{
	return d->cut;
}
