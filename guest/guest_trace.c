/*
 * How the guest runtime's trace events read (sim/trace.h trace_desc):
 * guest:access is a shared-memory access of a guest program, at the
 * address's deterministic alias (kern/umem.h).
 */
#include "sim/trace.h"

static const struct trace_desc guest_events[] = {
    TRACE_DESC("guest:access", "%x size %d mode %d", TRACE_LEVEL_USER),
};

void guest_trace_register(void)
{
	trace_describe(guest_events, (int)(sizeof(guest_events) / sizeof(guest_events[0])));
}
