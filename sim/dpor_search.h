/*
 * The dfs search with partial-order reduction (dpor_search.c), driven by
 * policy_dfs.c: one call per switch point and per data decision of a run,
 * then dps_advance() between runs.
 */
#ifndef SIMK_DPOR_SEARCH_H
#define SIMK_DPOR_SEARCH_H

#include "sim/dpor.h"
#include "sim/policy.h"

struct dpor_search;

struct dpor_search *dps_create(const struct simk_dfs_opts *o, struct dpor_rec *rec);
void dps_destroy(struct dpor_search *d);

void dps_run_begin(struct dpor_search *d);
/* A switch point (any number of candidates): what runs next. Cuts the run
 * (s->cut, s->stop; the pick is empty) when every candidate sleeps. */
struct pick dps_point(struct dpor_search *d, struct simk *s, enum point_kind kind,
		      struct simk_thread *cur, bool irq_due);
/* A data decision among nalt alternatives: the index, or -1 when its
 * dimension is left to the seed. */
int dps_decide(struct dpor_search *d, struct simk *s, enum simk_dfs_dim dim, uint32_t nalt);
void dps_run_end(struct dpor_search *d, struct simk *s);

/* Analyses the run just made and moves to the next path; false when the
 * search is over. */
bool dps_advance(struct dpor_search *d);

/* The next run repeats the last one (to write its schedule). */
void dps_replay_last(struct dpor_search *d);
void dps_stats(const struct dpor_search *d, struct simk_dfs_stats *out);
uint64_t dps_class(const struct dpor_search *d);
bool dps_was_cut(const struct dpor_search *d);

#endif
