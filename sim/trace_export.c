/*
 * Trace output: Chrome trace-event JSON (chrome://tracing, Perfetto) and
 * the readable column view printed by `simk run` without --quiet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_text.h"

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
	return fclose(f) == 0 ? 0 : -1;
}

void simk_trace_print(const struct simk *s, void *file)
{
	struct trace_text *tt = trace_text_new(s, file, NULL);
	if (tt == NULL)
		return;
	for (size_t i = 0; i < s->trace.len; i++)
		trace_text_ev(tt, &s->trace.evs[i]);
	trace_text_end(tt);
}
