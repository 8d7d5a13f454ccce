/*
 * Trace output: Chrome trace-event JSON (sim/trace_json.c) of the kept
 * events, and the readable view (sim/trace_text.c) — of the kept events,
 * or streamed as the run goes (`simk run` without --quiet).
 * docs/tracing.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_json.h"
#include "sim/trace_text.h"

int simk_trace_export_chrome(const struct simk *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	errno = 0;
	int rc = trace_export_json(s, f, s->trace.src);
	bool bad = rc != 0 || ferror(f) != 0; /* a write that failed before the last flush */
	if (fclose(f) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

void simk_trace_print(const struct simk *s, void *file)
{
	struct trace_text *tt = trace_text_new(s, file, NULL);
	if (tt == NULL)
		return;
	for (size_t i = 0; i < s->trace.len; i++)
		trace_text_ev(tt, &s->trace.evs[i]);
	trace_text_end(tt);
	if (s->trace.dropped > 0)
		fprintf(file, "(%" PRIu64 " later events not kept)\n", s->trace.dropped);
}

/* Prints e through the text view unless a write already failed; the first
 * failure's errno is kept for simk_trace_stream_error. */
static void stream_sink(const struct trace_ev *e, void *arg)
{
	struct trace *t = arg;
	if (t->stream_errno != 0)
		return;
	errno = 0;
	trace_text_ev(t->text, e);
	if (ferror(t->stream))
		t->stream_errno = errno != 0 ? errno : EIO;
}

void trace_stream_view(struct simk *s, FILE *f, const struct trace_text_opts *o)
{
	struct trace *t = &s->trace;
	trace_stream_end(t);
	t->text = trace_text_new(s, f, o);
	if (t->text == NULL) {
		t->stream_errno = ENOMEM;
		return;
	}
	t->stream = f;
	t->stream_errno = 0;
	uint64_t have = !t->tail ? 0 : t->count < TRACE_RING ? t->count : TRACE_RING;
	if (t->count > have)
		fprintf(t->stream, "(%" PRIu64 " earlier events not shown)\n", t->count - have);
	for (uint64_t i = t->count - have; i < t->count; i++)
		stream_sink(&t->ring[i % TRACE_RING], t);
	trace_set_sink(t, stream_sink, t);
}

void trace_stream_end(struct trace *t)
{
	if (t->text == NULL)
		return;
	trace_set_sink(t, NULL, NULL);
	errno = 0;
	trace_text_end(t->text);
	t->text = NULL;
	if (t->stream != NULL && ferror(t->stream) && t->stream_errno == 0)
		t->stream_errno = errno != 0 ? errno : EIO;
}

void simk_trace_stream(struct simk *s, void *file)
{
	trace_stream_view(s, file, NULL);
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
