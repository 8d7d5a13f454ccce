/*
 * Guided runs: the policy behind `simk shrink` (cli/shrink.c).
 *
 * A guided run takes the *default* choice at every decision — the one fifo
 * would take: a due interrupt first, else the running thread goes on, else
 * the longest-waiting runnable thread (at a yield: another thread) — except
 * where the guide names a *deviation*. So a schedule is a short list of
 * deviations instead of one thread id per decision, and dropping a
 * deviation is a meaningful edit: the rest of the run stays default.
 *
 * A deviation is keyed by where it happens in the program rather than by
 * its position in the run: the thread on whose stack the decision is made
 * (0: the host, at the start), the number of that thread's switch point
 * (every switch point counts, also those with one candidate) and, within
 * one switch point, the number of the decision (interrupts delivered there
 * come first). Removing another deviation shifts every later decision's
 * position but rarely its key. A data decision (sim_decide) is keyed by its
 * dimension and its number within the dimension.
 *
 * A guide can also replay a positional decision list (a schedule file, or
 * the decisions a random run kept): that run records, for every decision,
 * its key, the default there and what was chosen, which turns any failing
 * run into its list of deviations.
 *
 * The guide belongs to the caller and outlives the runs; the policy keeps
 * nothing else. Everything is deterministic: no addresses, no host state.
 */
#ifndef SIMK_GUIDE_H
#define SIMK_GUIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simk/sim.h"

struct simk_thread;

#define GUIDE_DATA_KIND 255 /* guide_step.kind of a data decision */

/* Where a decision happens, and what it takes. */
struct guide_dev {
	int32_t actor;	/* tid of the thread deciding (0: host); data: -1 - dimension */
	uint32_t point; /* the actor's switch point number, from 0 (data: decision number) */
	uint32_t iter;	/* decision number within that switch point (data: 0) */
	int32_t choice; /* tid to run, 0: deliver the due interrupt; data: the alternative */
};

/* One decision of a guided run (a point with two or more candidates, or a
 * data decision the guide took). */
struct guide_step {
	struct guide_dev at; /* its key and the choice taken */
	int32_t deflt;	     /* the default choice there */
	uint8_t kind;	     /* enum point_kind, GUIDE_DATA_KIND for data */
	bool preempt;	     /* the actor could go on, another thread was chosen */
	uint32_t ncand;	     /* candidates (data: alternatives) */
};

/* Called at every deviation of a run that has `note` set, before the
 * choice takes effect: self is the deciding thread (NULL at the start),
 * next the chosen one (NULL for an interrupt or a data decision). */
typedef void (*guide_note_fn)(void *arg, const struct guide_step *st,
			      const struct simk_thread *self, const struct simk_thread *next);

struct simk_guide {
	/* input: positional mode when pos != NULL (decisions as a schedule
	 * file holds them: tids, 0, SIM_DECISION_DATA), else the deviations
	 * dev[0..ndev), sorted by guide_dev_cmp */
	const int64_t *pos;
	size_t npos;
	const struct guide_dev *dev;
	size_t ndev;
	/* data dimensions whose decisions default to alternative 0 (bit per
	 * enum simk_dfs_dim); the others default to the seed's draw */
	uint32_t data_dims;
	guide_note_fn note;
	void *note_arg;
	/* output of the last run */
	struct guide_step *steps;
	size_t nsteps, steps_cap;
	bool diverged;	    /* positional: a recorded choice could not be taken */
	size_t diverged_at; /* its decision number, 1-based */
	bool out_of_memory; /* steps could not all be kept */
	/* per-run state */
	uint32_t *points; /* by tid: switch points passed */
	size_t points_cap;
	int32_t last_actor;
	bool last_irq; /* the last decision delivered an interrupt (same point goes on) */
	uint32_t iter;
	uint32_t data_n[SIMK_DIM_COUNT];
	size_t pos_i;
};

/* Orders deviations by key (actor, point, iter). */
int guide_dev_cmp(const void *a, const void *b);
/* True when a step took a choice other than the default. */
static inline bool guide_step_deviates(const struct guide_step *st)
{
	return st->at.choice != st->deflt;
}
/* Frees the output arrays and the per-run state (not the inputs). */
void guide_free(struct simk_guide *g);

#endif
