/*
 * The trace: every scheduling decision, thread start/exit, syscall
 * entry/exit, interrupt, sleep/wake and fault. Each event is folded into a
 * 64-bit hash as it is emitted (the value printed at the end of a run).
 * Memory stays bounded however long the run (docs/tracing.md):
 *  - the ring keeps the latest TRACE_RING events, always (failure reports);
 *  - a sink, when set, gets each event as it is emitted (`simk run` prints
 *    the readable trace that way, without storing it);
 *  - with keep, the events are also stored for export (--trace-out) and
 *    for check-determinism, at most keep_max of them: later events are
 *    counted in dropped, never stored.
 *
 * Names must be strings that live until the simulation is destroyed
 * (literals, or strings owned by a loaded scenario). Only their bytes, never
 * their addresses, enter the hash.
 */
#ifndef SIMK_TRACE_H
#define SIMK_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum trace_type {
	TR_DECISION = 1,  /* a0 = chosen tid (0 = irq), a1 = candidates, a2 = point kind */
	TR_THREAD_START,  /* a0 = pid */
	TR_THREAD_EXIT,	  /* a0 = exit code */
	TR_SYSCALL_ENTER, /* desc = the call's descriptor, a0..a5 = arguments */
	TR_SYSCALL_EXIT,  /* desc = the call's descriptor, a0 = result */
	TR_IRQ,		  /* an interrupt handler runs; name = event name */
	TR_FAULT,	  /* name = fault point, a0 = hit number */
	TR_SLEEP,	  /* name = wait channel */
	TR_WAKE,	  /* a0 = woken tid, a1 = wake result */
	TR_SIGNAL,	  /* a0 = signal, a1 = target pid, a2 = target tid */
	TR_PROC_START,	  /* a0 = pid */
	TR_PROC_EXIT,	  /* a0 = pid, a1 = status */
	TR_CLOCK,	  /* virtual time jumped; a0 = new time */
	TR_USER,	  /* scenario print / test annotation */
	TR_PANIC,
	TR_INFO, /* subsystem-defined event */
	TR_READ,   /* a scenario reads shared memory: name = variable, a0 = value, a1 = index */
	TR_BRANCH, /* a scenario's test: name = "if"/"while"..., a0 = outcome, a1 = line */
	TR_TYPE_COUNT
};

#define TRACE_ARGS 6

/*
 * One event. desc is opaque to sim/: the system-call descriptor of
 * TR_SYSCALL_ENTER/EXIT events (kern/syscall.h), which the view installed
 * with trace_set_call_view() decodes; NULL otherwise. It is never hashed
 * (addresses are not deterministic): the hash covers the time, the thread,
 * the type, the name's bytes and the six arguments.
 */
struct trace_ev {
	uint64_t vtime_ns;
	int32_t tid; /* 0 = interrupt / scheduler context */
	uint16_t type;
	uint16_t line; /* view: the source line of a call (0 = unknown); not hashed */
	const char *name;
	const void *desc;
	const char *str; /* view: a captured path argument (NULL = none); not hashed */
	int64_t a[TRACE_ARGS];
};

#define TRACE_RING 64
#define TRACE_KEEP_MAX_DEFAULT 1000000 /* kept events: 88 MB (simk_opts.trace_keep_max) */

typedef void (*trace_sink_fn)(const struct trace_ev *e, void *arg);

struct trace {
	uint64_t hash;
	uint64_t count; /* events emitted */
	int keep;
	struct trace_ev *evs; /* kept events (keep != 0), the first len of them */
	size_t len, cap;
	size_t keep_max;      /* len never exceeds it */
	uint64_t dropped;     /* events not kept: past keep_max, or no host memory */
	trace_sink_fn sink;   /* called with every event after it is hashed */
	void *sink_arg;
	FILE *stream;	      /* simk_trace_stream's output... */
	int stream_errno;     /* ...and its first write error (then it stops) */
	struct trace_text *text; /* the view printing the stream (sim/trace_text.h) */
	struct trace_ev *ring; /* the last TRACE_RING events (not zeroed: count
				  says which are there) */
	/* Names hashed in this run are memoised by address in a table of the
	 * process (trace.c); an entry counts only for the run that made it
	 * (its generation), because names only have to live as long as the
	 * run. The address only selects a slot; the hash comes from the
	 * bytes, so the result never depends on addresses. */
	uint64_t memo_gen;
	bool tail; /* the ring is written */
	bool record; /* tail, keep or a sink: events are assembled, not only hashed */
	const char *src; /* view: the program's file name, for file:line (NULL: "line") */
	char **strs;	 /* trace_intern's copies */
	size_t nstrs, strs_cap;
};

/* keep: store events for export, at most keep_max (0:
 * TRACE_KEEP_MAX_DEFAULT); tail: keep the last TRACE_RING for a failure
 * report (else only the hash is made: the cheapest trace there is, for
 * runs whose trace will not be printed). */
void trace_init(struct trace *t, int keep, size_t keep_max, bool tail);
void trace_set_sink(struct trace *t, trace_sink_fn fn, void *arg);
/* Streams the readable view of every event from now on (and the ring's
 * latest) to f; o NULL: the default view (sim/trace_text.h). The stream
 * ends with the run (trace_stream_end: what the view holds is printed). */
struct trace_text_opts;
struct simk;
void trace_stream_view(struct simk *s, FILE *f, const struct trace_text_opts *o);
void trace_stream_end(struct trace *t);
void trace_free(struct trace *t);
void trace_emit(uint16_t type, const char *name, int64_t a0, int64_t a1, int64_t a2, int64_t a3);
/* A system-call event: n (<= TRACE_ARGS) arguments, the rest 0; nh:
 * hash_str(name) when the caller holds it, else 0. */
void trace_emit_call(uint16_t type, const char *name, uint64_t nh, const void *desc,
		     const int64_t *a, int n);
/* A scheduling decision (TR_DECISION, "sim:decide") with no view field:
 * trace_emit's, with the name's hash made once per process. */
void trace_emit_decision(int64_t chosen, int64_t ncand, int64_t kind);
/* An event with its view fields (line, str) filled by the caller; time and
 * thread are the emitter's. */
void trace_emit_ev(const struct trace_ev *proto);
/* trace_emit with the source line of the view (0: unknown; lines past
 * UINT16_MAX read as 0): the event is only assembled when recorded. */
void trace_emit_line(uint16_t type, const char *name, int line, int64_t a0, int64_t a1, int64_t a2);
/* trace_emit_line for a name whose hash the caller holds:
 * trace_emit_line_nh (sim/trace_fold.h). */
/* trace_observed() (sim/engine.h): whether anyone looks at events beyond
 * the hash (kept, or streamed); views that cost something (capturing a
 * path) are only built then. */
/* A copy of s that lives as long as the run's trace (view strings). */
const char *trace_intern(const char *s);
/* How TR_SYSCALL_ENTER/EXIT events with a desc are printed; installed by
 * the layer that owns the descriptors (kern/syscall.c). A view only: it
 * never changes what is recorded or hashed. subsys names the call's layer
 * ("vfs"), for filters. */
typedef void (*trace_call_view_fn)(const struct trace_ev *e, char *buf, size_t len);
typedef const char *(*trace_call_subsys_fn)(const struct trace_ev *e);
void trace_set_call_view(trace_call_view_fn fn);
void trace_set_call_subsys(trace_call_subsys_fn fn);

/* ---- decoding (sim/trace_desc.c) ------------------------------------ */

/*
 * How much of the trace a reader sees (--trace-level). Each event has a
 * level; a view shows the events at or below its level.
 *  USER:   what the program did: calls and results, scenario reads,
 *          writes, tests and prints, threads, signals, faults, failures;
 *  KERNEL: and what the kernel did for it: sleeps, wake-ups, interrupts,
 *          subsystem events (request ids tie them to the calls);
 *  ALL:    and the bookkeeping: scheduling decisions, clock jumps,
 *          memory mappings, work items.
 */
enum trace_level { TRACE_LEVEL_USER = 0, TRACE_LEVEL_KERNEL = 1, TRACE_LEVEL_ALL = 2 };

/*
 * A named event's description: how its arguments read. fmt holds text and
 * one conversion per argument, in order: "%b sector=%d count=%d blk#%d".
 * Conversions: %d decimal, %u unsigned, %x hex, %o octal, %n nanoseconds,
 * %T thread (T3), %_ skips the argument, %% a percent sign; a layer adds
 * its own letters with trace_set_value_fmt (%e errno, %g signal, %b block
 * request code...). Arguments past the format are not shown.
 */
enum trace_link_role { TRACE_LINK_FROM = 1, TRACE_LINK_TO = 2 };
struct trace_desc {
	const char *name; /* "blk:submit" */
	const char *fmt;
	uint8_t level; /* enum trace_level: KERNEL, or ALL for bookkeeping */
	/* Causality (sim/trace_cause.h): the event carries request or
	 * activation id a[link_arg] of namespace link ("blk"). A FROM event
	 * starts it (blk:submit); a TO event continues it from the latest
	 * event with the same id (blk:done), and is where the next TO
	 * continues from. NULL: no link. */
	const char *link;
	uint8_t link_arg;
	uint8_t link_role; /* enum trace_link_role */
	/* A second id, of another namespace, for an event that ties two
	 * layers' requests together (laio:dio: an AIO request and its direct
	 * I/O; vfs:dio_done: the direct I/O and the device request whose
	 * completion ended it). A TO event with two links continues from the
	 * later of the two latest events; both chains go on from it. */
	const char *link2;
	uint8_t link2_arg;
	uint8_t link2_role;
};
/* Table entries: TRACE_DESC("blk:create", "dev%d ...", TRACE_LEVEL_KERNEL),
 * TRACE_DESC_LINK("blk:submit", "...", TRACE_LEVEL_KERNEL, "blk", 3, TRACE_LINK_FROM). */
#define TRACE_DESC(n, f, l) {(n), (f), (l), NULL, 0, 0, NULL, 0, 0}
#define TRACE_DESC_LINK(n, f, l, ns, arg, role) {(n), (f), (l), (ns), (arg), (role), NULL, 0, 0}
#define TRACE_DESC_LINK2(n, f, l, ns, arg, role, ns2, arg2, role2)                                  \
	{(n), (f), (l), (ns), (arg), (role), (ns2), (arg2), (role2)}
/* Registers a layer's descriptions (a static table; twice is a no-op). */
void trace_describe(const struct trace_desc *table, int n);
const struct trace_desc *trace_desc_find(const char *name);
typedef void (*trace_value_fmt_fn)(int64_t v, char *buf, size_t len);
/* conv: a letter not built in (see above). */
void trace_set_value_fmt(char conv, trace_value_fmt_fn fn);
/* "-EAGAIN" for -11 (a negative errno), else the number. */
void trace_format_errno(int64_t v, char *buf, size_t len);

const char *trace_type_name(uint16_t type);
/* The event's level and layer ("blk", "vfs", "scn", "sim"...). */
enum trace_level trace_ev_level(const struct trace_ev *e);
void trace_ev_subsys(const struct trace_ev *e, char *buf, size_t len);
/* Prints the last n events of the ring (oldest first) to f. */
void trace_print_tail(const struct trace *t, FILE *f, int n);
void trace_format_ev(const struct trace_ev *e, char *buf, size_t len);

#endif
