/*
 * The kept trace as Chrome trace-event JSON (sim/trace_json.c,
 * docs/tracing.md "Perfetto").
 */
#ifndef SIMK_TRACE_JSON_H
#define SIMK_TRACE_JSON_H

#include <stdio.h>

struct simk;

/* Writes s's kept trace to f; src names the program file for the events'
 * "src" argument (file:line). 0, or -1 (no memory, or f's error flag). */
int trace_export_json(const struct simk *s, FILE *f, const char *src);

#endif
