/*
 * simk explore FILE --runs N: runs seeds seed-start .. seed-start+N-1 in
 * one process (the scenario is parsed once; each run creates a fresh
 * simulation, so nothing carries over), stops at the first failure and
 * prints the `simk run` line that reproduces it. --shard I/N keeps only the
 * run indexes with index % N == I, so N machines can split one search.
 *
 * The policy is --policy, else the scenario's if it is random or pct, else
 * random. pct without a step count is calibrated once, from a fifo run.
 * --policy dfs walks the decision tree instead of seeds (bounded by
 * --bound non-default choices per path; --runs caps the number of paths);
 * its failing path is reproduced through a schedule file.
 * Wall-clock time is read only for the progress bar and the summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sim/scn.h"

struct hashset {
	uint64_t *slot;
	size_t cap, n;
	bool has_zero;
};

static int hs_add(struct hashset *h, uint64_t v)
{
	if (v == 0) {
		h->n += h->has_zero ? 0 : 1;
		h->has_zero = true;
		return 0;
	}
	if ((h->n + 1) * 2 > h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 1024;
		uint64_t *ns = calloc(ncap, sizeof(*ns));
		if (ns == NULL)
			return -1;
		for (size_t i = 0; i < h->cap; i++) {
			uint64_t x = h->slot[i];
			if (x == 0)
				continue;
			size_t j = (size_t)(x * 0x9e3779b97f4a7c15ULL) & (ncap - 1);
			while (ns[j] != 0)
				j = (j + 1) & (ncap - 1);
			ns[j] = x;
		}
		free(h->slot);
		h->slot = ns;
		h->cap = ncap;
	}
	size_t j = (size_t)(v * 0x9e3779b97f4a7c15ULL) & (h->cap - 1);
	while (h->slot[j] != 0) {
		if (h->slot[j] == v)
			return 0;
		j = (j + 1) & (h->cap - 1);
	}
	h->slot[j] = v;
	h->n++;
	return 0;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(uint64_t done, uint64_t total, double t0, bool final)
{
	const int width = 30;
	int fill = total ? (int)((double)done / (double)total * width) : width;
	double el = wall_s() - t0;
	fprintf(stderr, "\r[");
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %" PRIu64 "/%" PRIu64 " runs  %.0f runs/s ", done, total,
		el > 0 ? (double)done / el : 0.0);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Runs the failing configuration again (for dfs: the same path, the
 * search state has not moved) with its decisions written to path. */
static int write_schedule(const struct cli_opts *c, const struct scn_prog *p,
			  const struct simk_opts *o, const char *path)
{
	struct simk_opts w = *o;
	w.schedule_out = path;
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "simk: explore: cannot write %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	fclose(f);
	struct simk *s = cli_start(c, p, &w);
	if (s == NULL)
		return EXIT_USAGE;
	simk_run(s);
	simk_destroy(s);
	return 0;
}

int cmd_explore(struct cli_opts *c)
{
	struct scn_prog *p = cli_load(c);
	if (p == NULL)
		return EXIT_USAGE;
	struct simk_opts base;
	cli_merge_opts(c, p, &base);
	if (!c->has_policy && base.policy != SIMK_POLICY_RANDOM && base.policy != SIMK_POLICY_PCT)
		base.policy = SIMK_POLICY_RANDOM;
	base.keep_trace = false;
	bool dfs = base.policy == SIMK_POLICY_DFS;
	if (dfs && c->has_shard) {
		fprintf(stderr, "simk: explore: --shard does not apply to --policy dfs\n");
		scn_free(p);
		return EXIT_USAGE;
	}
	if (dfs) {
		base.dfs = simk_dfs_create(c->has_bound ? c->bound : 2);
		if (base.dfs == NULL) {
			scn_free(p);
			return EXIT_USAGE;
		}
	}
	uint64_t start = c->has_seed_start ? c->seed_start : 1;
	uint64_t shard_n = c->has_shard ? c->shard_n : 1, shard_i = c->has_shard ? c->shard_i : 0;
	if (c->runs > UINT64_MAX - start) {
		fprintf(stderr, "simk: explore: --seed-start + --runs overflows\n");
		scn_free(p);
		return EXIT_USAGE;
	}
	base.seed = start;
	int rc = cli_calibrate_pct(c, p, &base);
	if (rc != 0) {
		scn_free(p);
		return rc;
	}
	uint64_t total = c->runs / shard_n + (shard_i < c->runs % shard_n ? 1 : 0);
	bool bar = !c->quiet && isatty(STDERR_FILENO);
	struct hashset hs = {NULL, 0, 0, false};
	double t0 = wall_s(), last = t0;
	uint64_t done = 0;
	int result = 0;
	bool complete = false;
	for (uint64_t idx = shard_i; idx < c->runs; idx += shard_n) {
		struct simk_opts o = base;
		o.seed = dfs ? start : start + idx; /* dfs: one seed, many paths */
		struct simk *s = cli_start(c, p, &o);
		if (s == NULL) {
			result = EXIT_USAGE;
			break;
		}
		enum simk_outcome out = simk_run(s);
		done++;
		if (hs_add(&hs, simk_trace_hash(s)) != 0) {
			fprintf(stderr, "simk: explore: out of memory\n");
			simk_destroy(s);
			result = EXIT_USAGE;
			break;
		}
		if (out != SIMK_PASS) {
			if (bar)
				progress(done, total, t0, true);
			struct simk_opts ro = o; /* what reproduces it */
			const char *sched = c->schedule_out;
			if (dfs && sched == NULL)
				sched = "simk-dfs-failure.sched";
			if (dfs) {
				ro.policy = SIMK_POLICY_REPLAY;
				ro.replay_path = sched;
			}
			fflush(stdout);
			cli_report_failure(c, s, &ro);
			char line[1200] = "";
			FILE *m = fmemopen(line, sizeof(line) - 1, "w");
			if (m != NULL) {
				cli_print_result(m, s, out);
				fclose(m);
			}
			simk_destroy(s);
			if (sched != NULL)
				result = write_schedule(c, p, &o, sched);
			if (dfs)
				printf("explore: path %" PRIu64 " (policy dfs, bound %d) failed\n",
				       done, c->has_bound ? c->bound : 2);
			else
				printf("explore: run %" PRIu64 " of %" PRIu64 " (seed %" PRIu64
				       ", policy %s) failed\n",
				       done, total, o.seed, cli_policy_name(o.policy));
			if (sched != NULL && result == 0)
				printf("schedule: %s\n", sched);
			fputs("reproduce: ", stdout);
			cli_repro(stdout, c, &ro);
			fputs(line, stdout);
			if (result == 0)
				result = (int)out;
			break;
		}
		simk_destroy(s);
		if (dfs && !simk_dfs_advance(base.dfs)) {
			complete = true;
			break;
		}
		if (bar && (done & 255) == 0) {
			double now = wall_s();
			if (now - last >= 0.1) {
				progress(done, total, t0, false);
				last = now;
			}
		}
	}
	if (result == 0) {
		double el = wall_s() - t0;
		if (bar)
			progress(done, total, t0, true);
		if (dfs)
			printf("explored %" PRIu64 " paths (policy dfs, bound %d, seed %" PRIu64
			       ", %s",
			       done, c->has_bound ? c->bound : 2, start,
			       complete ? "the search is complete" : "stopped by --runs");
		else
			printf("explored %" PRIu64 " runs (policy %s, seeds %" PRIu64 "..%" PRIu64,
			       done, cli_policy_name(base.policy), start + shard_i,
			       c->runs ? start + c->runs - 1 : start);
		if (c->has_shard)
			printf(", shard %" PRIu64 "/%" PRIu64, shard_i, shard_n);
		if (base.policy == SIMK_POLICY_PCT)
			printf(", pct depth %d steps %" PRIu64, base.pct_depth, base.pct_steps);
		printf("): all passed, distinct hashes=%zu, %.2fs, %.0f runs/s\n", hs.n, el,
		       el > 0 ? (double)done / el : 0.0);
	}
	free(hs.slot);
	simk_dfs_destroy(base.dfs);
	scn_free(p);
	return result;
}
