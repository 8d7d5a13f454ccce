/*
 * Shrinking a failing run to its critical decisions (simk shrink, explore
 * --shrink). docs/shrink.md explains the method; in short:
 *
 *  1. the failing run is run again with its decisions kept, then replayed
 *     by the guide policy (sim/guide.h), which names every decision that
 *     differs from the default schedule (fifo's choice) by where it happens:
 *     the deciding thread's switch point;
 *  2. --fault options are dropped one by one while the run still fails;
 *  3. delta debugging (Zeller and Hildebrandt's ddmin) over those
 *     deviations finds a subset that still fails *the same way* — same
 *     outcome, same failing statement, same reason once the numbers in it
 *     are masked — and from which no single deviation can be dropped;
 *  4. when preemptions are left, the dfs search with a preemption bound of
 *     0, 1, ... looks for a run with fewer that fails the same way; one it
 *     finds is shrunk by 1-3 and replaces the result;
 *  5. the last run writes its schedule file (for simk run --replay) and
 *     explains each deviation it took in the words of the source.
 */
#ifndef SIMK_CLI_SHRINK_H
#define SIMK_CLI_SHRINK_H

#include <stdio.h>

#include "cli/cli.h"

struct scn_prog;

#define SHRINK_RUNS_MAX 20000 /* candidate runs before the search settles for what it has */
#define SHRINK_DFS_RUNS 5000  /* runs of the search for fewer preemptions */

struct shrink_stats {
	size_t decisions;	 /* decisions of the failing run that had a choice */
	size_t devs0, preempts0; /* its deviations from the default schedule */
	size_t devs, preempts;	 /* those of the shrunk run */
	int faults0, faults;	 /* --fault options before and after */
	uint64_t runs;		 /* runs the shrinking took */
	bool capped;		 /* SHRINK_RUNS_MAX was reached */
};

/*
 * Shrinks the run of p with options o (seed, policy, replay file) and the
 * command line's --fault options. Writes the shrunk schedule to out_path
 * and reports on f: the counts, the critical decisions in words, the
 * schedule file, the reproducer and (unless `for_explore`) the FAIL line of
 * the shrunk run, last. Lines start with `prefix`. Returns the outcome of
 * the failure (1, 3, 4), 0 when the run passes (nothing to shrink), or
 * EXIT_USAGE after printing why it could not shrink.
 */
int shrink_failure(const struct cli_opts *c, const struct scn_prog *p, const struct simk_opts *o,
		   const char *out_path, FILE *f, const char *prefix, bool for_explore,
		   struct shrink_stats *stats);

/* The failure's identity: outcome, failing statement, reason with the
 * numbers masked ("lab.scn:20:3: expect failed: x == #"). */
void shrink_failure_sig(const struct simk *s, enum simk_outcome out, char *buf, size_t len);

#endif
