/*
 * The kept trace as Chrome trace-event JSON, for Perfetto and
 * chrome://tracing (docs/tracing.md "Perfetto"). The same events as the
 * text view, decoded the same way:
 *  - time: virtual ns; events at one instant are spread 1 ns apart in
 *    their order, so every timestamp is unique and increasing;
 *  - tracks: one per simulated thread (pid = its process), and in the
 *    "kernel" process (pid 0) one for interrupts, one for the CPU (which
 *    thread ran when) and one per device queue lane (a request's I/O,
 *    submit to completion);
 *  - system calls are B/E slices on their thread; an interrupt handler is
 *    a slice on the interrupt track; everything else is an instant;
 *  - happens-before edges (sim/trace_cause.h) are flow arrows (s/f pairs);
 *  - args: the decoded text, the source line, the raw arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/trace_cause.h"
#include "sim/trace_json.h"

#define KPID 0		  /* the "kernel" process of the JSON */
#define TRACK_IRQ 0	  /* its tracks: interrupts, */
#define TRACK_CPU 1000000 /* the CPU, */
#define TRACK_DEV 2000000 /* device lanes: + dev * LANES_MAX + lane */
#define LANES_MAX 64	  /* lanes per device (requests in flight) */
#define DEVS_MAX 16

struct lane_req {
	int64_t id;	   /* blk#, 0 = free */
	uint64_t start_ns; /* JSON time of the submit */
	char text[256];
};

struct json_out {
	FILE *f;
	const struct simk *s;
	const char *src;
	bool first;
	uint64_t *ts; /* JSON time (ns) of each event */
	struct lane_req lanes[DEVS_MAX][LANES_MAX];
	bool lane_named[DEVS_MAX][LANES_MAX];
};

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

static void sep(struct json_out *o)
{
	fputs(o->first ? "\n" : ",\n", o->f);
	o->first = false;
}

static void ts_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static int pid_of(const struct simk *s, int tid)
{
	if (tid > 0 && tid <= s->nthreads)
		return s->threads[tid - 1]->proc->pid;
	return KPID;
}

static void track_name(struct json_out *o, int pid, int tid, const char *name)
{
	sep(o);
	fprintf(o->f,
		"{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
		pid, tid);
	json_str(o->f, name);
	fputs("}}", o->f);
}

/* The common part of an event at event index i's time on (pid, tid). */
static void head(struct json_out *o, const char *ph, const char *cat, const char *name, int pid,
		 int tid, uint64_t ns)
{
	sep(o);
	fprintf(o->f, "{\"ph\":\"%s\",\"cat\":\"%s\",\"name\":", ph, cat);
	json_str(o->f, name);
	fprintf(o->f, ",\"pid\":%d,\"tid\":%d,\"ts\":", pid, tid);
	ts_us(o->f, ns);
}

static void args(struct json_out *o, const struct trace_ev *e, size_t i, const char *text)
{
	fputs(",\"args\":{\"text\":", o->f);
	json_str(o->f, text);
	if (e->line != 0) {
		char where[300];
		snprintf(where, sizeof(where), "%s:%u", o->src != NULL ? o->src : "line",
			 (unsigned)e->line);
		fputs(",\"src\":", o->f);
		json_str(o->f, where);
	}
	fprintf(o->f, ",\"type\":\"%s\",\"vtime_ns\":%" PRIu64 ",\"seq\":%zu",
		trace_type_name(e->type), e->vtime_ns, i);
	fprintf(o->f,
		",\"a\":[%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "]}",
		e->a[0], e->a[1], e->a[2], e->a[3], e->a[4], e->a[5]);
}

/* Device lanes: blk:submit takes the lowest free lane of its device,
 * blk:done (or give-up, abandon) frees it with an X slice. */
static void dev_submit(struct json_out *o, const struct trace_ev *e, uint64_t ns, const char *text)
{
	int dev = (int)((e->a[0] >> 8) % DEVS_MAX);
	for (int l = 0; l < LANES_MAX; l++) {
		struct lane_req *r = &o->lanes[dev][l];
		if (r->id != 0)
			continue;
		r->id = e->a[3];
		r->start_ns = ns;
		snprintf(r->text, sizeof(r->text), "%s", text);
		if (!o->lane_named[dev][l]) {
			char n[48];
			snprintf(n, sizeof(n), "dev%d queue %d", dev, l);
			track_name(o, KPID, TRACK_DEV + dev * LANES_MAX + l, n);
			o->lane_named[dev][l] = true;
		}
		return;
	}
}

static void dev_end(struct json_out *o, int dev, int64_t id, uint64_t ns, const char *how)
{
	dev %= DEVS_MAX;
	for (int l = 0; l < LANES_MAX; l++) {
		struct lane_req *r = &o->lanes[dev][l];
		if (r->id != id)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "blk#%" PRId64 " %s", id, how);
		head(o, "X", "device", name, KPID, TRACK_DEV + dev * LANES_MAX + l, r->start_ns);
		fputs(",\"dur\":", o->f);
		ts_us(o->f, ns - r->start_ns);
		fputs(",\"args\":{\"text\":", o->f);
		json_str(o->f, r->text);
		fputs("}}", o->f);
		r->id = 0;
		return;
	}
}

static void device(struct json_out *o, const struct trace_ev *e, uint64_t ns, const char *text)
{
	if (e->type != TR_INFO || e->name == NULL || strncmp(e->name, "blk:", 4) != 0)
		return;
	if (strcmp(e->name, "blk:submit") == 0)
		dev_submit(o, e, ns, text);
	else if (strcmp(e->name, "blk:done") == 0)
		dev_end(o, (int)(e->a[0] >> 8), e->a[3], ns, "done");
	else if (strcmp(e->name, "blk:giveup") == 0 || strcmp(e->name, "blk:abandon") == 0)
		dev_end(o, (int)(e->a[0] >> 8), e->a[1], ns, e->name + 4);
}

/* Closes what is open at the end: calls that never returned, requests
 * still in flight, the last interrupt handler and CPU slice. */
static void close_open(struct json_out *o, const int64_t *open_call, uint64_t end)
{
	const struct simk *s = o->s;
	for (int t = 1; t <= s->nthreads; t++)
		if (open_call[t] >= 0) {
			head(o, "E", "call", s->trace.evs[open_call[t]].name, pid_of(s, t), t, end);
			fputs("}", o->f);
		}
	for (int d = 0; d < DEVS_MAX; d++)
		for (int l = 0; l < LANES_MAX; l++)
			if (o->lanes[d][l].id != 0)
				dev_end(o, d, o->lanes[d][l].id, end, "in flight at the end");
}

static void cpu_slice(struct json_out *o, int tid, uint64_t from, uint64_t to)
{
	if (to <= from)
		return;
	char name[64];
	if (tid == 0)
		snprintf(name, sizeof(name), "irq");
	else
		snprintf(name, sizeof(name), "T%d %s", tid, o->s->threads[tid - 1]->name);
	head(o, "X", "cpu", name, KPID, TRACK_CPU, from);
	fputs(",\"dur\":", o->f);
	ts_us(o->f, to - from);
	fputs("}", o->f);
}

static void events(struct json_out *o, const struct trace_causes *c)
{
	const struct simk *s = o->s;
	const struct trace_ev *evs = s->trace.evs;
	size_t n = s->trace.len;
	int64_t *open_call = malloc((size_t)(s->nthreads + 1) * sizeof(*open_call));
	if (open_call == NULL)
		return;
	for (int t = 0; t <= s->nthreads; t++)
		open_call[t] = -1;
	int64_t irq_start = -1; /* the interrupt handler running, as an event index */
	int running = -1;
	uint64_t running_since = 0;
	uint64_t last = 0;
	for (size_t i = 0; i < n; i++) {
		const struct trace_ev *e = &evs[i];
		uint64_t ns = o->ts[i];
		last = ns;
		char text[256];
		trace_format_ev(e, text, sizeof(text));
		int pid = pid_of(s, e->tid);
		/* the interrupt handler's slice ends when anything else runs */
		if (irq_start >= 0 && (e->tid != 0 || e->type == TR_IRQ)) {
			head(o, "E", "irq", evs[irq_start].name, KPID, TRACK_IRQ, ns);
			fputs("}", o->f);
			irq_start = -1;
		}
		if (e->tid != running) {
			if (running >= 0)
				cpu_slice(o, running, running_since, ns);
			running = e->tid;
			running_since = ns;
		}
		int tid = e->tid == 0 ? TRACK_IRQ : e->tid;
		switch (e->type) {
		case TR_SYSCALL_ENTER:
			if (open_call[e->tid] >= 0) { /* no exit (exit, thread_exit) */
				head(o, "E", "call", evs[open_call[e->tid]].name, pid, tid, ns);
				fputs("}", o->f);
			}
			head(o, "B", "call", e->name, pid, tid, ns);
			args(o, e, i, text);
			fputs("}", o->f);
			open_call[e->tid] = (int64_t)i;
			break;
		case TR_SYSCALL_EXIT:
			if (open_call[e->tid] < 0)
				break; /* kept trace began inside it */
			head(o, "E", "call", e->name, pid, tid, ns);
			args(o, e, i, text);
			fputs("}", o->f);
			open_call[e->tid] = -1;
			break;
		case TR_IRQ:
			head(o, "B", "irq", e->name, KPID, TRACK_IRQ, ns);
			args(o, e, i, text);
			fputs("}", o->f);
			irq_start = (int64_t)i;
			break;
		case TR_THREAD_EXIT:
			if (open_call[e->tid] >= 0) {
				head(o, "E", "call", evs[open_call[e->tid]].name, pid, tid, ns);
				fputs("}", o->f);
				open_call[e->tid] = -1;
			}
			/* fall through */
		default:
			head(o, "i", trace_type_name(e->type), text, pid, tid, ns);
			fprintf(o->f, ",\"s\":\"%s\"", e->type == TR_PANIC ? "g" : "t");
			args(o, e, i, text);
			fputs("}", o->f);
			break;
		}
		device(o, e, ns, text);
		/* the flow arrow of this event's cross-thread cause */
		if (c != NULL && c->from[i] >= 0) {
			const struct trace_ev *src = &evs[c->from[i]];
			const char *kind = trace_edge_name((enum trace_edge_kind)c->kind[i]);
			head(o, "s", "cause", kind, pid_of(s, src->tid),
			     src->tid == 0 ? TRACK_IRQ : src->tid, o->ts[c->from[i]]);
			fprintf(o->f, ",\"id\":%zu}", i);
			head(o, "f", "cause", kind, pid, tid, ns);
			fprintf(o->f, ",\"bp\":\"e\",\"id\":%zu}", i);
		}
	}
	uint64_t end = last + 1;
	if (irq_start >= 0) {
		head(o, "E", "irq", evs[irq_start].name, KPID, TRACK_IRQ, end);
		fputs("}", o->f);
	}
	if (running >= 0)
		cpu_slice(o, running, running_since, end);
	close_open(o, open_call, end);
	free(open_call);
}

int trace_export_json(const struct simk *s, FILE *f, const char *src)
{
	struct json_out *o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -1;
	o->f = f;
	o->s = s;
	o->src = src;
	o->first = true;
	size_t n = s->trace.len;
	o->ts = malloc((n + 1) * sizeof(*o->ts));
	if (o->ts == NULL) {
		free(o);
		return -1;
	}
	/* one instant's events spread 1 ns apart, in order */
	for (size_t i = 0; i < n; i++) {
		uint64_t t = s->trace.evs[i].vtime_ns;
		o->ts[i] = i > 0 && t <= o->ts[i - 1] ? o->ts[i - 1] + 1 : t;
	}
	struct trace_causes c;
	bool have_causes = trace_causes_build(s->trace.evs, n, &c) == 0;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"hash\":", f);
	char h[32];
	snprintf(h, sizeof(h), "%016" PRIx64, s->trace.hash);
	json_str(f, h);
	fprintf(f,
		",\"events\":%" PRIu64 ",\"kept\":%zu,\"outcome\":%d,\"reason\":", s->trace.count,
		n, (int)s->outcome);
	json_str(f, s->reason);
	fputs("},\"traceEvents\":[", f);
	sep(o);
	fprintf(
	    f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":\"kernel\"}}",
	    KPID);
	track_name(o, KPID, TRACK_IRQ, "interrupts");
	track_name(o, KPID, TRACK_CPU, "cpu");
	for (int i = 0; i < s->nthreads; i++) {
		const struct simk_thread *t = s->threads[i];
		track_name(o, t->proc->pid, t->tid, t->name);
	}
	events(o, have_causes ? &c : NULL);
	fputs("\n]}\n", f);
	if (have_causes)
		trace_causes_free(&c);
	free(o->ts);
	free(o);
	return ferror(f) ? -1 : 0;
}
