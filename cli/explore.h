/*
 * simk explore, shared between the one-process loop (cmd_explore.c) and
 * the worker processes of --jobs (explore_jobs.c).
 *
 * A search is a sequence of runs numbered by an ordinal: seeds mode runs
 * ordinal i with seed start + shard_i + i * shard_n; dfs mode runs the
 * paths of the decision tree in depth-first order. Whatever runs where,
 * the result is decided by the lowest ordinal that stops the search (a
 * failing run, a run that could not start, a crash), so the output does
 * not depend on the number of processes.
 */
#ifndef SIMK_CLI_EXPLORE_H
#define SIMK_CLI_EXPLORE_H

#include "cli/cli.h"

/*
 * The set of distinct trace hashes of a search. Its memory is bounded: past
 * HS_DISTINCT_MAX hashes it stops growing and says so (saturated), and the
 * count is then a lower bound.
 */
#define HS_DISTINCT_MAX (1u << 20) /* 16 MiB of table at most */

struct hashset {
	uint64_t *slot;
	size_t cap, n;
	bool has_zero;
	bool saturated; /* a hash was not kept: n is a lower bound */
};

/* 0, or -1 when out of memory (the set is unchanged). */
int hs_add(struct hashset *h, uint64_t v);
void hs_free(struct hashset *h);

/* The sometimes/reachable properties across a search (explore_props.c). */
struct explore_props {
	int n;		 /* properties of the program (every kind) */
	uint64_t counted; /* bit k: property k is a sometimes or reachable */
	uint64_t first[64];
	uint64_t count[64];
};

struct explore {
	const struct cli_opts *c;
	struct scn_prog *p;
	struct simk_opts base; /* every run's options; base.dfs: the search state */
	bool dfs;
	bool por;	/* dfs: partial-order reduction */
	int bound;	/* dfs: -1 none */
	uint64_t cut;	/* dfs: runs cut short (another run covers them) */
	uint64_t start; /* the first seed (dfs: the one seed) */
	uint64_t shard_i, shard_n;
	uint64_t total; /* runs of this shard, or the dfs path cap (--runs) */
	bool bar;	/* progress bar on stderr */
	double t0;	/* wall clock at the start, for the rate */
	struct explore_props props;
	uint64_t last_hit; /* explore_run: the properties that held in its run */
};

void eprops_init(struct explore_props *ep, const struct scn_prog *p);
/* Run `ord` (0-based, the order of the search) passed with properties hit. */
void eprops_note(struct explore_props *ep, uint64_t hit, uint64_t ord);
/* A worker's result for property k (--jobs). */
void eprops_merge(struct explore_props *ep, int k, uint64_t first, uint64_t count);
/* After the summary of a search where every run passed: one line per
 * property (not with --json: eprops_json). Returns 1 when one never held. */
int eprops_report(const struct explore *ex, uint64_t runs, bool complete);
/* ", \"properties\": [...]" for the JSON summary. */
void eprops_json(FILE *f, const struct explore *ex);

/* The options of seeds-mode run `ord` (0-based, within the shard). */
struct simk_opts explore_seed_opts(const struct explore *ex, uint64_t ord);

double explore_wall_s(void);
void explore_progress(const struct explore *ex, uint64_t done, bool final);

/*
 * Runs once with options o (for dfs: the path ex->base.dfs points at) and,
 * when the run fails, prints the report of a search stopped there: the
 * trace tail and reproducer on stderr, "explore: run N of M ... failed",
 * the schedule, the reproducer and the FAIL line on stdout. `done` is the
 * 1-based number of the run in the search. Returns 0 when the run passed
 * (*hash set, nothing printed), else the exit status of the search.
 */
int explore_run(struct explore *ex, const struct simk_opts *o, uint64_t done, uint64_t *hash);

/* "explored N runs (...): all passed, ..." on stdout (--json: the JSON
 * result). */
void explore_summary(const struct explore *ex, uint64_t done, const struct hashset *hs,
		     bool complete);

/* --json (explore_json.c). */
#define EXPLORE_JSON_FORMAT_S "1"
void json_str(FILE *f, const char *s);
void explore_json_summary(const struct explore *ex, uint64_t done, const struct hashset *hs,
			  bool complete);
void explore_json_failure(const struct explore *ex, uint64_t done, uint64_t seed,
			  enum simk_outcome out, const char *reason, const char *result,
			  const char *reproduce, const char *sched);
/* "policy dfs, por, no bound" / "policy dfs, por off, bound 2": what a dfs
 * search is, for the summary and the failure report. */
void explore_dfs_desc(FILE *f, const struct explore *ex);

/* --jobs N with N > 1: the search in N worker processes (explore_jobs.c). */
int explore_jobs(struct explore *ex, int jobs);

#endif
