/*
 * simk shrink's search: from a failing run to a run with as few
 * deviations from the default schedule as still fail the same way
 * (cli/shrink.h; the policy that takes the deviations is sim/policy_guide.c).
 *
 * Every candidate is a complete, deterministic run; it counts only when it
 * fails the same way, and then what it really took (a deviation whose
 * thread is not runnable where its key comes up is dropped by the run)
 * replaces the set tried. So the set only shrinks, and the result is a
 * real run, replayable from its schedule file.
 */
#include "cli/shrink.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/guide.h"
#include "scn/scn.h"

#define SIG_MAX 1024 /* "outcome|site|reason": fits the parts below */
#define NOTE_MAX 1024

struct shrinker {
	const struct scn_prog *p;
	struct cli_opts cf;    /* the command line with the --fault options kept */
	struct simk_opts base; /* the options of a guided run */
	struct simk_guide g;
	char sig[SIG_MAX]; /* the failure to keep */
	uint64_t runs;
	bool capped;
	struct guide_dev *sorted; /* scratch: a candidate in key order */
	size_t sorted_cap;
	/* the explanation of the last run's deviations */
	char **notes;
	size_t nnotes, notes_cap;
	bool notes_oom;
};

/* ---- the failure's identity ------------------------------------------ */

/* Copies reason with every run of digits masked as '#', except a number
 * right after ':' (a line or column of file:line:col). */
static void mask_numbers(const char *reason, char *out, size_t len)
{
	size_t o = 0;
	for (const char *r = reason; *r != '\0' && o + 1 < len;) {
		if (*r >= '0' && *r <= '9' && (r == reason || r[-1] != ':')) {
			out[o++] = '#';
			while (*r >= '0' && *r <= '9')
				r++;
			continue;
		}
		if (*r >= '0' && *r <= '9') { /* after ':': kept whole */
			while (*r >= '0' && *r <= '9' && o + 1 < len)
				out[o++] = *r++;
			continue;
		}
		out[o++] = *r++;
	}
	out[o] = '\0';
}

void shrink_failure_sig(const struct simk *s, enum simk_outcome out, char *buf, size_t len)
{
	char site[300] = "";
	if (scn_failure_site(s, site, sizeof(site)) != 0)
		site[0] = '\0';
	char masked[600];
	mask_numbers(simk_failure_reason(s), masked, sizeof(masked));
	snprintf(buf, len, "%d|%s|%s", (int)out, site, masked);
}

/* ---- deviations -------------------------------------------------------- */

/* The deviations the last guided run took, in run order (malloc'd). */
static int taken_devs(const struct simk_guide *g, struct guide_dev **out, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < g->nsteps; i++)
		k += guide_step_deviates(&g->steps[i]);
	struct guide_dev *d = malloc((k ? k : 1) * sizeof(*d));
	if (d == NULL)
		return -1;
	k = 0;
	for (size_t i = 0; i < g->nsteps; i++)
		if (guide_step_deviates(&g->steps[i]))
			d[k++] = g->steps[i].at;
	*out = d;
	*n = k;
	return 0;
}

static size_t count_preempts(const struct simk_guide *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->nsteps; i++)
		n += g->steps[i].preempt && guide_step_deviates(&g->steps[i]);
	return n;
}

/* Starts a guided run with deviations set[0..n) (any order). */
static struct simk *start_guided(struct shrinker *sh, const struct guide_dev *set, size_t n)
{
	if (n > sh->sorted_cap) {
		struct guide_dev *ns = realloc(sh->sorted, n * sizeof(*ns));
		if (ns == NULL) {
			fprintf(stderr, "simk: shrink: out of memory\n");
			return NULL;
		}
		sh->sorted = ns;
		sh->sorted_cap = n;
	}
	if (n > 0)
		memcpy(sh->sorted, set, n * sizeof(*set));
	qsort(sh->sorted, n, sizeof(*sh->sorted), guide_dev_cmp);
	sh->g.pos = NULL;
	sh->g.dev = sh->sorted;
	sh->g.ndev = n;
	sh->runs++;
	return cli_start(&sh->cf, sh->p, &sh->base);
}

/*
 * Runs with the deviations set[0..n). 1 when it fails the same way (then
 * *got, *ngot: the deviations it took, run order, malloc'd), 0 when not,
 * -1 on an error (printed).
 */
static int try_devs(struct shrinker *sh, const struct guide_dev *set, size_t n,
		    struct guide_dev **got, size_t *ngot)
{
	if (sh->runs >= SHRINK_RUNS_MAX) {
		sh->capped = true;
		return 0;
	}
	struct simk *s = start_guided(sh, set, n);
	if (s == NULL)
		return -1;
	enum simk_outcome out = simk_run(s);
	bool same = false;
	if (out != SIMK_PASS) {
		char sig[SIG_MAX];
		shrink_failure_sig(s, out, sig, sizeof(sig));
		same = strcmp(sig, sh->sig) == 0;
	}
	simk_destroy(s);
	if (!same)
		return 0;
	if (sh->g.out_of_memory || taken_devs(&sh->g, got, ngot) != 0) {
		fprintf(stderr, "simk: shrink: out of memory\n");
		return -1;
	}
	return 1;
}

static void replace_devs(struct guide_dev **devs, size_t *n, struct guide_dev *got, size_t ngot)
{
	free(*devs);
	*devs = got;
	*n = ngot;
}

/*
 * ddmin: tries the empty set, then subsets and complements of ever finer
 * partitions, keeping any that fails the same way; ends when no single
 * deviation can go (the partition into singletons was tried) or at the run
 * cap. 0, or -1 on an error.
 */
static int ddmin(struct shrinker *sh, struct guide_dev **devs, size_t *n)
{
	struct guide_dev *got;
	size_t ngot;
	int r = try_devs(sh, NULL, 0, &got, &ngot);
	if (r != 0) {
		if (r > 0)
			replace_devs(devs, n, got, ngot);
		return r < 0 ? -1 : 0;
	}
	struct guide_dev *cand = malloc((*n ? *n : 1) * sizeof(*cand));
	if (cand == NULL) {
		fprintf(stderr, "simk: shrink: out of memory\n");
		return -1;
	}
	size_t gran = 2;
	while (*n >= 2 && !sh->capped) {
		if (gran > *n)
			gran = *n;
		bool found = false;
		for (size_t i = 0; i < gran && !found; i++) {
			size_t lo = i * *n / gran, hi = (i + 1) * *n / gran;
			r = try_devs(sh, *devs + lo, hi - lo, &got, &ngot);
			if (r < 0)
				break;
			if (r > 0) {
				replace_devs(devs, n, got, ngot);
				gran = 2;
				found = true;
			}
		}
		for (size_t i = 0; r >= 0 && gran > 2 && i < gran && !found; i++) {
			size_t lo = i * *n / gran, hi = (i + 1) * *n / gran, k = 0;
			for (size_t j = 0; j < *n; j++)
				if (j < lo || j >= hi)
					cand[k++] = (*devs)[j];
			r = try_devs(sh, cand, k, &got, &ngot);
			if (r > 0) {
				replace_devs(devs, n, got, ngot);
				gran = gran > 2 ? gran - 1 : 2;
				found = true;
			}
		}
		if (r < 0) {
			free(cand);
			return -1;
		}
		if (!found) {
			if (gran >= *n)
				break;
			gran = gran * 2 < *n ? gran * 2 : *n;
		}
	}
	free(cand);
	return 0;
}

/* Drops the command line's --fault options one at a time while the run
 * still fails the same way (with the deviations it has). */
static int drop_faults(struct shrinker *sh, struct guide_dev **devs, size_t *n)
{
	for (int i = sh->cf.nfaults; i > 0 && !sh->capped; i--) {
		struct cli_opts keep = sh->cf;
		for (int j = i - 1; j + 1 < sh->cf.nfaults; j++)
			sh->cf.faults[j] = sh->cf.faults[j + 1];
		sh->cf.nfaults--;
		struct guide_dev *got;
		size_t ngot;
		int r = try_devs(sh, *devs, *n, &got, &ngot);
		if (r < 0)
			return -1;
		if (r > 0)
			replace_devs(devs, n, got, ngot);
		else
			sh->cf = keep;
	}
	return 0;
}

/* Looks for a run with fewer preemptions that fails the same way: the dfs
 * search from the same seed with a preemption bound of 0, 1, ... have - 1
 * (SHRINK_DFS_RUNS runs in all). Found: its decisions (malloc'd). 1 found,
 * 0 not, -1 on an error. */
static int bounded_search(struct shrinker *sh, const struct simk_opts *o, size_t have,
			  int64_t **dec, size_t *ndec)
{
	uint64_t budget = SHRINK_DFS_RUNS;
	int found = 0;
	for (size_t b = 0; b < have && budget > 0 && found == 0; b++) {
		struct simk_dfs_opts dopts;
		simk_dfs_opts_default(&dopts);
		dopts.bound = (int)b;
		struct simk_dfs *d = simk_dfs_create_opts(&dopts);
		if (d == NULL) {
			fprintf(stderr, "simk: shrink: out of memory\n");
			return -1;
		}
		struct simk_opts od = *o;
		od.policy = SIMK_POLICY_DFS;
		od.dfs = d;
		od.replay_path = NULL;
		od.guide = NULL;
		od.schedule_out = NULL;
		od.keep_trace = false;
		od.keep_decisions = true;
		od.max_steps = sh->base.max_steps;
		do {
			struct simk *s = cli_start(&sh->cf, sh->p, &od);
			if (s == NULL) {
				found = -1;
				break;
			}
			sh->runs++;
			budget--;
			enum simk_outcome out = simk_run(s);
			char sig[SIG_MAX];
			if (out != SIMK_PASS) {
				shrink_failure_sig(s, out, sig, sizeof(sig));
				if (strcmp(sig, sh->sig) == 0) {
					size_t n;
					const int64_t *x = simk_decisions(s, &n);
					*dec = malloc((n ? n : 1) * sizeof(**dec));
					if (*dec != NULL) {
						if (n > 0)
							memcpy(*dec, x, n * sizeof(*x));
						*ndec = n;
						found = 1;
					} else {
						found = -1;
					}
				}
			}
			simk_destroy(s);
		} while (found == 0 && budget > 0 && simk_dfs_advance(d));
		simk_dfs_destroy(d);
	}
	return found;
}

static int positional(struct shrinker *sh, const int64_t *dec, size_t ndec, struct guide_dev **devs,
		      size_t *n);

/* The preemptions of a run with deviations set[0..n): -1 when it does not
 * fail the same way or on an error. */
static long preempts_of(struct shrinker *sh, const struct guide_dev *set, size_t n)
{
	struct guide_dev *got;
	size_t ngot;
	if (try_devs(sh, set, n, &got, &ngot) <= 0)
		return -1;
	free(got);
	return (long)count_preempts(&sh->g);
}

/*
 * ddmin only drops deviations; a bug that needs one preemption may come
 * with two that cannot be dropped one at a time: the waker preempted
 * before its first statement, where letting the waiter run first at the
 * start would do. So each preemption (a, k -> c) is tried as a choice of c
 * at one of the nearest earlier points where switching is no preemption (a
 * block, an exit, a yield, the start); a candidate with fewer preemptions
 * that fails the same way is shrunk again and kept.
 */
#define HOIST_TRIES_MAX 64 /* earlier points tried per preemption */

static int hoist_preempts(struct shrinker *sh, struct guide_dev **devs, size_t *n)
{
	for (bool again = true; again && !sh->capped;) {
		again = false;
		struct guide_dev *got;
		size_t ngot;
		int r = try_devs(sh, *devs, *n, &got, &ngot);
		if (r <= 0)
			return r < 0 ? -1 : 0;
		free(got);
		size_t have = count_preempts(&sh->g), nst = sh->g.nsteps;
		if (have == 0)
			return 0;
		struct guide_step *st = malloc(nst * sizeof(*st));
		struct guide_dev *cand = malloc((*n + 1) * sizeof(*cand));
		if (st == NULL || cand == NULL) {
			free(st);
			free(cand);
			fprintf(stderr, "simk: shrink: out of memory\n");
			return -1;
		}
		memcpy(st, sh->g.steps, nst * sizeof(*st));
		for (size_t i = 0; i < nst && !again && r >= 0; i++) {
			if (!st[i].preempt || !guide_step_deviates(&st[i]))
				continue;
			int tries = 0;
			for (size_t j = i; j > 0 && tries < HOIST_TRIES_MAX && !again; j--) {
				const struct guide_step *e = &st[j - 1];
				if (e->preempt ||
				    (e->kind != PT_BLOCK && e->kind != PT_EXIT &&
				     e->kind != PT_START && e->kind != PT_YIELD) ||
				    e->at.choice == st[i].at.choice)
					continue;
				tries++;
				size_t k = 0;
				for (size_t x = 0; x < *n; x++)
					if (guide_dev_cmp(&(*devs)[x], &st[i].at) != 0 &&
					    guide_dev_cmp(&(*devs)[x], &e->at) != 0)
						cand[k++] = (*devs)[x];
				cand[k] = e->at;
				cand[k++].choice = st[i].at.choice;
				r = try_devs(sh, cand, k, &got, &ngot);
				if (r < 0)
					break;
				if (r > 0 && count_preempts(&sh->g) < have) {
					replace_devs(devs, n, got, ngot);
					r = ddmin(sh, devs, n);
					again = r == 0;
				} else if (r > 0) {
					free(got);
				}
			}
		}
		free(st);
		free(cand);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* ddmin only drops deviations; a bug that needs one preemption may come
 * with two that cannot be dropped one at a time (the waker preempted
 * before it starts, where starting the waiter first would do). A
 * preemption-bounded search finds the schedule with the fewest, which is
 * then shrunk in turn. */
static int fewer_preempts(struct shrinker *sh, const struct simk_opts *o, struct guide_dev **devs,
			  size_t *n)
{
	long have = preempts_of(sh, *devs, *n);
	if (have <= 0)
		return have < 0 && !sh->capped ? -1 : 0;
	int64_t *dec = NULL;
	size_t ndec = 0;
	int r = bounded_search(sh, o, (size_t)have, &dec, &ndec);
	if (r <= 0)
		return r;
	struct guide_dev *d2 = NULL;
	size_t n2 = 0;
	r = positional(sh, dec, ndec, &d2, &n2);
	free(dec);
	if (r == 0)
		r = ddmin(sh, &d2, &n2);
	long fewer = r == 0 ? preempts_of(sh, d2, n2) : -1;
	if (fewer >= 0 && fewer < have)
		replace_devs(devs, n, d2, n2);
	else
		free(d2);
	return r;
}

/* ---- the explanation --------------------------------------------------- */

static void add_note(struct shrinker *sh, const char *line)
{
	if (sh->nnotes == sh->notes_cap) {
		size_t ncap = sh->notes_cap ? sh->notes_cap * 2 : 16;
		char **nn = realloc(sh->notes, ncap * sizeof(*nn));
		if (nn == NULL) {
			sh->notes_oom = true;
			return;
		}
		sh->notes = nn;
		sh->notes_cap = ncap;
	}
	char *d = strdup(line);
	if (d == NULL) {
		sh->notes_oom = true;
		return;
	}
	sh->notes[sh->nnotes++] = d;
}

static void free_notes(struct shrinker *sh)
{
	for (size_t i = 0; i < sh->nnotes; i++)
		free(sh->notes[i]);
	free(sh->notes);
	sh->notes = NULL;
	sh->nnotes = sh->notes_cap = 0;
}

static const char *kind_name(uint8_t kind)
{
	switch (kind) {
	case PT_PREEMPT:
		return "a preemption point";
	case PT_SYSCALL_ENTER:
		return "a system-call entry";
	case PT_SYSCALL_EXIT:
		return "a system-call exit";
	case PT_YIELD:
		return "a yield";
	case PT_BLOCK:
		return "a block";
	case PT_EXIT:
		return "its exit";
	case PT_START:
		return "the start";
	}
	return "a switch point";
}

static const char *dim_name(int dim)
{
	switch (dim) {
	case SIMK_DIM_LATENCY:
		return "device latency";
	case SIMK_DIM_FAULT:
		return "fault";
	case SIMK_DIM_CRASH:
		return "crash state";
	}
	return "data";
}

/* "T2 waiter" */
static void who(const struct simk_thread *t, char *buf, size_t len)
{
	snprintf(buf, len, "T%d %s", t->tid, t->name);
}

/* Where the deciding thread stands, in the words of its source. */
static void actor_where(const struct simk_thread *t, uint8_t kind, uint32_t point, char *buf,
			size_t len)
{
	struct scn_where w;
	const char *file;
	int line;
	if (!scn_thread_where(t, &w) && scn_foreign_thread_site(t, &file, &line)) {
		/* a guest program's thread: the line of its call or access */
		snprintf(buf, len, "at its switch point %u (%s), at %s:%d", point + 1,
			 kind_name(kind), file, line);
		return;
	}
	if (!scn_thread_where(t, &w)) {
		snprintf(buf, len, "at its switch point %u (%s)", point + 1, kind_name(kind));
		return;
	}
	char before[SCN_STMT_TEXT_MAX + 40] = "";
	if (w.prev_line > 0)
		snprintf(before, sizeof(before), "after `%s` (line %d), ", w.prev_text,
			 w.prev_line);
	switch (kind) {
	case PT_SYSCALL_EXIT:
		snprintf(buf, len, "after `%s` returned (line %d)", w.text, w.line);
		break;
	case PT_YIELD:
		snprintf(buf, len, "at `%s` (line %d)", w.text, w.line);
		break;
	case PT_BLOCK:
		snprintf(buf, len, "in `%s` (line %d)", w.text, w.line);
		break;
	default:
		snprintf(buf, len, "%sbefore `%s` (line %d)", before, w.text, w.line);
		break;
	}
}

/* What the chosen thread goes on with: " `flag = 1` (line 23)". */
static void next_what(const struct shrinker *sh, const struct simk_thread *t, char *buf, size_t len)
{
	struct scn_where w;
	if (scn_thread_where(t, &w)) {
		snprintf(buf, len, " `%s` (line %d)", w.text, w.line);
		return;
	}
	int line = t->scn == NULL ? scn_thread_body_line(sh->p, t->name) : 0;
	char text[SCN_STMT_TEXT_MAX];
	scn_source_line(sh->p, line, text, sizeof(text));
	if (line > 0)
		snprintf(buf, len, " `%s` (line %d)", text, line);
	else
		buf[0] = '\0';
}

static void note_step(void *arg, const struct guide_step *st, const struct simk_thread *self,
		      const struct simk_thread *next)
{
	struct shrinker *sh = arg;
	char line[NOTE_MAX], a[SIM_NAME_MAX + 16], n[SIM_NAME_MAX + 16], d[SIM_NAME_MAX + 16];
	char where[2 * SCN_STMT_TEXT_MAX + 80], what[SCN_STMT_TEXT_MAX + 40];
	if (st->kind == GUIDE_DATA_KIND) {
		snprintf(
		    line, sizeof(line), "%s decision %u takes alternative %d of %u (default 0)",
		    dim_name(-1 - st->at.actor), st->at.point + 1, (int)st->at.choice, st->ncand);
		add_note(sh, line);
		return;
	}
	const struct simk_thread *dt = st->deflt > 0 ? sim_thread_by_tid(st->deflt) : NULL;
	if (next != NULL) {
		who(next, n, sizeof(n));
		next_what(sh, next, what, sizeof(what));
	}
	if (dt != NULL)
		who(dt, d, sizeof(d));
	if (self == NULL) {
		snprintf(line, sizeof(line), "at the start, %s runs first%s, not %s", n, what,
			 dt != NULL ? d : "the default");
	} else {
		who(self, a, sizeof(a));
		actor_where(self, st->kind, st->at.point, where, sizeof(where));
		const char *irq = "";
		char irqbuf[SIM_NAME_MAX + 64];
		if (st->deflt == 0) {
			const struct sim_event *ev = eventq_peek(&sim_cur()->eq);
			snprintf(irqbuf, sizeof(irqbuf), "the due interrupt (%s) waits; ",
				 ev != NULL && ev->name != NULL ? ev->name : "?");
			irq = irqbuf;
		}
		if (st->preempt)
			snprintf(line, sizeof(line), "%s%s is preempted %s; %s runs%s", irq, a,
				 where, n, what);
		else if (next == self)
			snprintf(line, sizeof(line), "%s%s goes on %s%s%s", irq, a, where,
				 dt != NULL ? " instead of " : "", dt != NULL ? d : "");
		else if (st->kind == PT_BLOCK || st->kind == PT_EXIT || st->kind == PT_YIELD)
			snprintf(line, sizeof(line), "%s%s %s %s; %s runs%s%s%s", irq, a,
				 st->kind == PT_BLOCK  ? "blocks"
				 : st->kind == PT_EXIT ? "exits"
						       : "yields",
				 st->kind == PT_EXIT ? "" : where, n, what,
				 dt != NULL && dt != self ? " instead of " : "",
				 dt != NULL && dt != self ? d : "");
		else
			snprintf(line, sizeof(line), "%s%s at %s %s; %s runs%s", irq, a,
				 kind_name(st->kind), where, n, what);
	}
	add_note(sh, line);
}

/* ---- the whole shrink --------------------------------------------------- */

/* Takes the failing run again, keeping its decisions. Fills sh->sig. */
static int capture(struct shrinker *sh, const struct simk_opts *o, int64_t **dec, size_t *ndec,
		   uint64_t *steps, char *reason, size_t rlen, enum simk_outcome *out)
{
	struct simk_opts o1 = *o;
	o1.keep_decisions = true;
	o1.keep_trace = false;
	o1.schedule_out = NULL;
	struct simk *s = cli_start(&sh->cf, sh->p, &o1);
	if (s == NULL)
		return -1;
	sh->runs++;
	*out = simk_run(s);
	shrink_failure_sig(s, *out, sh->sig, sizeof(sh->sig));
	snprintf(reason, rlen, "%s", simk_failure_reason(s));
	*steps = simk_steps(s);
	size_t n;
	const int64_t *d = simk_decisions(s, &n);
	*dec = malloc((n ? n : 1) * sizeof(**dec));
	if (*dec == NULL) {
		simk_destroy(s);
		fprintf(stderr, "simk: shrink: out of memory\n");
		return -1;
	}
	if (n > 0)
		memcpy(*dec, d, n * sizeof(*d));
	*ndec = n;
	simk_destroy(s);
	return 0;
}

/* The guided replay of the captured decisions: its deviations, run order. */
static int positional(struct shrinker *sh, const int64_t *dec, size_t ndec, struct guide_dev **devs,
		      size_t *n)
{
	sh->g.pos = dec;
	sh->g.npos = ndec;
	sh->g.dev = NULL;
	sh->g.ndev = 0;
	sh->runs++;
	struct simk *s = cli_start(&sh->cf, sh->p, &sh->base);
	enum simk_outcome out = s != NULL ? simk_run(s) : SIMK_PASS;
	sh->g.pos = NULL;
	if (s == NULL)
		return -1;
	char sig[SIG_MAX];
	shrink_failure_sig(s, out, sig, sizeof(sig));
	simk_destroy(s);
	if (sh->g.diverged || strcmp(sig, sh->sig) != 0) {
		fprintf(stderr,
			"simk: shrink: replaying the failing run's decisions ended differently "
			"(%s%zu); the run cannot be shrunk\n",
			sh->g.diverged ? "diverged at decision " : "decisions: ",
			sh->g.diverged ? sh->g.diverged_at : ndec);
		return -1;
	}
	if (sh->g.out_of_memory || taken_devs(&sh->g, devs, n) != 0) {
		fprintf(stderr, "simk: shrink: out of memory\n");
		return -1;
	}
	return 0;
}

/* The last run: the shrunk deviations, its schedule written to path and
 * every deviation explained. */
static int final_run(struct shrinker *sh, const struct guide_dev *devs, size_t n, const char *path,
		     uint64_t *hash)
{
	FILE *t = fopen(path, "w");
	if (t == NULL) {
		fprintf(stderr, "simk: shrink: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fclose(t);
	sh->base.schedule_out = path;
	sh->g.note = note_step;
	sh->g.note_arg = sh;
	struct simk *s = start_guided(sh, devs, n);
	sh->base.schedule_out = NULL;
	if (s == NULL) {
		sh->g.note = NULL;
		return -1;
	}
	enum simk_outcome out = simk_run(s);
	sh->g.note = NULL;
	char sig[SIG_MAX];
	shrink_failure_sig(s, out, sig, sizeof(sig));
	*hash = simk_trace_hash(s);
	if (out == SIMK_PASS || strcmp(sig, sh->sig) != 0) {
		simk_destroy(s);
		fprintf(stderr, "simk: shrink: the shrunk run did not fail the same way again\n");
		return -1;
	}
	simk_destroy(s);
	return 0;
}

/* The schedule file replays the shrunk run: same failure, same hash. Its
 * FAIL line goes to line[0..len). */
static int check_replay(struct shrinker *sh, const struct simk_opts *o, const char *path,
			uint64_t hash, char *line, size_t len)
{
	struct simk_opts r = *o;
	r.policy = SIMK_POLICY_REPLAY;
	r.replay_path = path;
	r.keep_trace = false;
	r.schedule_out = NULL;
	r.keep_decisions = false;
	r.guide = NULL;
	struct simk *s = cli_start(&sh->cf, sh->p, &r);
	if (s == NULL)
		return -1;
	sh->runs++;
	enum simk_outcome out = simk_run(s);
	char sig[SIG_MAX];
	shrink_failure_sig(s, out, sig, sizeof(sig));
	bool ok = out != SIMK_PASS && strcmp(sig, sh->sig) == 0 && simk_trace_hash(s) == hash;
	FILE *m = fmemopen(line, len - 1, "w");
	if (m != NULL) {
		cli_print_result(m, s, out);
		fclose(m);
	}
	simk_destroy(s);
	if (!ok)
		fprintf(stderr, "simk: shrink: %s does not replay the shrunk run\n", path);
	return ok ? 0 : -1;
}

static void print_report(struct shrinker *sh, const struct simk_opts *o, const char *path, FILE *f,
			 const char *prefix, const struct shrink_stats *st)
{
	fprintf(f,
		"%sthe failing run made %zu decisions, %zu of them not the default (%zu "
		"preemption%s)",
		prefix, st->decisions, st->devs0, st->preempts0, st->preempts0 == 1 ? "" : "s");
	if (st->faults0 > 0)
		fprintf(f, ", with %d --fault option%s", st->faults0, st->faults0 == 1 ? "" : "s");
	fprintf(f, "\n%sshrunk in %" PRIu64 " runs%s to %zu critical decision%s (%zu preemption%s)",
		prefix, st->runs, st->capped ? " (the run cap stopped it)" : "", st->devs,
		st->devs == 1 ? "" : "s", st->preempts, st->preempts == 1 ? "" : "s");
	if (st->faults0 > 0)
		fprintf(f, " and %d --fault option%s", st->faults, st->faults == 1 ? "" : "s");
	if (st->devs > 0)
		fputs(":\n", f);
	else
		fprintf(f,
			": the default schedule fails by itself (with seed %" PRIu64
			"'s device timing and faults)\n",
			o->seed);
	for (size_t i = 0; i < sh->nnotes; i++)
		fprintf(f, "%s  %zu. %s\n", prefix, i + 1, sh->notes[i]);
	if (sh->notes_oom)
		fprintf(f, "%s  (out of memory: explanations missing)\n", prefix);
	fprintf(f, "%sschedule: %s\n", prefix, path);
	struct simk_opts ro = *o;
	ro.policy = SIMK_POLICY_REPLAY;
	ro.replay_path = path;
	fprintf(f, "%sreproduce: ", prefix);
	struct cli_opts rc = sh->cf;
	rc.has_irq = false; /* a replay takes no interrupt probability */
	cli_repro(f, &rc, &ro);
}

int shrink_failure(const struct cli_opts *c, const struct scn_prog *p, const struct simk_opts *o,
		   const char *out_path, FILE *f, const char *prefix, bool for_explore,
		   struct shrink_stats *stats)
{
	struct shrinker sh;
	memset(&sh, 0, sizeof(sh));
	sh.p = p;
	sh.cf = *c;
	struct shrink_stats st;
	memset(&st, 0, sizeof(st));
	st.faults0 = c->nfaults;
	int64_t *dec = NULL;
	size_t ndec = 0;
	struct guide_dev *devs = NULL;
	size_t n = 0;
	uint64_t steps = 0, hash = 0;
	char reason[512];
	enum simk_outcome out0 = SIMK_PASS;
	int rc = EXIT_USAGE;
	if (capture(&sh, o, &dec, &ndec, &steps, reason, sizeof(reason), &out0) != 0)
		goto done;
	if (out0 == SIMK_PASS) {
		fprintf(f, "%sthe run passes: nothing to shrink\n", prefix);
		rc = 0;
		goto done;
	}
	if (o->policy == SIMK_POLICY_REPLAY && strncmp(reason, "replay", 6) == 0) {
		fprintf(stderr, "simk: shrink: %s does not fit this run (%s)\n", o->replay_path,
			reason);
		goto done;
	}
	sh.base = *o;
	sh.base.policy = SIMK_POLICY_GUIDE;
	sh.base.guide = &sh.g;
	sh.base.replay_path = NULL;
	sh.base.keep_trace = false;
	sh.base.trace_tail_off = true; /* candidates need their hash and outcome only */
	sh.base.keep_decisions = false;
	sh.base.schedule_out = NULL;
	sh.base.dfs = NULL;
	/* a candidate that spins forever is a different failure: stop it early */
	uint64_t cap = steps * 4 + 10000;
	if (strstr(reason, "step limit") == NULL && (o->max_steps == 0 || cap < o->max_steps))
		sh.base.max_steps = cap;
	for (size_t i = 0; i < ndec; i++)
		if (SIM_DECISION_IS_DATA(dec[i]))
			sh.g.data_dims |= 1u << SIM_DECISION_DIM(dec[i]);
	if (positional(&sh, dec, ndec, &devs, &n) != 0)
		goto done;
	st.decisions = sh.g.nsteps;
	st.devs0 = n;
	st.preempts0 = count_preempts(&sh.g);
	struct guide_dev *got;
	size_t ngot;
	int r = try_devs(&sh, devs, n, &got, &ngot);
	if (r <= 0) {
		if (r == 0)
			fprintf(stderr, "simk: shrink: the failing run's deviations, replayed by "
					"where they happen, do not fail the same way\n");
		goto done;
	}
	replace_devs(&devs, &n, got, ngot);
	if (drop_faults(&sh, &devs, &n) != 0 || ddmin(&sh, &devs, &n) != 0)
		goto done;
	if (hoist_preempts(&sh, &devs, &n) != 0 || fewer_preempts(&sh, o, &devs, &n) != 0)
		goto done;
	if (final_run(&sh, devs, n, out_path, &hash) != 0)
		goto done;
	st.devs = n;
	st.preempts = count_preempts(&sh.g);
	st.faults = sh.cf.nfaults;
	char line[1200] = "";
	if (check_replay(&sh, o, out_path, hash, line, sizeof(line)) != 0)
		goto done;
	st.runs = sh.runs;
	st.capped = sh.capped;
	print_report(&sh, o, out_path, f, prefix, &st);
	if (!for_explore)
		fputs(line, f); /* the FAIL line of the shrunk run, last */
	rc = (int)out0;
done:
	if (stats != NULL)
		*stats = st;
	free(dec);
	free(devs);
	free(sh.sorted);
	free_notes(&sh);
	guide_free(&sh.g);
	return rc;
}
