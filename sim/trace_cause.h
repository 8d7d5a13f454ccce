/*
 * Causality (docs/tracing.md "How we got here"): happens-before edges
 * between the events of a kept trace, and the causal chain that ends at a
 * run's failure. Computed from the recorded events alone, after the run
 * (a view: nothing is added to the recording or the hash):
 *  - wake:   the wake-up -> the woken thread's next event (covers an
 *            unlock handing a mutex to the next owner, a completion waking
 *            its reaper, a timeout);
 *  - link:   a request or activation -> the event that carries it on, by
 *            the id both name (trace_desc.link: blk#N submit -> done,
 *            laio#N submit -> event, kn#N queue -> post, pev#N send ->
 *            deliver, aio@X submit -> start -> done -> return, work#N
 *            queue_work -> work_run...);
 *  - signal: a signal sent to a process -> its delivery to a thread;
 *  - value:  a scenario store -> a read, by another thread, of the value
 *            it stored (reads-from);
 *  - order:  the previous event of the same thread (program order).
 */
#ifndef SIMK_TRACE_CAUSE_H
#define SIMK_TRACE_CAUSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/trace.h"

enum trace_edge_kind {
	EDGE_NONE = 0,
	EDGE_ORDER,
	EDGE_WAKE,
	EDGE_LINK,
	EDGE_SIGNAL,
	EDGE_VALUE,
	EDGE_KIND_COUNT
};

/* Per event: its cross-thread cause (index, or -1) and its program-order
 * predecessor (-1 for a thread's first event). */
struct trace_causes {
	size_t n;
	int64_t *from; /* cross edge source, -1 = none */
	uint8_t *kind; /* enum trace_edge_kind of from */
	int64_t *prev; /* program order */
};

/* 0, or -1 without memory. */
int trace_causes_build(const struct trace_ev *evs, size_t n, struct trace_causes *c);
void trace_causes_free(struct trace_causes *c);
const char *trace_edge_name(enum trace_edge_kind k);

struct simk;
/* Prints "how we got here" for s's kept trace: the causal chain that ends
 * at its failure (for a deadlock, at each sleeper's sleep), at most
 * steps_max events per chain, oldest first, each with the edge it
 * follows, then the failure's reason. Returns the number of events
 * printed (0: no failure, or no kept trace). src names the program file
 * for [file:line]. */
int trace_explain_failure(const struct simk *s, const char *src, FILE *f, int steps_max);

#endif
