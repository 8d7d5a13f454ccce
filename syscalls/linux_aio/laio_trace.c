/*
 * How Linux AIO's trace events read (docs/laio.md "Trace events").
 * Requests are "laio#N" (the request number, from io_submit to its
 * io_event), contexts "ctx#N".
 */
#include <stdio.h>

#include "sim/trace.h"

static const struct trace_desc laio_events[] = {
    TRACE_DESC("laio:setup", "ctx#%d ring %x nr %d aio_nr %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("laio:submit", "laio#%d %L file#%d ctx#%d", TRACE_LEVEL_KERNEL, "laio", 0,
		    TRACE_LINK_FROM),
    TRACE_DESC("laio:submit_fail", "laio#%d %e%_ ctx#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:ring_full", "ctx#%d active %d free slots %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("laio:retry", "laio#%d result %e left %d", TRACE_LEVEL_KERNEL, "laio", 0,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("laio:kick", "laio#%d state %d queued %d", TRACE_LEVEL_KERNEL, "laio", 0,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK2("laio:event", "laio#%d res %e tail %d ctx#%d", TRACE_LEVEL_KERNEL, "laio", 0,
		     TRACE_LINK_TO, "dio", 4, TRACE_LINK_TO),
    TRACE_DESC_LINK2("laio:dio", "laio#%d dio#%d", TRACE_LEVEL_KERNEL, "laio", 0, TRACE_LINK_TO,
		     "dio", 1, TRACE_LINK_TO),
    TRACE_DESC("laio:end", "laio#%d %H res %e", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:cancel", "laio#%d %e method %d ctx#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:cancel_all", "laio#%d method %d%_ ctx#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("laio:cancel_done", "laio#%d %e res %e", TRACE_LEVEL_KERNEL, "laio", 0,
		    TRACE_LINK_TO),
    TRACE_DESC("laio:fput_defer", "laio#%d file#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:destroy", "ctx#%d ring %x active %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:free", "ctx#%d ring %x aio_nr %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:user_reap", "ring %x took %d head %d tail %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:max_nr", "%d aio_nr %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("laio:kick_timer", "", TRACE_LEVEL_KERNEL),
};

static void fmt_opcode(int64_t v, char *buf, size_t len)
{
	static const char *const ops[] = {"PREAD", "PWRITE", "FSYNC",  "FDSYNC", "POLL",
					  "-",	   "NOOP",   "PREADV", "PWRITEV"};
	if (v >= 0 && v < 9)
		snprintf(buf, len, "IOCB_CMD_%s", ops[v]);
	else
		snprintf(buf, len, "opcode %lld", (long long)v);
}

static void fmt_end(int64_t v, char *buf, size_t len)
{
	static const char *const how[] = {"?", "event", "canceled", "torn down", "never submitted"};
	snprintf(buf, len, "%s", v >= 1 && v <= 4 ? how[v] : how[0]);
}

void laio_trace_register(void)
{
	trace_describe(laio_events, (int)(sizeof(laio_events) / sizeof(laio_events[0])));
	trace_set_value_fmt('L', fmt_opcode);
	trace_set_value_fmt('H', fmt_end);
}
