/*
 * simk diff FILE A B [options]: two runs of one program — two seeds, or a
 * passing and a failing schedule — and the first decision where they part
 * (docs/tracing.md "simk diff"). A and B are each a seed (a number) or a
 * schedule file (replayed, its own seed). Both runs keep their traces;
 * the first event that differs is nearly always a scheduling or data
 * decision: it is printed with the events both runs share before it, what
 * each run does after it, and "how we got here" of a run that fails.
 * Exit code: 0 when the runs are the same, 1 when they differ, 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "scn/scn.h"
#include "sim/engine.h"

int simk_schedule_seed(const char *path, uint64_t *seed, char *err, size_t errlen);

#define DIFF_BEFORE 8	     /* shared events shown before the divergence */
#define DIFF_AFTER 12	     /* events of each run shown after it */
#define DIFF_SEARCH_MAX 4000 /* runs tried to find the nearest passing run */

struct side {
	const char *spec;
	bool prefix; /* spec is a schedule prefix (replay_prefix) */
	int nthreads;
	int64_t *dec; /* the run's decisions */
	size_t ndec;
	uint64_t seed, hash;
	enum simk_outcome out;
	char reason[512];
	struct trace_ev *evs; /* names copied (thread names live in the run) */
	char **text;	      /* each event as the trace prints it */
	size_t n;
	char *why; /* "how we got here" of a failure, or NULL */
};

static bool is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void side_free(struct side *d)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->evs != NULL)
			free((void *)d->evs[i].name);
		if (d->text != NULL)
			free(d->text[i]);
	}
	free(d->evs);
	free(d->text);
	free(d->why);
	free(d->dec);
}

static int run_side(struct cli_opts *c, const struct scn_prog *p, const struct simk_opts *base,
		    struct side *d)
{
	struct simk_opts o = *base;
	if (is_number(d->spec)) {
		o.seed = strtoull(d->spec, NULL, 10);
		if (o.policy == SIMK_POLICY_REPLAY) {
			fprintf(stderr, "simk: diff: seed %s given with --replay\n", d->spec);
			return -1;
		}
	} else {
		char err[512];
		if (simk_schedule_seed(d->spec, &o.seed, err, sizeof(err)) != 0) {
			fprintf(stderr, "simk: diff: %s\n", err);
			return -1;
		}
		o.policy = SIMK_POLICY_REPLAY;
		o.replay_path = d->spec;
		o.replay_prefix = d->prefix;
	}
	o.keep_trace = true;
	o.schedule_out = NULL;
	struct simk *s = cli_start(c, p, &o);
	if (s == NULL)
		return -1;
	d->seed = o.seed;
	d->out = simk_run(s);
	d->hash = simk_trace_hash(s);
	snprintf(d->reason, sizeof(d->reason), "%s", s->reason);
	d->n = s->trace.len;
	d->nthreads = s->nthreads;
	/* the decisions, from the trace (the decision log is only kept for
	 * --schedule-out): each one with a choice is a TR_DECISION event */
	d->dec = malloc((d->n + 1) * sizeof(*d->dec));
	for (size_t i = 0; d->dec != NULL && i < d->n; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type != TR_DECISION)
			continue;
		d->dec[d->ndec++] =
		    e->a[3] == 1 ? SIM_DECISION_DATA(e->a[2], e->a[1], e->a[0]) : e->a[0];
	}
	d->evs = calloc(d->n + 1, sizeof(*d->evs));
	d->text = calloc(d->n + 1, sizeof(*d->text));
	bool ok = d->evs != NULL && d->text != NULL && d->dec != NULL;
	for (size_t i = 0; ok && i < d->n; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		char buf[300];
		trace_format_ev(e, buf, sizeof(buf));
		char line[400];
		if (e->line != 0)
			snprintf(line, sizeof(line), "%s  [%s:%u]", buf,
				 s->trace.src != NULL ? s->trace.src : "line", (unsigned)e->line);
		else
			snprintf(line, sizeof(line), "%s", buf);
		d->evs[i] = *e;
		d->evs[i].str = NULL;
		d->evs[i].name = strdup(e->name);
		d->text[i] = strdup(line);
		ok = d->evs[i].name != NULL && d->text[i] != NULL;
	}
	if (ok && d->out != SIMK_PASS)
		d->why = cli_explain_kept(c, s);
	simk_destroy(s);
	if (!ok)
		fprintf(stderr, "simk: diff: out of memory\n");
	return ok ? 0 : -1;
}

/* A schedule file (sim/schedule_file.c's format) of n decisions. */
static int write_sched(const char *path, uint64_t seed, const int64_t *dec, size_t n)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	bool data = false;
	for (size_t i = 0; i < n; i++)
		data |= SIM_DECISION_IS_DATA(dec[i]);
	fprintf(f, "simk-schedule %d\nseed %" PRIu64 "\ndecisions %zu\n", data ? 2 : 1, seed, n);
	for (size_t i = 0; i < n; i++) {
		int64_t x = dec[i];
		if (SIM_DECISION_IS_DATA(x))
			fprintf(f, "d%d:%u/%u", SIM_DECISION_DIM(x), SIM_DECISION_VALUE(x),
				SIM_DECISION_NALTS(x));
		else
			fprintf(f, "%d", (int)x);
		fputc(i % 20 == 19 ? '\n' : ' ', f);
	}
	fputc('\n', f);
	bool bad = ferror(f) != 0;
	return fclose(f) != 0 || bad ? -1 : 0;
}

/* One quiet run of the schedule prefix in path: its outcome. */
static enum simk_outcome try_prefix(const struct cli_opts *c, const struct scn_prog *p,
				    const struct simk_opts *base, uint64_t seed, const char *path)
{
	struct simk_opts o = *base;
	o.seed = seed;
	o.policy = SIMK_POLICY_REPLAY;
	o.replay_path = path;
	o.replay_prefix = true;
	o.keep_trace = false;
	o.schedule_out = NULL;
	char err[600];
	struct simk *s = cli_start_err(c, p, &o, err, sizeof(err));
	if (s == NULL)
		return SIMK_FAIL_USAGE;
	enum simk_outcome out = simk_run(s);
	simk_destroy(s);
	return out;
}

/* The alternatives of decision x: thread ids 0..nthreads, or a data
 * decision's other values. */
static int nalts(const struct side *b, int64_t x)
{
	return SIM_DECISION_IS_DATA(x) ? (int)SIM_DECISION_NALTS(x) : b->nthreads + 1;
}

static int64_t alt_of(int64_t x, int alt)
{
	if (!SIM_DECISION_IS_DATA(x))
		return alt;
	return SIM_DECISION_DATA(SIM_DECISION_DIM(x), SIM_DECISION_NALTS(x), (uint32_t)alt);
}

/* Tries pre[0..k] with decision k replaced by each of its alternatives
 * (pre[0..k) as they are); true when one passes, pre[k] holding it. */
static bool try_alts(const struct cli_opts *c, const struct scn_prog *p,
		     const struct simk_opts *base, const struct side *b, const char *path,
		     int64_t *pre, size_t k, int *runs)
{
	int64_t orig = b->dec[k];
	for (int alt = 0; alt < nalts(b, orig) && *runs < DIFF_SEARCH_MAX; alt++) {
		int64_t x = alt_of(orig, alt);
		if (x == orig)
			continue;
		pre[k] = x;
		(*runs)++;
		if (write_sched(path, b->seed, pre, k + 1) != 0)
			return false;
		if (try_prefix(c, p, base, b->seed, path) == SIMK_PASS)
			return true;
	}
	pre[k] = orig;
	return false;
}

/*
 * The passing run nearest to the failing run b: the latest decision of b
 * (a scheduling choice, or a data decision of a dfs or replayed run: a
 * latency class, a fault firing) that, taken the other way (the run then
 * goes on as fifo), makes the run pass; failing that, the latest pair of
 * decisions (a bug that needs one thread to run twice in a row). Writes
 * that prefix to path; false when nothing within DIFF_SEARCH_MAX runs
 * does it. flipped[0] is the earlier decision changed, flipped[1] the
 * later one (equal for a single change).
 */
static bool nearest_passing(const struct cli_opts *c, const struct scn_prog *p,
			    const struct simk_opts *base, const struct side *b, const char *path,
			    size_t flipped[2])
{
	int64_t *pre = malloc((b->ndec + 1) * sizeof(*pre));
	if (pre == NULL)
		return false;
	memcpy(pre, b->dec, b->ndec * sizeof(*pre));
	int runs = 0;
	bool found = false;
	for (size_t k = b->ndec; k-- > 0 && !found && runs < DIFF_SEARCH_MAX;)
		if (try_alts(c, p, base, b, path, pre, k, &runs)) {
			found = true;
			flipped[0] = flipped[1] = k;
		}
	/* two changes: the later one first, each earlier one with it */
	for (size_t k = b->ndec; k-- > 1 && !found && runs < DIFF_SEARCH_MAX;) {
		int64_t orig = b->dec[k];
		for (int alt = 0; alt < nalts(b, orig) && !found && runs < DIFF_SEARCH_MAX; alt++) {
			int64_t x = alt_of(orig, alt);
			if (x == orig)
				continue;
			for (size_t j = k; j-- > 0 && !found && runs < DIFF_SEARCH_MAX;) {
				pre[k] = x;
				/* decision k comes after j: try j's alternatives with k changed */
				int64_t oj = b->dec[j];
				for (int aj = 0; aj < nalts(b, oj) && runs < DIFF_SEARCH_MAX; aj++) {
					int64_t y = alt_of(oj, aj);
					if (y == oj)
						continue;
					pre[j] = y;
					runs++;
					if (write_sched(path, b->seed, pre, k + 1) != 0)
						break;
					if (try_prefix(c, p, base, b->seed, path) == SIMK_PASS) {
						found = true;
						flipped[0] = j;
						flipped[1] = k;
						break;
					}
				}
				if (!found)
					pre[j] = oj;
			}
			if (!found)
				pre[k] = orig;
		}
	}
	free(pre);
	return found;
}

/* The same event at the same virtual time (timed) or at any time. */
static bool same_ev(const struct trace_ev *a, const struct trace_ev *b, bool timed)
{
	return (!timed || a->vtime_ns == b->vtime_ns) && a->tid == b->tid && a->type == b->type &&
	       strcmp(a->name, b->name) == 0 && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

/* "T3" into buf for a thread, "irq" for 0. */
static const char *who(int32_t tid, char *buf, size_t len)
{
	if (tid == 0)
		snprintf(buf, len, "irq");
	else
		snprintf(buf, len, "T%d", tid);
	return buf;
}

static void print_side_ev(const struct side *d, size_t i, const char *mark)
{
	char w[16];
	const struct trace_ev *e = &d->evs[i];
	printf("  %s %12" PRIu64 "ns  %-4s %s\n", mark, e->vtime_ns, who(e->tid, w, sizeof(w)),
	       d->text[i]);
}

static void describe_side(const char *label, const struct side *d)
{
	if (d->prefix) {
		printf("%s: the nearest passing run (seed %" PRIu64 "): PASS hash=%016" PRIx64 "\n",
		       label, d->seed, d->hash);
		return;
	}
	if (d->out == SIMK_PASS)
		printf("%s: %s (seed %" PRIu64 "): PASS hash=%016" PRIx64 "\n", label, d->spec,
		       d->seed, d->hash);
	else
		printf("%s: %s (seed %" PRIu64 "): FAIL hash=%016" PRIx64 " %s\n", label, d->spec,
		       d->seed, d->hash, d->reason);
}

/* The decision each run made at the divergence, in words. */
static void explain_decision(const char *label, const struct side *d, size_t k)
{
	if (k >= d->n) {
		printf("  %s: the run ends here\n", label);
		return;
	}
	const struct trace_ev *e = &d->evs[k];
	char w[16], r[16];
	if (e->type != TR_DECISION) {
		printf("  %s: %s\n", label, d->text[k]);
		return;
	}
	if (e->a[3] == 1) {
		/* made by a device or the fault layer, often in an interrupt: the
		 * scenario's place is the last statement the trace names */
		static const char *const dims[SIMK_DIM_COUNT] = {"device latency class", "fault",
								 "crash state", "tear"};
		const char *dim = e->a[2] >= 0 && e->a[2] < SIMK_DIM_COUNT ? dims[e->a[2]] : "data";
		const char *site = NULL;
		for (size_t i = k; i-- > 0 && site == NULL;)
			site = strstr(d->text[i], "  [");
		printf("  %s: %s %" PRId64 " of %" PRId64 ", while the last statement was at %s\n",
		       label, dim, e->a[0], e->a[1], site != NULL ? site + 2 : "the start");
		return;
	}
	printf("  %s: %s runs next (of %" PRId64 " candidates), while %s stood at %s\n", label,
	       who((int32_t)e->a[0], r, sizeof(r)), e->a[1], who(e->tid, w, sizeof(w)),
	       strstr(d->text[k], "  [") != NULL ? strstr(d->text[k], "  [") + 2
						 : "a switch point");
}

int cmd_diff(struct cli_opts *c)
{
	struct scn_prog *p = cli_load(c);
	if (p == NULL)
		return EXIT_USAGE;
	struct simk_opts o;
	cli_merge_opts(c, p, &o);
	bool near = c->nargs == 2; /* simk diff FILE B: A is the nearest passing run */
	struct side a = {.spec = c->args[1]}, b = {.spec = c->args[near ? 1 : 2]};
	char tmp[] = "/tmp/simk-diff-XXXXXX";
	int fd = -1;
	int rc = EXIT_USAGE;
	if (near) {
		if (run_side(c, p, &o, &b) != 0)
			goto out;
		if (b.out == SIMK_PASS) {
			describe_side("B", &b);
			printf("B passes: give a failing run (or two runs)\n");
			rc = 0;
			goto out;
		}
		fd = mkstemp(tmp);
		size_t fl[2] = {0, 0};
		if (fd < 0 || !nearest_passing(c, p, &o, &b, tmp, fl)) {
			describe_side("B", &b);
			printf("no decision of B and no pair of them, taken the other way, makes "
			       "the run pass\n");
			rc = 1;
			goto out;
		}
		a.spec = tmp;
		a.prefix = true;
		if (fl[0] == fl[1])
			printf("A is B with decision %zu of %zu taken the other way (then as fifo): "
			       "the nearest passing run\n",
			       fl[1] + 1, b.ndec);
		else
			printf("A is B with decisions %zu and %zu of %zu taken the other way (then "
			       "as fifo): the nearest passing run\n",
			       fl[0] + 1, fl[1] + 1, b.ndec);
		if (run_side(c, p, &o, &a) != 0)
			goto out;
	} else if (run_side(c, p, &o, &a) != 0 || run_side(c, p, &o, &b) != 0) {
		goto out;
	}
	describe_side("A", &a);
	describe_side("B", &b);
	size_t n = a.n < b.n ? a.n : b.n, k = 0;
	while (k < n && same_ev(&a.evs[k], &b.evs[k], true))
		k++;
	if (k == a.n && k == b.n) {
		printf("the runs are the same: %zu events\n", a.n);
		rc = 0;
		goto out;
	}
	rc = 1;
	/* Two seeds draw other device latencies and timer moments from the
	 * start: the runs' clocks part long before they do anything else.
	 * The events, without their times, part where the race is. */
	size_t ks = k;
	while (ks < n && same_ev(&a.evs[ks], &b.evs[ks], false))
		ks++;
	if (ks > k && !(ks == a.n && ks == b.n)) {
		printf("\nthe runs' clocks part at event %zu (%" PRIu64 "ns against %" PRIu64
		       "ns: latencies or timers drawn from their seeds); the same events, at "
		       "other times, follow until event %zu\n",
		       k, a.evs[k].vtime_ns, b.evs[k].vtime_ns, ks);
		k = ks;
	} else if (ks > k) {
		printf("\nthe runs do the same things at other times (latencies or timers drawn "
		       "from their seeds): their clocks part at event %zu\n",
		       k);
	}
	printf("\nthe runs share their first %zu events and part at event %zu:\n", k, k);
	size_t from = k > DIFF_BEFORE ? k - DIFF_BEFORE : 0;
	for (size_t i = from; i < k; i++)
		print_side_ev(&a, i, " ");
	printf("\nthe first decision where they part:\n");
	explain_decision("A", &a, k);
	explain_decision("B", &b, k);
	printf("\nA then:\n");
	for (size_t i = k; i < a.n && i < k + DIFF_AFTER; i++)
		print_side_ev(&a, i, "A");
	printf("\nB then:\n");
	for (size_t i = k; i < b.n && i < k + DIFF_AFTER; i++)
		print_side_ev(&b, i, "B");
	if (a.why != NULL) {
		printf("\nA fails; ");
		fputs(a.why, stdout);
	}
	if (b.why != NULL) {
		printf("\nB fails; ");
		fputs(b.why, stdout);
	}
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	side_free(&a);
	side_free(&b);
	scn_free(p);
	cli_flush_stdout();
	return rc;
}
