/*
 * The kept trace as a self-contained HTML timeline (sim/trace_html.c,
 * docs/tracing.md "HTML timeline").
 */
#ifndef SIMK_TRACE_HTML_H
#define SIMK_TRACE_HTML_H

#include <stdio.h>

struct simk;

/* Writes s's kept trace as one HTML file to f; src names the program file
 * for source lines. 0, or -1 (f's error flag). */
int trace_export_html(const struct simk *s, FILE *f, const char *src);

#endif
