/*
 * guide: default choices except where the guide (sim/guide.h) names a
 * deviation. The one tricky invariant: a decision's key must be computed
 * the same way whether or not a choice is taken there, so the policy sees
 * every switch point (the `point` hook, called with one candidate too) and
 * counts it for the thread on whose stack it happens; a run that follows
 * the same deviations is then the same run, decision for decision.
 *
 * A deviation that cannot be taken where its key comes up (the thread it
 * names is not runnable there, no interrupt is due) is dropped: the
 * default is taken instead and the step shows it. The caller learns from
 * the steps which deviations a run really took.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/guide.h"
#include "sim/policy.h"

int guide_dev_cmp(const void *a, const void *b)
{
	const struct guide_dev *x = a, *y = b;
	if (x->actor != y->actor)
		return x->actor < y->actor ? -1 : 1;
	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	if (x->iter != y->iter)
		return x->iter < y->iter ? -1 : 1;
	return 0;
}

void guide_free(struct simk_guide *g)
{
	free(g->steps);
	free(g->points);
	g->steps = NULL;
	g->nsteps = g->steps_cap = 0;
	g->points = NULL;
	g->points_cap = 0;
}

static int guide_init(struct simk *s, char *err, size_t errlen)
{
	struct simk_guide *g = s->opts.guide;
	if (g == NULL) {
		snprintf(err, errlen, "policy guide needs a guide (simk shrink)");
		return -1;
	}
	g->nsteps = 0;
	g->diverged = false;
	g->diverged_at = 0;
	g->out_of_memory = false;
	if (g->points != NULL)
		memset(g->points, 0, g->points_cap * sizeof(*g->points));
	g->last_actor = -1;
	g->last_irq = false;
	g->iter = 0;
	memset(g->data_n, 0, sizeof(g->data_n));
	g->pos_i = 0;
	s->policy_state = g;
	return 0;
}

static void guide_fini(struct simk *s)
{
	s->policy_state = NULL; /* the guide is the caller's */
}

/* The number of the switch point tid is at now (host: tid 0). */
static uint32_t *points_of(struct simk_guide *g, int32_t tid)
{
	size_t need = (size_t)tid + 1;
	if (need > g->points_cap) {
		size_t ncap = g->points_cap ? g->points_cap : 64;
		while (ncap < need)
			ncap *= 2;
		uint32_t *np = realloc(g->points, ncap * sizeof(*np));
		if (np == NULL)
			sim_panic("guide: out of host memory for %zu threads", need);
		memset(np + g->points_cap, 0, (ncap - g->points_cap) * sizeof(*np));
		g->points = np;
		g->points_cap = ncap;
	}
	return &g->points[tid];
}

static void keep_step(struct simk_guide *g, const struct guide_step *st)
{
	if (g->nsteps == g->steps_cap) {
		size_t ncap = g->steps_cap ? g->steps_cap * 2 : 256;
		struct guide_step *ns = realloc(g->steps, ncap * sizeof(*ns));
		if (ns == NULL) {
			g->out_of_memory = true;
			return;
		}
		g->steps = ns;
		g->steps_cap = ncap;
	}
	g->steps[g->nsteps++] = *st;
}

/* fifo's choice: a due interrupt, else the running thread (not at its own
 * yield), else the longest-waiting runnable thread. */
static int32_t default_choice(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			      bool irq_due)
{
	if (irq_due)
		return 0;
	if (cur != NULL && kind != PT_YIELD)
		return cur->tid;
	struct simk_thread *t = runq_first(s);
	return t != NULL ? t->tid : cur->tid;
}

/* Whether choice c is a candidate here. */
static bool can_take(struct simk *s, enum point_kind kind, struct simk_thread *cur, bool irq_due,
		     int32_t c)
{
	if (c == 0)
		return irq_due;
	if (SIM_DECISION_IS_DATA(c))
		return false;
	struct simk_thread *t = sim_thread_by_tid(c);
	if (t == NULL)
		return false;
	if (t == cur) /* the yielder is no candidate at its yield while another can run */
		return !(kind == PT_YIELD && s->nrunnable > 0);
	return t->state == TS_RUNNABLE;
}

static const struct guide_dev *find_dev(const struct simk_guide *g, const struct guide_dev *key)
{
	if (g->ndev == 0)
		return NULL;
	return bsearch(key, g->dev, g->ndev, sizeof(*g->dev), guide_dev_cmp);
}

static struct pick pick_of(int32_t c)
{
	struct pick p = {c == 0, c == 0 ? NULL : sim_thread_by_tid(c)};
	return p;
}

static struct pick guide_point(struct simk *s, enum point_kind kind, struct simk_thread *cur,
			       bool irq_due, int ncand)
{
	struct simk_guide *g = s->policy_state;
	struct simk_thread *self = s->on_stack;
	int32_t actor = self != NULL ? self->tid : 0;
	uint32_t point;
	if (g->last_irq && actor == g->last_actor) {
		g->iter++; /* the same switch point goes on after an interrupt */
		point = *points_of(g, actor) - 1;
	} else {
		uint32_t *np = points_of(g, actor);
		point = (*np)++;
		g->iter = 0;
	}
	g->last_actor = actor;
	int32_t deflt = default_choice(s, kind, cur, irq_due);
	int32_t choice = deflt;
	if (ncand >= 2) {
		if (g->pos != NULL) {
			if (g->pos_i < g->npos) {
				int64_t x = g->pos[g->pos_i++];
				if (can_take(s, kind, cur, irq_due, x)) {
					choice = x;
				} else if (!g->diverged) {
					g->diverged = true;
					g->diverged_at = g->pos_i;
				}
			}
		} else {
			struct guide_dev key = {actor, point, g->iter, 0};
			const struct guide_dev *d = find_dev(g, &key);
			if (d != NULL && can_take(s, kind, cur, irq_due, d->choice))
				choice = d->choice;
		}
		struct guide_step st = {{actor, point, g->iter, choice},
					deflt,
					(uint8_t)kind,
					cur != NULL && kind != PT_YIELD && choice != 0 &&
					    choice != cur->tid,
					(uint32_t)ncand};
		keep_step(g, &st);
		if (g->note != NULL && guide_step_deviates(&st))
			g->note(g->note_arg, &st, self,
				choice != 0 ? sim_thread_by_tid(choice) : NULL);
	}
	g->last_irq = choice == 0;
	return pick_of(choice);
}

static int guide_decide(struct simk *s, enum simk_dfs_dim dim, uint32_t n)
{
	struct simk_guide *g = s->policy_state;
	uint32_t ord = g->data_n[dim]++;
	int v = -1;
	if (g->pos != NULL) {
		if (g->pos_i < g->npos && SIM_DECISION_IS_DATA(g->pos[g->pos_i])) {
			int64_t x = g->pos[g->pos_i++];
			if (SIM_DECISION_DIM(x) == (int32_t)dim &&
			    (uint32_t)SIM_DECISION_VALUE(x) < n)
				v = SIM_DECISION_VALUE(x);
			else if (!g->diverged) {
				g->diverged = true;
				g->diverged_at = g->pos_i;
			}
		}
	} else {
		struct guide_dev key = {-1 - (int32_t)dim, ord, 0, 0};
		const struct guide_dev *d = find_dev(g, &key);
		if (d != NULL && d->choice >= 0 && (uint32_t)d->choice < n)
			v = d->choice;
		else if (g->data_dims & (1u << dim))
			v = 0;
	}
	if (v >= 0) {
		struct guide_step st = {
		    {-1 - (int32_t)dim, ord, 0, v}, 0, GUIDE_DATA_KIND, false, n};
		keep_step(g, &st);
		if (g->note != NULL && guide_step_deviates(&st))
			g->note(g->note_arg, &st, s->current, NULL);
	}
	return v;
}

const struct sim_policy policy_guide = {
    .name = "guide",
    .init = guide_init,
    .fini = guide_fini,
    .point = guide_point,
    .decide = guide_decide,
};
