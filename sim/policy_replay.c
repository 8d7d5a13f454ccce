/*
 * replay: every decision with more than one candidate is read from a
 * schedule file written by --schedule-out. A recorded choice that is not a
 * candidate now means the run diverged (different scenario or options):
 * the run stops with a panic naming the decision number, and so does a run
 * that passes before using every recorded decision.
 */
#include "sim/policy.h"

#include <stdlib.h>

struct replay_state {
	int64_t *dec;
	size_t n, pos;
};

static int replay_init(struct simk *s, char *err, size_t errlen)
{
	if (s->opts.replay_path == NULL) {
		snprintf(err, errlen, "policy replay needs a schedule file (--replay FILE)");
		return -1;
	}
	struct replay_state *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	uint64_t seed;
	if (schedule_read(s->opts.replay_path, &seed, &st->dec, &st->n, err, errlen) != 0) {
		free(st);
		return -1;
	}
	s->policy_state = st;
	return 0;
}

static void replay_fini(struct simk *s)
{
	struct replay_state *st = s->policy_state;
	if (st != NULL)
		free(st->dec);
	free(st);
	s->policy_state = NULL;
}

static struct pick replay_choose(struct simk *s, enum point_kind kind, struct simk_thread *cur,
				 bool irq_due, int ncand)
{
	(void)kind;
	(void)ncand;
	struct replay_state *st = s->policy_state;
	struct pick p = { false, NULL };
	if (st->pos >= st->n)
		sim_panic("replay: schedule exhausted at decision %zu", st->pos + 1);
	int64_t tid = st->dec[st->pos++];
	if (SIM_DECISION_IS_DATA(tid))
		sim_panic("replay diverged at decision %zu: a data decision was recorded there",
			  st->pos);
	if (tid == 0) {
		if (!irq_due)
			sim_panic("replay diverged at decision %zu: no interrupt is due", st->pos);
		p.irq = true;
		return p;
	}
	struct simk_thread *t = tid <= SIM_MAX_THREADS ? sim_thread_by_tid((int)tid) : NULL;
	if (t != NULL && (t == cur || t->state == TS_RUNNABLE)) {
		p.t = t;
		return p;
	}
	sim_panic("replay diverged at decision %zu: thread %d cannot run", st->pos, (int)tid);
}

/* A run that ends before its schedule does is not the recorded run: the
 * scenario or the options changed (or the file has decisions appended). */
static int replay_check_end(struct simk *s, char *msg, size_t len)
{
	struct replay_state *st = s->policy_state;
	if (st->pos == st->n)
		return 0;
	snprintf(msg, len,
		 "replay diverged: the run ended after decision %zu of the %zu recorded in %s", st->pos,
		 st->n, s->opts.replay_path);
	return -1;
}

/* A data decision: the recorded one if the file has it here, else the
 * seed's (files of random runs record none). */
static int replay_decide(struct simk *s, enum simk_dfs_dim dim, uint32_t n)
{
	struct replay_state *st = s->policy_state;
	if (st->pos >= st->n || !SIM_DECISION_IS_DATA(st->dec[st->pos]))
		return -1;
	int64_t x = st->dec[st->pos++];
	if (SIM_DECISION_DIM(x) != (int)dim || SIM_DECISION_NALTS(x) != n)
		sim_panic("replay diverged at decision %zu: recorded d%d:%u/%u, the run asks for "
			  "dimension %d with %u alternatives",
			  st->pos, SIM_DECISION_DIM(x), SIM_DECISION_VALUE(x), SIM_DECISION_NALTS(x),
			  (int)dim, n);
	return (int)SIM_DECISION_VALUE(x);
}

/* The latency classes the file recorded next, if it did. */
static uint32_t replay_latency_classes(struct simk *s)
{
	struct replay_state *st = s->policy_state;
	if (st->pos >= st->n || !SIM_DECISION_IS_DATA(st->dec[st->pos]) ||
	    SIM_DECISION_DIM(st->dec[st->pos]) != SIMK_DIM_LATENCY)
		return 0;
	return SIM_DECISION_NALTS(st->dec[st->pos]);
}

const struct sim_policy policy_replay = {
	.name = "replay",
	.init = replay_init,
	.fini = replay_fini,
	.choose = replay_choose,
	.check_end = replay_check_end,
	.decide = replay_decide,
	.latency_classes = replay_latency_classes,
};
