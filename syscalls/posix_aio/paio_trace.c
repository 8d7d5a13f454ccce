/*
 * How POSIX AIO's trace events read (docs/paio.md). A request is named by
 * its control block's user address, "aio@0x..." (the key from
 * paio:submit through paio:start to paio:done and paio:return).
 */
#include <stdio.h>

#include "sim/trace.h"

static const struct trace_desc paio_events[] = {
    TRACE_DESC_LINK("paio:submit", "pid %d aio@%x %A fd %d", TRACE_LEVEL_KERNEL, "aio", 1,
		    TRACE_LINK_FROM),
    TRACE_DESC_LINK("paio:kaio", "pid %d aio@%x %A", TRACE_LEVEL_KERNEL, "aio", 1, TRACE_LINK_TO),
    TRACE_DESC("paio:kaio_fallback", "pid %d aio@%x %A", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("paio:start", "pid %d aio@%x worker %d %A", TRACE_LEVEL_KERNEL, "aio", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("paio:done", "pid %d aio@%x %e error %d", TRACE_LEVEL_KERNEL, "aio", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("paio:canceled", "pid %d aio@%x %e error %d", TRACE_LEVEL_KERNEL, "aio", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("paio:return", "pid %d aio@%x %e", TRACE_LEVEL_KERNEL, "aio", 1, TRACE_LINK_TO),
    TRACE_DESC("paio:cancel_inprogress", "pid %d aio@%x at blocking point %d %T",
	       TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:close_cancel", "pid %d fd %d canceled %d not canceled %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:fsync_fanout", "pid %d aio@%x %d pieces", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:lio_notify", "pid %d object %x queued %d failed %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:notify", "pid %d kind %d object %x data %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:notify_dropped", "pid %d kind %d object %x data %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:worker_create", "pid %d %T worker %d of %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:notifier_create", "pid %d %T worker %d of %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:worker_exit", "pid %d %T worker %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("paio:teardown", "pid %d outstanding %d live %d workers %d", TRACE_LEVEL_KERNEL),
};

static void fmt_op(int64_t v, char *buf, size_t len)
{
	static const char *const ops[] = {"read", "write", "fsync", "piece"};
	if (v >= 0 && v < 4)
		snprintf(buf, len, "%s", ops[v]);
	else
		snprintf(buf, len, "op %lld", (long long)v);
}

void paio_trace_register(void)
{
	trace_describe(paio_events, (int)(sizeof(paio_events) / sizeof(paio_events[0])));
	trace_set_value_fmt('A', fmt_op);
}
