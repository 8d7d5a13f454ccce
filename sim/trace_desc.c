/*
 * Decoding trace events for people: each layer describes its named events
 * (struct trace_desc: a format with one conversion per argument) and
 * installs the spelling of the values it owns (%e errno names, %b block
 * request codes...). Everything here is a view of recorded values: it
 * never changes what is recorded or hashed, and prints the same during a
 * run and from a kept trace after it. docs/tracing.md.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"

#define DESC_TABLES_MAX 32 /* one or two per layer */
#define DESC_MEMO 256

static struct {
	const struct trace_desc *d;
	int n;
} tables[DESC_TABLES_MAX];
static int ntables;
/* Memo keyed by the name's address; a hit is confirmed by the bytes, so a
 * reused address never returns another event's description. */
static const char *memo_key[DESC_MEMO];
static const struct trace_desc *memo_val[DESC_MEMO];

static trace_value_fmt_fn value_fmt[128];
static trace_call_view_fn call_view;
static trace_call_subsys_fn call_subsys;

void trace_set_call_view(trace_call_view_fn fn)
{
	call_view = fn;
}

void trace_set_call_subsys(trace_call_subsys_fn fn)
{
	call_subsys = fn;
}

void trace_describe(const struct trace_desc *table, int n)
{
	for (int i = 0; i < ntables; i++)
		if (tables[i].d == table)
			return;
	if (ntables == DESC_TABLES_MAX)
		sim_panic("trace_describe: more than %d tables", DESC_TABLES_MAX);
	tables[ntables].d = table;
	tables[ntables].n = n;
	ntables++;
}

const struct trace_desc *trace_desc_find(const char *name)
{
	if (name == NULL)
		return NULL;
	size_t slot = ((uintptr_t)name >> 3) & (DESC_MEMO - 1);
	if (memo_key[slot] == name && strcmp(memo_val[slot]->name, name) == 0)
		return memo_val[slot];
	for (int t = 0; t < ntables; t++)
		for (int i = 0; i < tables[t].n; i++)
			if (strcmp(tables[t].d[i].name, name) == 0) {
				memo_key[slot] = name;
				memo_val[slot] = &tables[t].d[i];
				return &tables[t].d[i];
			}
	return NULL;
}

void trace_set_value_fmt(char conv, trace_value_fmt_fn fn)
{
	KASSERT(conv > 0, "trace conversion %d is not a letter", conv);
	KASSERT(strchr("duxonT_%", conv) == NULL, "trace conversion %%%c is built in", conv);
	value_fmt[(unsigned char)conv] = fn;
}

void trace_format_errno(int64_t v, char *buf, size_t len)
{
	if (v < 0 && value_fmt['e'] != NULL)
		value_fmt['e'](v, buf, len);
	else
		snprintf(buf, len, "%" PRId64, v);
}

/* One value of conversion c. */
static void format_value(char c, int64_t v, char *buf, size_t len)
{
	switch (c) {
	case 'u':
		snprintf(buf, len, "%" PRIu64, (uint64_t)v);
		return;
	case 'x':
		snprintf(buf, len, "0x%" PRIx64, (uint64_t)v);
		return;
	case 'o':
		snprintf(buf, len, "0%" PRIo64, (uint64_t)v);
		return;
	case 'n':
		snprintf(buf, len, "%" PRId64 "ns", v);
		return;
	case 'T':
		snprintf(buf, len, "T%" PRId64, v);
		return;
	case 'd':
		break;
	default:
		if (c > 0 && value_fmt[(unsigned char)c] != NULL) {
			value_fmt[(unsigned char)c](v, buf, len);
			return;
		}
		break;
	}
	snprintf(buf, len, "%" PRId64, v);
}

/* The arguments of e through fmt. */
static size_t format_args(const char *fmt, const int64_t *a, char *buf, size_t len)
{
	size_t off = 0;
	int arg = 0;
	for (const char *p = fmt; *p != '\0' && off + 1 < len; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf[off++] = *p;
			continue;
		}
		p++;
		if (*p == '%') {
			buf[off++] = '%';
			continue;
		}
		if (arg >= TRACE_ARGS)
			break;
		int64_t v = a[arg++];
		if (*p == '_')
			continue;
		char one[96];
		format_value(*p, v, one, sizeof(one));
		off += (size_t)snprintf(buf + off, len - off, "%s", one);
	}
	if (off >= len)
		off = len - 1;
	buf[off] = '\0';
	return off;
}

/* An event nobody described: its name, then its arguments up to the last
 * non-zero one. */
static void format_plain(const char *what, const struct trace_ev *e, char *buf, size_t len)
{
	int n = 4;
	while (n > 0 && e->a[n - 1] == 0)
		n--;
	size_t off = (size_t)snprintf(buf, len, "%s", what);
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, " %" PRId64, e->a[i]);
}

static void format_named(const char *prefix, const struct trace_ev *e, char *buf, size_t len)
{
	const struct trace_desc *d = trace_desc_find(e->name);
	char what[128];
	snprintf(what, sizeof(what), "%s%s", prefix, e->name);
	if (d == NULL) {
		format_plain(what, e, buf, len);
		return;
	}
	size_t off = (size_t)snprintf(buf, len, "%s%s", what, d->fmt[0] != '\0' ? " " : "");
	if (off < len)
		format_args(d->fmt, e->a, buf + off, len - off);
}

const char *trace_type_name(uint16_t type)
{
	static const char *const names[TR_TYPE_COUNT] = {
	    [TR_DECISION] = "decide",	 [TR_THREAD_START] = "start", [TR_THREAD_EXIT] = "exit",
	    [TR_SYSCALL_ENTER] = "call", [TR_SYSCALL_EXIT] = "ret",   [TR_IRQ] = "irq",
	    [TR_FAULT] = "fault",	 [TR_SLEEP] = "sleep",	      [TR_WAKE] = "wake",
	    [TR_SIGNAL] = "signal",	 [TR_PROC_START] = "proc",    [TR_PROC_EXIT] = "proc-exit",
	    [TR_CLOCK] = "clock",	 [TR_USER] = "print",	      [TR_PANIC] = "FAIL",
	    [TR_INFO] = "info",		 [TR_READ] = "read",	      [TR_BRANCH] = "branch",
	};
	if (type < TR_TYPE_COUNT && names[type] != NULL)
		return names[type];
	return "?";
}

enum trace_level trace_ev_level(const struct trace_ev *e)
{
	switch (e->type) {
	case TR_DECISION:
	case TR_CLOCK:
		return TRACE_LEVEL_ALL;
	case TR_IRQ:
	case TR_SLEEP:
	case TR_WAKE:
	case TR_PROC_START:
	case TR_PROC_EXIT:
		return TRACE_LEVEL_KERNEL;
	case TR_INFO: {
		const struct trace_desc *d = trace_desc_find(e->name);
		return d != NULL ? (enum trace_level)d->level : TRACE_LEVEL_KERNEL;
	}
	default:
		return TRACE_LEVEL_USER;
	}
}

void trace_ev_subsys(const struct trace_ev *e, char *buf, size_t len)
{
	const char *sub = NULL;
	switch (e->type) {
	case TR_SYSCALL_ENTER:
	case TR_SYSCALL_EXIT:
		if (e->desc != NULL && call_subsys != NULL)
			sub = call_subsys(e);
		break;
	case TR_USER:
	case TR_READ:
	case TR_BRANCH:
		sub = "scn";
		break;
	case TR_DECISION:
	case TR_THREAD_START:
	case TR_THREAD_EXIT:
	case TR_CLOCK:
	case TR_PANIC:
	case TR_FAULT:
		sub = "sim";
		break;
	default:
		break;
	}
	if (sub == NULL && e->name != NULL) {
		const char *colon = strchr(e->name, ':');
		if (colon != NULL) {
			snprintf(buf, len, "%.*s", (int)(colon - e->name), e->name);
			return;
		}
		sub = e->type == TR_SIGNAL || e->type == TR_SLEEP || e->type == TR_WAKE ||
			      e->type == TR_PROC_START || e->type == TR_PROC_EXIT
			  ? "kern"
			  : "";
	}
	snprintf(buf, len, "%s", sub != NULL ? sub : "");
}

static const char *const signal_outcome[] = {"", " (ignored)", " (coalesced)", " (queue full)"};

void trace_format_ev(const struct trace_ev *e, char *buf, size_t len)
{
	char v[96];
	switch (e->type) {
	case TR_DECISION:
		if (e->a[3] == 1) /* a data decision: a[0] of a[1] in dimension a[2] */
			snprintf(buf, len,
				 "decide data %" PRId64 " of %" PRId64 " (dimension %" PRId64 ")",
				 e->a[0], e->a[1], e->a[2]);
		else if (e->a[0] == 0)
			snprintf(buf, len, "decide irq /%" PRId64, e->a[1]);
		else
			snprintf(buf, len, "decide T%" PRId64 " /%" PRId64, e->a[0], e->a[1]);
		break;
	case TR_SYSCALL_ENTER:
		if (e->desc != NULL && call_view != NULL) {
			call_view(e, buf, len);
			break;
		}
		/* Without a view: arguments up to the last non-zero one. */
		format_plain(e->name, e, buf, len);
		break;
	case TR_SYSCALL_EXIT:
		if (e->desc != NULL && call_view != NULL) {
			call_view(e, buf, len);
		} else {
			trace_format_errno(e->a[0], v, sizeof(v));
			snprintf(buf, len, "%s = %s", e->name, v);
		}
		break;
	case TR_WAKE:
		/* A delay or timed sleep that runs out ends normally. */
		if (e->a[1] == 0)
			snprintf(buf, len, "wake T%" PRId64 " %s", e->a[0], e->name);
		else if (e->a[1] == -110 && strcmp(e->name, "delay") == 0)
			snprintf(buf, len, "wake T%" PRId64 " %s (elapsed)", e->a[0], e->name);
		else {
			trace_format_errno(e->a[1], v, sizeof(v));
			snprintf(buf, len, "wake T%" PRId64 " %s %s", e->a[0], e->name, v);
		}
		break;
	case TR_THREAD_START:
		snprintf(buf, len, "start %s (pid %" PRId64 ")", e->name, e->a[0]);
		break;
	case TR_THREAD_EXIT:
		snprintf(buf, len, "exit %s (%" PRId64 ")", e->name, e->a[0]);
		break;
	case TR_PROC_START:
		snprintf(buf, len, "proc %s pid %" PRId64 " parent %" PRId64, e->name, e->a[0],
			 e->a[1]);
		break;
	case TR_PROC_EXIT:
		snprintf(buf, len, "proc-exit %s pid %" PRId64 " status %" PRId64, e->name, e->a[0],
			 e->a[1]);
		break;
	case TR_CLOCK:
		snprintf(buf, len, "clock -> %" PRId64 "ns", e->a[0]);
		break;
	case TR_USER:
		/* A store's name ends in '=' ("x =", "buf[] ="); a print's is its
		 * label. */
		if (strstr(e->name, "[] =") != NULL) {
			const char *br = strstr(e->name, "[]");
			snprintf(buf, len, "%.*s[%" PRId64 "]%s %" PRId64, (int)(br - e->name),
				 e->name, e->a[1], br + 2, e->a[0]);
		} else {
			snprintf(buf, len, "%s %" PRId64, e->name, e->a[0]);
		}
		break;
	case TR_READ:
		if (e->a[2] != 0)
			snprintf(buf, len, "read %s[%" PRId64 "] -> %" PRId64, e->name, e->a[1],
				 e->a[0]);
		else
			snprintf(buf, len, "read %s -> %" PRId64, e->name, e->a[0]);
		break;
	case TR_BRANCH:
		if (e->line != 0) /* the view shows the line */
			snprintf(buf, len, "%s -> %s", e->name, e->a[0] ? "true" : "false");
		else
			snprintf(buf, len, "%s at line %" PRId64 " -> %s", e->name, e->a[1],
				 e->a[0] ? "true" : "false");
		break;
	case TR_FAULT:
		snprintf(buf, len, "FAULT %s #%" PRId64, e->name, e->a[0]);
		break;
	case TR_PANIC: {
		static const char *const what[] = {"", "expect failed", "usage", "panic",
						   "deadlock"};
		int64_t o = e->a[0];
		snprintf(buf, len, "FAIL %s", o > 0 && o < 5 ? what[o] : e->name);
		break;
	}
	case TR_SIGNAL: {
		char sig[32];
		format_value('g', e->a[0], sig, sizeof(sig));
		size_t off = (size_t)snprintf(buf, len, "signal %s %s to pid %" PRId64, e->name,
					      sig, e->a[1]);
		if (e->a[2] != 0 && off < len)
			off += (size_t)snprintf(buf + off, len - off, " T%" PRId64, e->a[2]);
		if (e->a[3] > 0 && e->a[3] < 4 && off < len && strstr(e->name, "dequeue") == NULL)
			snprintf(buf + off, len - off, "%s", signal_outcome[e->a[3]]);
		break;
	}
	case TR_INFO:
		format_named("", e, buf, len);
		break;
	case TR_IRQ:
		format_named("irq ", e, buf, len);
		break;
	default:
		snprintf(buf, len, "%s %s", trace_type_name(e->type), e->name);
		break;
	}
}
