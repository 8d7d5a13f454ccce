/*
 * How the block device's trace events read (docs/blkdev.md "Trace
 * events"). Request ids are "blk#N": the same id on blk:submit, blk:done
 * and the retries ties a request to its completion.
 */
#include <inttypes.h>
#include <stdio.h>

#include "sim/trace.h"

static const struct trace_desc blk_events[] = {
    TRACE_DESC("blk:create", "dev%d sector size %d capacity %d queue depth %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("blk:submit", "%b sector %d count %d blk#%d", TRACE_LEVEL_KERNEL, "blk", 3,
		    TRACE_LINK_FROM),
    TRACE_DESC("blk:reject", "%b sector %d count %d %e", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("blk:done", "%b sector %d %e blk#%d", TRACE_LEVEL_KERNEL, "blk", 3,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("blk:delay", "%b blk#%d by %n", TRACE_LEVEL_KERNEL, "blk", 1, TRACE_LINK_TO),
    TRACE_DESC_LINK("blk:irq_lost", "%b blk#%d result %e", TRACE_LEVEL_KERNEL, "blk", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("blk:timeout", "%b blk#%d attempt %d lost irq %d", TRACE_LEVEL_KERNEL, "blk", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("blk:retry", "%b blk#%d attempt %d", TRACE_LEVEL_KERNEL, "blk", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("blk:giveup", "%b blk#%d after %d attempts %e", TRACE_LEVEL_KERNEL, "blk", 1,
		    TRACE_LINK_TO),
    TRACE_DESC("blk:torn", "dev%d sector %d keeps %d new bytes in cache %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:bad_sector", "dev%d sector %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:power_cut", "dev%d drops %d cached sectors, aborts %d requests, torn sector %d",
	       TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:corrupt", "dev%d sector %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:media_poke", "dev%d sector %d count %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:abandon", "%b blk#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:lost_at_end", "dev%d %d requests", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:crash_state", "dev%d %d cached units, %d kept", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:destroy", "dev%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:irq", "", TRACE_LEVEL_KERNEL),
    TRACE_DESC("blk:timer", "", TRACE_LEVEL_KERNEL),
};

/* A request code: op (bits 0-3) | flags << 4 (1 = FUA) | device id << 8. */
static void fmt_code(int64_t v, char *buf, size_t len)
{
	static const char *const ops[] = {"read", "write", "flush"};
	int64_t op = v & 15;
	snprintf(buf, len, "%s%s dev%" PRId64, op < 3 ? ops[op] : "op?", (v >> 4) & 1 ? "|FUA" : "",
		 v >> 8);
}

void blk_trace_register(void)
{
	trace_describe(blk_events, (int)(sizeof(blk_events) / sizeof(blk_events[0])));
	trace_set_value_fmt('b', fmt_code);
}
