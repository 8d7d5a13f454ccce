/*
 * The readable trace: one column per thread, the virtual time on the left
 * (docs/tracing.md "Reading a trace"). Three steps turn events into lines,
 * each a view that never touches the recording:
 *  1. selection: the reader's level (--trace-level) and filter
 *     (--trace-filter: threads, layers, event names);
 *  2. a call that returns before anything else is shown prints as one
 *     line, "open("/d/f", O_CREAT|O_RDWR, 0644) = 3"; one that blocks
 *     prints its entry ("... = ?" follows later as "open = 3");
 *  3. folding: a block of up to FOLD_PERIOD_MAX lines that repeats at
 *     least twice in a row (a polling loop, a timer firing) prints once,
 *     followed by one "×N" line.
 * Lines can be fed one event at a time (streamed during a run) or from a
 * kept trace; both print the same.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_text.h"

#define COL 26
#define COLS_MAX 12	   /* thread columns; later threads share the last one */
#define LINE_MAX_CHARS 240 /* an event's text */
#define FOLD_PERIOD_MAX 8  /* longest repeating block that folds */
#define FILTER_TERMS_MAX 16

struct line {
	uint64_t vtime_ns;
	int32_t tid;
	uint16_t src_line;
	char text[LINE_MAX_CHARS];
};

struct trace_text {
	const struct simk *s;
	FILE *f;
	struct trace_text_opts o;
	char filter_buf[256];
	const char *terms[FILTER_TERMS_MAX];
	int nterms;
	/* step 2: a call entry waiting for its exit */
	bool have_enter;
	struct trace_ev enter;
	/* step 3: the last FOLD_PERIOD_MAX printed lines (a ring), and a
	 * candidate cycle: period lines long, matched up to pos in its
	 * current repetition, repeated reps times in full. Lines of a
	 * repetition in progress are held, unprinted. */
	struct line hist[FOLD_PERIOD_MAX];
	int nhist;     /* lines in hist (<= FOLD_PERIOD_MAX) */
	int hist_head; /* index of the next slot */
	int period, pos, reps;
	struct line held[FOLD_PERIOD_MAX];
	/* the first full repetition, printed as it is (its own times) when
	 * the cycle ends after one: held is reused by the next one */
	struct line first_rep[FOLD_PERIOD_MAX];
	uint64_t last_ns;
	uint64_t lines;
};

static void parse_filter(struct trace_text *tt, const char *filter)
{
	tt->nterms = 0;
	if (filter == NULL || filter[0] == '\0')
		return;
	snprintf(tt->filter_buf, sizeof(tt->filter_buf), "%s", filter);
	char *save = NULL;
	for (char *tok = strtok_r(tt->filter_buf, ",", &save);
	     tok != NULL && tt->nterms < FILTER_TERMS_MAX; tok = strtok_r(NULL, ",", &save))
		if (tok[0] != '\0')
			tt->terms[tt->nterms++] = tok;
}

bool trace_text_selected(const struct trace_text *tt, const struct trace_ev *e)
{
	if (trace_ev_level(e) > tt->o.level)
		return false;
	if (tt->nterms == 0)
		return true;
	char sub[32];
	trace_ev_subsys(e, sub, sizeof(sub));
	char tname[16];
	snprintf(tname, sizeof(tname), "T%d", e->tid);
	const char *thread = NULL;
	if (tt->s != NULL && e->tid > 0 && e->tid <= tt->s->nthreads)
		thread = tt->s->threads[e->tid - 1]->name;
	for (int i = 0; i < tt->nterms; i++) {
		const char *t = tt->terms[i];
		if (strcmp(t, tname) == 0 || (thread != NULL && strcmp(t, thread) == 0) ||
		    strcmp(t, sub) == 0 || (e->name != NULL && strcmp(t, e->name) == 0))
			return true;
	}
	return false;
}

static void print_header(struct trace_text *tt)
{
	const struct simk *s = tt->s;
	int n = s != NULL ? s->nthreads : 0;
	int ncols = n < COLS_MAX ? n : COLS_MAX;
	fprintf(tt->f, "%14s  %-*s", "vtime", COL, "irq/sched");
	for (int i = 0; i < ncols; i++) {
		char h[64];
		snprintf(h, sizeof(h), "T%d %s", s->threads[i]->tid, s->threads[i]->name);
		fprintf(tt->f, "%-*.*s", COL, COL - 1, h);
	}
	fputc('\n', tt->f);
}

static void put_line(struct trace_text *tt, const struct line *l)
{
	int col = l->tid <= COLS_MAX ? l->tid : COLS_MAX;
	fprintf(tt->f, "%12" PRIu64 "ns  ", l->vtime_ns);
	for (int c = 0; c < col; c++)
		fprintf(tt->f, "%-*s", COL, c == 0 ? "" : "|");
	if (col > 0 && l->tid > COLS_MAX)
		fprintf(tt->f, "T%d:", l->tid);
	if (l->src_line != 0)
		fprintf(tt->f, "%s  [%s:%u]\n", l->text, tt->o.src != NULL ? tt->o.src : "line",
			(unsigned)l->src_line);
	else
		fprintf(tt->f, "%s\n", l->text);
	tt->lines++;
}

static bool same_line(const struct line *a, const struct line *b)
{
	return a->tid == b->tid && a->src_line == b->src_line && strcmp(a->text, b->text) == 0;
}

/* The line printed k lines back (1 = the last one). */
static const struct line *hist_back(const struct trace_text *tt, int k)
{
	int i = (tt->hist_head - k + 2 * FOLD_PERIOD_MAX) % FOLD_PERIOD_MAX;
	return &tt->hist[i];
}

static void hist_push(struct trace_text *tt, const struct line *l)
{
	tt->hist[tt->hist_head] = *l;
	tt->hist_head = (tt->hist_head + 1) % FOLD_PERIOD_MAX;
	if (tt->nhist < FOLD_PERIOD_MAX)
		tt->nhist++;
}

static void print_now(struct trace_text *tt, const struct line *l)
{
	put_line(tt, l);
	hist_push(tt, l);
}

/* Ends a candidate cycle: a fold note for its full repetitions (or the
 * lines themselves when it repeated only once), then the held lines of
 * the unfinished repetition. */
static void cycle_end(struct trace_text *tt)
{
	if (tt->period == 0)
		return;
	int period = tt->period, reps = tt->reps, pos = tt->pos;
	tt->period = 0;
	if (reps >= 2) {
		struct line note = {.vtime_ns = tt->last_ns, .tid = 0};
		if (period == 1)
			snprintf(note.text, sizeof(note.text), "... the line above ×%d more", reps);
		else
			snprintf(note.text, sizeof(note.text), "... the %d lines above ×%d more",
				 period, reps);
		put_line(tt, &note);
	} else if (reps == 1) {
		/* One repetition is not worth a note: print it. */
		for (int i = 0; i < period; i++)
			print_now(tt, &tt->first_rep[i]);
	}
	for (int i = 0; i < pos; i++)
		print_now(tt, &tt->held[i]);
}

/* Holds l as the next line of the candidate cycle's repetition. */
static void hold_line(struct trace_text *tt, const struct line *l)
{
	tt->held[tt->pos++] = *l;
	tt->last_ns = l->vtime_ns;
	if (tt->pos == tt->period) {
		if (++tt->reps == 1)
			memcpy(tt->first_rep, tt->held, (size_t)tt->period * sizeof(tt->held[0]));
		tt->pos = 0;
	}
}

static void fold_line(struct trace_text *tt, const struct line *l)
{
	if (!tt->o.fold) {
		put_line(tt, l);
		return;
	}
	if (tt->period != 0) {
		/* The block that repeats is the last `period` printed lines. */
		if (same_line(l, hist_back(tt, tt->period - tt->pos))) {
			hold_line(tt, l);
			return;
		}
		cycle_end(tt);
	}
	/* Does l start a repetition of the last k lines? */
	for (int k = 1; k <= tt->nhist; k++) {
		if (!same_line(l, hist_back(tt, k)))
			continue;
		tt->period = k;
		tt->reps = 0;
		tt->pos = 0;
		hold_line(tt, l);
		return;
	}
	print_now(tt, l);
}

static void emit_line(struct trace_text *tt, const struct trace_ev *e, const char *text)
{
	struct line l = {.vtime_ns = e->vtime_ns, .tid = e->tid, .src_line = e->line};
	if (e->type == TR_PANIC && e->a[0] == SIMK_FAIL_DEADLOCK) {
		/* every thread is stuck, not the one that happened to run last:
		 * the scheduler's column, and the sleepers follow on stderr */
		l.tid = 0;
		l.src_line = 0;
	}
	snprintf(l.text, sizeof(l.text), "%s", text);
	fold_line(tt, &l);
}

/* dst = a then b, cut to len. */
static void join(char *dst, size_t len, const char *a, const char *b)
{
	size_t na = strnlen(a, len - 1);
	memcpy(dst, a, na);
	size_t nb = strnlen(b, len - 1 - na);
	memcpy(dst + na, b, nb);
	dst[na + nb] = '\0';
}

static void flush_enter(struct trace_text *tt)
{
	if (!tt->have_enter)
		return;
	tt->have_enter = false;
	char buf[LINE_MAX_CHARS];
	trace_format_ev(&tt->enter, buf, sizeof(buf));
	char line[LINE_MAX_CHARS];
	join(line, sizeof(line), buf, " ...");
	emit_line(tt, &tt->enter, line);
}

void trace_text_ev(struct trace_text *tt, const struct trace_ev *e)
{
	if (!trace_text_selected(tt, e))
		return;
	if (e->type == TR_SYSCALL_EXIT && tt->have_enter && tt->enter.tid == e->tid &&
	    tt->enter.name == e->name) {
		/* "open(...)" and "open = 3" become "open(...) = 3" */
		tt->have_enter = false;
		char call[LINE_MAX_CHARS], ret[LINE_MAX_CHARS], line[LINE_MAX_CHARS];
		trace_format_ev(&tt->enter, call, sizeof(call));
		trace_format_ev(e, ret, sizeof(ret));
		const char *eq = strstr(ret, " = ");
		join(line, sizeof(line), call, eq != NULL ? eq : ret);
		emit_line(tt, &tt->enter, line);
		return;
	}
	flush_enter(tt);
	if (e->type == TR_SYSCALL_ENTER) {
		tt->enter = *e;
		tt->have_enter = true;
		return;
	}
	char buf[LINE_MAX_CHARS];
	trace_format_ev(e, buf, sizeof(buf));
	emit_line(tt, e, buf);
}

struct trace_text *trace_text_new(const struct simk *s, FILE *f, const struct trace_text_opts *o)
{
	struct trace_text *tt = calloc(1, sizeof(*tt));
	if (tt == NULL)
		return NULL;
	tt->s = s;
	tt->f = f;
	if (o != NULL)
		tt->o = *o;
	else
		tt->o = (struct trace_text_opts){.level = TRACE_LEVEL_KERNEL, .fold = true};
	parse_filter(tt, tt->o.filter);
	print_header(tt);
	return tt;
}

void trace_text_flush(struct trace_text *tt)
{
	flush_enter(tt);
	cycle_end(tt);
}

uint64_t trace_text_end(struct trace_text *tt)
{
	if (tt == NULL)
		return 0;
	trace_text_flush(tt);
	uint64_t n = tt->lines;
	free(tt);
	return n;
}

int trace_level_parse(const char *s, enum trace_level *out)
{
	static const char *const names[] = {"user", "kernel", "all"};
	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum trace_level)i;
			return 0;
		}
	return -1;
}
