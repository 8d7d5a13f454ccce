/*
 * The kept trace as one self-contained HTML timeline (docs/tracing.md
 * "HTML timeline"): the page carries its data (a JSON object) and its own
 * small renderer (sim/trace_html_page.h: SVG and plain JavaScript, no
 * library, no network), so it opens offline in any browser. Swimlanes for
 * the interrupt context and each thread, calls as bars, events as marks,
 * happens-before edges as arrows, the failure marked; a click shows an
 * event's decoded text and source line.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_cause.h"
#include "sim/trace_html.h"
#include "sim/trace_html_page.h"

/* A JSON string that is also safe inside <script>: '<' and '>' escaped. */
static void js_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_data(const struct simk *s, FILE *f, const char *src, const struct trace_causes *c)
{
	const struct trace_ev *evs = s->trace.evs;
	size_t n = s->trace.len;
	fputs("{\"hash\":", f);
	char h[32];
	snprintf(h, sizeof(h), "%016" PRIx64, s->trace.hash);
	js_str(f, h);
	fprintf(f, ",\"outcome\":%d,\"reason\":", (int)s->outcome);
	js_str(f, s->reason);
	fputs(",\"src\":", f);
	js_str(f, src != NULL ? src : "");
	fputs(",\"threads\":[", f);
	for (int i = 0; i < s->nthreads; i++) {
		fprintf(f, "%s{\"tid\":%d,\"name\":", i ? "," : "", s->threads[i]->tid);
		js_str(f, s->threads[i]->name);
		fputc('}', f);
	}
	fputs("],\"events\":[", f);
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const struct trace_ev *e = &evs[i];
		if (e->type == TR_DECISION || e->type == TR_CLOCK)
			continue; /* shown as who runs next, and by the time axis */
		char text[256];
		trace_format_ev(e, text, sizeof(text));
		fprintf(f, "%s\n{\"i\":%zu,\"ns\":%" PRIu64 ",\"tid\":%d,\"type\":\"%s\",\"text\":",
			first ? "" : ",", i, e->vtime_ns, e->tid, trace_type_name(e->type));
		js_str(f, text);
		if (e->line != 0)
			fprintf(f, ",\"line\":%u", (unsigned)e->line);
		if (e->type == TR_SYSCALL_ENTER || e->type == TR_SYSCALL_EXIT) {
			fputs(",\"call\":", f);
			js_str(f, e->name);
		}
		if (c != NULL && c->from[i] >= 0 && evs[c->from[i]].type != TR_DECISION)
			fprintf(f, ",\"from\":%" PRId64 ",\"edge\":\"%s\"", c->from[i],
				trace_edge_name((enum trace_edge_kind)c->kind[i]));
		fputc('}', f);
		first = false;
	}
	fputs("]}", f);
}

int trace_export_html(const struct simk *s, FILE *f, const char *src)
{
	struct trace_causes c;
	bool have = trace_causes_build(s->trace.evs, s->trace.len, &c) == 0;
	fputs(trace_html_head, f);
	fputs("<script>\nconst SIMK_TRACE = ", f);
	write_data(s, f, src, have ? &c : NULL);
	fputs(";\n</script>\n", f);
	fputs(trace_html_tail, f);
	if (have)
		trace_causes_free(&c);
	return ferror(f) ? -1 : 0;
}
