/* How eventfd's trace events read. Files are "file#N". */
#include "sim/trace.h"

static const struct trace_desc eventfd_events[] = {
    TRACE_DESC("eventfd:create", "pid %d fd %d initval %d flags %x", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("eventfd:read", "file#%d value %d count %d", TRACE_LEVEL_KERNEL, "efd", 0,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("eventfd:write", "file#%d value %d count %d", TRACE_LEVEL_KERNEL, "efd", 0,
		    TRACE_LINK_FROM),
    TRACE_DESC_LINK("eventfd:signal", "file#%d n %d count %d", TRACE_LEVEL_KERNEL, "efd", 0,
		    TRACE_LINK_FROM),
};

void eventfd_trace_register(void)
{
	trace_describe(eventfd_events, (int)(sizeof(eventfd_events) / sizeof(eventfd_events[0])));
}
