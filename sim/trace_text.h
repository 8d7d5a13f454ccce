/*
 * The readable trace (sim/trace_text.c): selection by level and filter,
 * calls joined with their results, repeated blocks folded. A view: it
 * never changes what a run records or hashes.
 */
#ifndef SIMK_TRACE_TEXT_H
#define SIMK_TRACE_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/trace.h"

struct simk;

struct trace_text_opts {
	enum trace_level level; /* events above it are not shown */
	/* Comma-separated terms; an event is shown when one names its
	 * thread ("T2" or the thread's name), its layer ("laio", "vfs",
	 * "scn", "sim") or the event itself ("laio:event", "open").
	 * NULL or "": every event. */
	const char *filter;
	bool fold;	 /* fold repeated blocks */
	const char *src; /* the program's file name, for [file:line] */
};

/* Prints the header (one column per thread of s so far) and returns the
 * printer; NULL without memory. opts NULL: level KERNEL, folding on. */
struct trace_text *trace_text_new(const struct simk *s, FILE *f, const struct trace_text_opts *o);
void trace_text_ev(struct trace_text *tt, const struct trace_ev *e);
bool trace_text_selected(const struct trace_text *tt, const struct trace_ev *e);
/* Prints what is held (a call waiting for its result, a fold). */
void trace_text_flush(struct trace_text *tt);
/* Flushes, frees, returns the number of lines printed. */
uint64_t trace_text_end(struct trace_text *tt);
/* "user", "kernel", "all" -> 0, or -1. */
int trace_level_parse(const char *s, enum trace_level *out);

#endif
