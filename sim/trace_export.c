/*
 * Trace output: Chrome trace-event JSON (chrome://tracing, Perfetto) and
 * the readable column view printed by `simk run` without --quiet.
 */
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
	int rc = trace_export_json(s, f, s->trace.src);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
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
