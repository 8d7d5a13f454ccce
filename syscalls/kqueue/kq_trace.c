/*
 * How kqueue's trace events read (docs/kq.md). Queues are "kq#N", knotes
 * "kn#N" (from kq:attach through kq:queue to kq:post), filters by name.
 */
#include <stdio.h>

#include "sim/trace.h"

static const struct trace_desc kq_events[] = {
    TRACE_DESC("kq:create", "kq#%d pid %d fd %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("kq:attach", "kq#%d kn#%d %F ident %d", TRACE_LEVEL_KERNEL, "kn", 1,
		    TRACE_LINK_FROM),
    TRACE_DESC("kq:attach_closed", "kq#%d kn#%d ident %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("kq:queue", "kq#%d kn#%d %F ident %d", TRACE_LEVEL_KERNEL, "kn", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("kq:post", "kq#%d kn#%d %F data %d", TRACE_LEVEL_KERNEL, "kn", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("kq:drop", "kq#%d kn#%d %F ident %d", TRACE_LEVEL_KERNEL, "kn", 1,
		    TRACE_LINK_TO),
    TRACE_DESC("kq:fdclose", "kq#%d kn#%d fd %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:close", "kq#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:kq_knote_wait", "kn#%d %F", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:proc", "kq#%d kn#%d pid %d note %x", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:reg_recurse", "kq#%d depth %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:timer", "kq#%d kn#%d ident %d data %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:timer_deferred", "kq#%d kn#%d ident %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:track_wait", "kq#%d parent pid %d child pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:trackerr", "kq#%d pid %d %e", TRACE_LEVEL_KERNEL),
    TRACE_DESC("kq:timer_expire", "", TRACE_LEVEL_KERNEL),
};

static void fmt_filter(int64_t v, char *buf, size_t len)
{
	static const char *const names[] = {"",	      "READ",  "WRITE", "AIO",	 "VNODE", "PROC",
					    "SIGNAL", "TIMER", "?",	"FS",	 "?",	  "USER",
					    "?",      "?",     "?",	"EXCEPT"};
	if (v <= -1 && v >= -15 && names[-v][0] != '?')
		snprintf(buf, len, "EVFILT_%s", names[-v]);
	else
		snprintf(buf, len, "filter %lld", (long long)v);
}

void kq_trace_register(void)
{
	trace_describe(kq_events, (int)(sizeof(kq_events) / sizeof(kq_events[0])));
	trace_set_value_fmt('F', fmt_filter);
}
