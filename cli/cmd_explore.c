/*
 * simk explore FILE --runs N: runs seeds seed-start .. seed-start+N-1 in
 * one process (the scenario is parsed once; each run creates a fresh
 * simulation, so nothing carries over), stops at the first failure and
 * prints the `simk run` line that reproduces it. --shard I/N keeps only the
 * run indexes with index % N == I, so N machines can split one search.
 * --jobs N runs the same search in N worker processes (explore_jobs.c)
 * with the same output.
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

#include "cli/explore.h"
#include "cli/shrink.h"
#include "cli/swarm.h"
#include "scn/scn.h"

int hs_add(struct hashset *h, uint64_t v)
{
	if (v == 0) {
		h->n += h->has_zero ? 0 : 1;
		h->has_zero = true;
		return 0;
	}
	if (h->saturated)
		return 0;
	if (h->n >= HS_DISTINCT_MAX) {
		/* seen before or not, it is not kept: the count is a bound now */
		size_t j = h->cap ? (size_t)(v * 0x9e3779b97f4a7c15ULL) & (h->cap - 1) : 0;
		while (h->cap && h->slot[j] != 0) {
			if (h->slot[j] == v)
				return 0;
			j = (j + 1) & (h->cap - 1);
		}
		h->saturated = true;
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

void hs_free(struct hashset *h)
{
	free(h->slot);
	memset(h, 0, sizeof(*h));
}

double explore_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void explore_progress(const struct explore *ex, uint64_t done, bool final)
{
	const int width = 30;
	uint64_t total = ex->total;
	int fill = total ? (int)((double)done / (double)total * width) : width;
	double el = explore_wall_s() - ex->t0;
	fprintf(stderr, "\r[");
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %" PRIu64 "/%" PRIu64 " runs  %.0f runs/s ", done, total,
		el > 0 ? (double)done / el : 0.0);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

struct simk_opts explore_seed_opts(const struct explore *ex, uint64_t ord)
{
	static struct swarm w; /* the draw of the run about to start */
	struct simk_opts o = ex->base;
	o.seed = ex->start + ex->shard_i + ord * ex->shard_n;
	if (ex->c->swarm) {
		swarm_draw(ex->c, o.seed, &w);
		swarm_apply(&w, &o);
	}
	return o;
}

/* Runs the failing configuration again (for dfs: the same path, the
 * search state has not moved) with its decisions written to path. */
static int write_schedule(const struct cli_opts *c, const struct scn_prog *p,
			  const struct simk_opts *o, const char *path)
{
	struct simk_opts w = *o;
	w.schedule_out = path;
	if (w.dfs != NULL)
		simk_dfs_replay_last(w.dfs);
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
	int e = simk_schedule_error(s);
	simk_destroy(s);
	if (e != 0) {
		fprintf(stderr, "simk: explore: cannot write %s: %s\n", path, strerror(e));
		return EXIT_USAGE;
	}
	return 0;
}

/* The report of a search stopped by the failing run s (outcome out). */
static int report_failure(struct explore *ex, struct simk *s, enum simk_outcome out,
			  const struct simk_opts *o, uint64_t done)
{
	const struct cli_opts *c = ex->c;
	int result = 0;
	if (ex->bar)
		explore_progress(ex, done, true);
	if (o->trace_tail_off) {
		/* the search kept only hashes: run it again with its last events
		 * for the report (the same run: nothing else differs) */
		struct simk_opts t = *o;
		t.trace_tail_off = false;
		if (t.dfs != NULL)
			simk_dfs_replay_last(t.dfs);
		simk_destroy(s);
		s = cli_start(c, ex->p, &t);
		if (s == NULL)
			return EXIT_USAGE;
		out = simk_run(s);
	}
	struct simk_opts ro = *o; /* what reproduces it */
	const char *sched = c->schedule_out;
	/* A dfs path is replayed from its schedule when --schedule-out asked
	 * for one; otherwise the search that stops right after it reproduces
	 * it (nothing is written unasked). */
	char repro[1200] = "";
	if (ex->dfs && sched != NULL) {
		ro.policy = SIMK_POLICY_REPLAY;
		ro.replay_path = sched;
	}
	FILE *rm = fmemopen(repro, sizeof(repro) - 1, "w");
	if (rm != NULL) {
		if (ex->dfs && sched == NULL)
			cli_repro_dfs(rm, c, ex->por, ex->bound, ex->start, done);
		else
			cli_repro(rm, c, &ro);
		fclose(rm);
	}
	cli_flush_stdout();
	/* --quiet: the report on stdout only; --json: the result says it all,
	 * for the shards of a merge */
	if (!c->quiet && !c->json)
		cli_report_failure_repro(c, s, &ro, repro);
	char line[1200] = "";
	FILE *m = fmemopen(line, sizeof(line) - 1, "w");
	if (m != NULL) {
		cli_print_result(m, s, out);
		fclose(m);
	}
	char reason[600];
	snprintf(reason, sizeof(reason), "%s", simk_failure_reason(s));
	simk_destroy(s);
	if (sched != NULL)
		result = write_schedule(c, ex->p, o, sched);
	if (c->json) {
		char repro[1500] = "";
		m = fmemopen(repro, sizeof(repro) - 1, "w");
		if (m != NULL) {
			cli_repro(m, c, &ro);
			fclose(m);
		}
		repro[strcspn(repro, "\n")] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (c->shrink && result == 0) { /* the report goes to stderr, the file stays */
			struct swarm w;
			struct cli_opts *fc = malloc(sizeof(*fc));
			if (fc != NULL) {
				swarm_fixed(c, o->seed, &w, fc);
				shrink_failure(fc, ex->p, ex->dfs ? &ro : o, CLI_SHRINK_OUT, stderr,
					       "shrunk: ", true, NULL);
				free(fc);
			}
		}
		explore_json_failure(ex, done, o->seed, out, reason, line, repro,
				     result == 0 ? sched : NULL);
		return result == 0 ? (int)out : result;
	}
	if (ex->dfs) {
		printf("explore: path %" PRIu64 " (", done);
		explore_dfs_desc(stdout, ex);
		printf(") failed\n");
	}
	else
		printf("explore: run %" PRIu64 " of %" PRIu64 " (seed %" PRIu64
		       ", policy %s%s) failed\n",
		       done, ex->total, o->seed, cli_policy_name(o->policy),
		       c->swarm ? ", swarm" : "");
	if (sched != NULL && result == 0)
		printf("schedule: %s\n", sched);
	else if (ex->dfs && sched == NULL)
		printf("schedule: not written (--schedule-out F writes one for 'simk run --replay "
		       "F')\n");
	printf("reproduce: %s", repro);
	if (c->shrink && result == 0) {
		/* a dfs failure is shrunk from its schedule file; a swarm run
		 * with the options it drew, named */
		struct simk_opts so = ex->dfs ? ro : *o;
		so.dfs = NULL;
		struct swarm w;
		struct cli_opts *fc = malloc(sizeof(*fc));
		if (fc == NULL) {
			fprintf(stderr, "simk: explore: out of memory\n");
			return EXIT_USAGE;
		}
		swarm_fixed(c, o->seed, &w, fc);
		fflush(stdout);
		int rc = shrink_failure(fc, ex->p, &so, CLI_SHRINK_OUT, stdout, "shrunk: ", true, NULL);
		free(fc);
		if (rc == EXIT_USAGE)
			result = rc;
	}
	fputs(line, stdout);
	return result == 0 ? (int)out : result;
}

int explore_run(struct explore *ex, const struct simk_opts *o, uint64_t done, uint64_t *hash)
{
	struct simk *s = cli_start(ex->c, ex->p, o);
	if (s == NULL)
		return EXIT_USAGE;
	enum simk_outcome out = simk_run(s);
	*hash = simk_trace_hash(s);
	if (out != SIMK_PASS)
		return report_failure(ex, s, out, o, done);
	ex->last_hit = scn_props_hit(s);
	simk_destroy(s);
	return 0;
}

void explore_dfs_desc(FILE *f, const struct explore *ex)
{
	fprintf(f, "policy dfs, %s, ", ex->por ? "por" : "por off");
	if (ex->bound < 0)
		fprintf(f, "no bound");
	else
		fprintf(f, "bound %d", ex->bound);
}

/* What a dfs search enumerated besides the schedule, and what it left to
 * the seed: only the dimensions the runs met. */
static void dfs_dimensions(const struct explore *ex, const struct simk_dfs_stats *st)
{
	const struct simk_dfs_opts *o = simk_dfs_opts_of(ex->base.dfs);
	static const char *const title[SIMK_DIM_COUNT] = {"device latency", "faults",
							  "crash states", "tears"};
	/* with a bound: "at most N <what> per path"; without: <all> */
	static const char *const what[SIMK_DIM_COUNT] = {
	    "requests not the fastest", "firings", "unstable writes kept", "tears not the first"};
	static const char *const all[SIMK_DIM_COUNT] = {
	    "every combination", "every combination of firings",
	    "every subset of the unstable writes", "every position"};
	for (int d = 0; d < SIMK_DIM_COUNT; d++) {
		if (st->dim_nodes[d] == 0)
			continue;
		printf("; %s: ", title[d]);
		if (d == SIMK_DIM_LATENCY)
			printf("%d classes a request, ", o->latency_classes);
		if (o->dim_bound[d] == SIMK_DFS_NO_BOUND)
			printf("%s", all[d]);
		else
			printf("at most %d %s per path", o->dim_bound[d], what[d]);
		if (st->dim_cut[d] > 0)
			printf(" (%" PRIu64 " choices beyond)", st->dim_cut[d]);
	}
	bool first = true;
	for (int d = 0; d < SIMK_DIM_COUNT; d++) {
		if (st->dim_seeded[d] == 0)
			continue;
		printf("%s%s", first ? "; fixed by the seed: " : ", ", title[d]);
		first = false;
	}
}

/* What a finished dfs search covered, in words. */
static void dfs_coverage(const struct explore *ex, bool complete)
{
	struct simk_dfs_stats st;
	simk_dfs_get_stats(ex->base.dfs, &st);
	uint64_t dim_cut = 0;
	for (int d = 0; d < SIMK_DIM_COUNT; d++)
		dim_cut += st.dim_cut[d];
	if (!complete)
		printf("stopped by --runs");
	else if (ex->por && st.bound_cut > 0)
		printf("the search is complete within the bound (%" PRIu64
		       " reorderings were beyond it)",
		       st.bound_cut);
	else if (!ex->por && ex->bound >= 0)
		printf("the search is complete within the bound");
	else if (dim_cut > 0)
		printf("the search is complete within the bounds");
	else
		printf("the search is complete");
	if (ex->cut > 0)
		printf(", %" PRIu64 " cut short as covered", ex->cut);
	dfs_dimensions(ex, &st);
}

void explore_summary(const struct explore *ex, uint64_t done, const struct hashset *hs,
		     bool complete)
{
	const struct cli_opts *c = ex->c;
	double el = explore_wall_s() - ex->t0;
	if (ex->bar)
		explore_progress(ex, done, true);
	if (c->json) {
		explore_json_summary(ex, done, hs, complete);
		return;
	}
	if (ex->dfs) {
		printf("explored %" PRIu64 " paths (", done);
		explore_dfs_desc(stdout, ex);
		printf(", seed %" PRIu64 ", ", ex->start);
		dfs_coverage(ex, complete);
	} else
		printf("explored %" PRIu64 " runs (policy %s%s, seeds %" PRIu64 "..%" PRIu64, done,
		       cli_policy_name(ex->base.policy), c->swarm ? ", swarm" : "",
		       ex->start + ex->shard_i, c->runs ? ex->start + c->runs - 1 : ex->start);
	if (c->has_shard)
		printf(", shard %" PRIu64 "/%" PRIu64, ex->shard_i, ex->shard_n);
	if (ex->base.policy == SIMK_POLICY_PCT)
		printf(", pct depth %d steps %" PRIu64, ex->base.pct_depth, ex->base.pct_steps);
	printf("): all passed, distinct hashes=%s%zu, %.2fs, %.0f runs/s\n",
	       hs->saturated ? ">=" : "", hs->n, el, el > 0 ? (double)done / el : 0.0);
}

/* --jobs 1: every run in this process, in order. */
static int explore_seq(struct explore *ex)
{
	struct hashset hs = {0};
	double last = ex->t0;
	uint64_t done = 0;
	int result = 0;
	bool complete = false;
	for (uint64_t ord = 0; ord < ex->total; ord++) {
		struct simk_opts o = ex->dfs ? ex->base : explore_seed_opts(ex, ord);
		uint64_t hash = 0;
		result = explore_run(ex, &o, ord + 1, &hash);
		if (result != 0)
			break;
		done++;
		bool cut = ex->dfs && simk_dfs_last_cut(ex->base.dfs);
		ex->cut += cut;
		if (!cut)
			eprops_note(&ex->props, ex->last_hit, ord);
		if (!cut && hs_add(&hs, hash) != 0) {
			fprintf(stderr, "simk: explore: out of memory\n");
			result = EXIT_USAGE;
			break;
		}
		if (ex->dfs && !simk_dfs_advance(ex->base.dfs)) {
			complete = true;
			break;
		}
		if (ex->bar && (done & 255) == 0) {
			double now = explore_wall_s();
			if (now - last >= 0.1) {
				explore_progress(ex, done, false);
				last = now;
			}
		}
	}
	if (result == 0) {
		explore_summary(ex, done, &hs, complete);
		result = eprops_report(ex, done - ex->cut, complete);
	}
	hs_free(&hs);
	return result;
}

int cmd_explore(struct cli_opts *c)
{
	struct explore ex;
	memset(&ex, 0, sizeof(ex));
	ex.c = c;
	ex.p = cli_load(c);
	if (ex.p == NULL)
		return EXIT_USAGE;
	eprops_init(&ex.props, ex.p);
	struct simk_opts *base = &ex.base;
	cli_merge_opts(c, ex.p, base);
	if (!c->has_policy && base->policy != SIMK_POLICY_RANDOM && base->policy != SIMK_POLICY_PCT)
		base->policy = SIMK_POLICY_RANDOM;
	base->keep_trace = false;
	base->trace_tail_off = true; /* only hashes: a failure's report runs it again */
	ex.dfs = base->policy == SIMK_POLICY_DFS;
	ex.por = !c->has_por || c->por;
	ex.bound = c->has_bound ? c->bound : ex.por ? -1 : 2;
	int result = 0;
	if (ex.dfs && c->has_shard) {
		fprintf(stderr, "simk: explore: --shard does not apply to --policy dfs\n");
		result = EXIT_USAGE;
	}
	if (result == 0 && ex.dfs) {
		struct simk_dfs_opts dopt;
		simk_dfs_opts_default(&dopt);
		dopt.por = ex.por;
		dopt.bound = ex.bound;
		for (int d = 0; d < SIMK_DIM_COUNT; d++)
			if (c->dim_set[d])
				dopt.dim_bound[d] = c->dim_bound[d];
		if (c->has_latency_classes)
			dopt.latency_classes = c->latency_classes;
		base->dfs = simk_dfs_create_opts(&dopt);
		if (base->dfs == NULL)
			result = EXIT_USAGE;
	}
	ex.start = c->has_seed_start ? c->seed_start : 1;
	ex.shard_n = c->has_shard ? c->shard_n : 1;
	ex.shard_i = c->has_shard ? c->shard_i : 0;
	if (result == 0 && c->runs > UINT64_MAX - ex.start) {
		fprintf(stderr, "simk: explore: --seed-start + --runs overflows\n");
		result = EXIT_USAGE;
	}
	base->seed = ex.start;
	if (result == 0)
		result = cli_calibrate_pct(c, ex.p, base);
	if (result == 0) {
		ex.total = ex.dfs
			       ? c->runs
			       : c->runs / ex.shard_n + (ex.shard_i < c->runs % ex.shard_n ? 1 : 0);
		ex.bar = !c->quiet && isatty(STDERR_FILENO);
		ex.t0 = explore_wall_s();
		int jobs = c->jobs;
		if (ex.dfs && ex.por && jobs > 1) {
			/* the subtrees of a reduced search share their backtrack
			 * points: splitting them is not done yet */
			fprintf(stderr, "simk: explore: --jobs does not split a dfs search with "
					"--por on yet; it runs in one process (--por off splits)\n");
			jobs = 1;
		}
		if (ex.dfs && jobs > 1 && ex.props.counted != 0) {
			/* which path came first is the parent's to know: not done yet */
			fprintf(stderr, "simk: explore: a dfs search of a program with sometimes or "
					"reachable properties runs in one process\n");
			jobs = 1;
		}
		if (!ex.dfs && (uint64_t)jobs > ex.total)
			jobs = (int)ex.total; /* a worker per run at most */
		result = jobs > 1 ? explore_jobs(&ex, jobs) : explore_seq(&ex);
	}
	simk_dfs_destroy(base->dfs);
	scn_free(ex.p);
	return result;
}
