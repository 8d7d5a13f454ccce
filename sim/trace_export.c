/*
 * Trace output: Chrome trace-event JSON (chrome://tracing, Perfetto) of
 * the kept events, and the readable column view — of the kept events, or
 * streamed as the run goes (`simk run` without --quiet). docs/tracing.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/engine.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int simk_trace_export_chrome(const struct simk *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	errno = 0;
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	bool first = true;
	/* thread names */
	for (int i = 0; i < s->nthreads; i++) {
		const struct simk_thread *t = s->threads[i];
		fprintf(f, "%s{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
			first ? "" : ",\n", t->proc->pid, t->tid);
		json_str(f, t->name);
		fprintf(f, "}}");
		first = false;
	}
	fprintf(f, "%s{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\"irq\"}}",
		first ? "" : ",\n");
	/* running slices: a thread runs from the event after a decision picks it */
	int running = 0;
	uint64_t since = 0;
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		int pid = 0;
		if (e->tid > 0 && e->tid <= s->nthreads)
			pid = s->threads[e->tid - 1]->proc->pid;
		if (e->tid != running) {
			if (running > 0) {
				int rp = s->threads[running - 1]->proc->pid;
				fprintf(f, ",\n{\"ph\":\"X\",\"name\":\"run\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f}",
					rp, running, (double)since / 1000.0,
					(double)(e->vtime_ns - since) / 1000.0);
			}
			running = e->tid;
			since = e->vtime_ns;
		}
		char buf[160];
		trace_format_ev(e, buf, sizeof(buf));
		fprintf(f, ",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"%s\",\"name\":", trace_type_name(e->type));
		json_str(f, buf);
		fprintf(f, ",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"args\":{\"seq\":%zu}}", pid, e->tid,
			(double)e->vtime_ns / 1000.0, i);
	}
	fprintf(f, "\n]}\n");
	bool bad = ferror(f) != 0; /* a write that failed before the last flush */
	if (fclose(f) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

#define COL 26
#define COLS_MAX 12 /* thread columns; later threads share the last one */

static void print_header(const struct simk *s, FILE *f)
{
	int ncols = s->nthreads < COLS_MAX ? s->nthreads : COLS_MAX;
	fprintf(f, "%14s  %-*s", "vtime", COL, "irq/sched");
	for (int i = 0; i < ncols; i++) {
		char h[64];
		snprintf(h, sizeof(h), "T%d %s", s->threads[i]->tid, s->threads[i]->name);
		fprintf(f, "%-*.*s", COL, COL - 1, h);
	}
	fputc('\n', f);
}

/* One event as a line of the column view; decisions print nothing (they
 * show as the column that runs next). A thread's column is its tid (the
 * header names the threads that existed when printing began; a later
 * thread's column is named by its "start" line). */
static void print_line(const struct trace_ev *e, FILE *f)
{
	if (e->type == TR_DECISION)
		return;
	char buf[160];
	trace_format_ev(e, buf, sizeof(buf));
	int col = e->tid <= COLS_MAX ? e->tid : COLS_MAX;
	fprintf(f, "%12" PRIu64 "ns  ", e->vtime_ns);
	for (int c = 0; c < col; c++)
		fprintf(f, "%-*s", COL, c == 0 ? "" : "|");
	if (col > 0 && e->tid > COLS_MAX)
		fprintf(f, "T%d:", e->tid);
	fprintf(f, "%.*s\n", 100, buf);
}

void simk_trace_print(const struct simk *s, void *file)
{
	FILE *f = file;
	print_header(s, f);
	for (size_t i = 0; i < s->trace.len; i++)
		print_line(&s->trace.evs[i], f);
	if (s->trace.dropped > 0)
		fprintf(f, "(%" PRIu64 " later events not kept)\n", s->trace.dropped);
}

/* Prints e to the stream unless a write already failed; the first
 * failure's errno is kept for simk_trace_stream_error. */
static void stream_sink(const struct trace_ev *e, void *arg)
{
	struct trace *t = arg;
	if (t->stream_errno != 0)
		return;
	errno = 0;
	print_line(e, t->stream);
	if (ferror(t->stream))
		t->stream_errno = errno != 0 ? errno : EIO;
}

void simk_trace_stream(struct simk *s, void *file)
{
	struct trace *t = &s->trace;
	t->stream = file;
	t->stream_errno = 0;
	print_header(s, t->stream);
	uint64_t have = !t->tail ? 0 : t->count < TRACE_RING ? t->count : TRACE_RING;
	if (t->count > have)
		fprintf(t->stream, "(%" PRIu64 " earlier events not shown)\n", t->count - have);
	for (uint64_t i = t->count - have; i < t->count; i++)
		stream_sink(&t->ring[i % TRACE_RING], t);
	trace_set_sink(t, stream_sink, t);
}

int simk_trace_stream_error(const struct simk *s)
{
	return s->trace.stream_errno;
}

uint64_t simk_trace_events(const struct simk *s)
{
	return s->trace.count;
}

uint64_t simk_trace_kept(const struct simk *s)
{
	return s->trace.len;
}

uint64_t simk_trace_dropped(const struct simk *s)
{
	return s->trace.dropped;
}
