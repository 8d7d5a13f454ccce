/*
 * How event ports' trace events read (docs/port.md). Ports are "port#N",
 * their events "pev#N" (from port:send to port:deliver).
 */
#include "sim/trace.h"

static const struct trace_desc port_events[] = {
    TRACE_DESC("port:create", "port#%d fd %d pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("port:send", "port#%d pev#%d %S events %x", TRACE_LEVEL_KERNEL, "pev", 1,
		    TRACE_LINK_FROM),
    TRACE_DESC("port:sendn", "%d entries %d errors events %x", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("port:resend", "port#%d pev#%d %S", TRACE_LEVEL_KERNEL, "pev", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("port:deliver", "port#%d pev#%d %S events %x", TRACE_LEVEL_KERNEL, "pev", 1,
		    TRACE_LINK_TO),
    TRACE_DESC_LINK("port:discard", "port#%d pev#%d %S flag %d", TRACE_LEVEL_KERNEL, "pev", 1,
		    TRACE_LINK_TO),
    TRACE_DESC("port:refused", "port#%d pev#%d owner pid %d caller pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:remove_event", "port#%d pev#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:free_event", "port#%d pev#%d queued %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:getn", "port#%d max %d wants %d one %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:alert", "port#%d flags %x events %x woken %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:alert_clear", "port#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:fd_associate", "port#%d fd %d events %p owner pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:fd_dissociate", "port#%d fd %d owner pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:fd_fire", "port#%d fd %d events %p", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:file_associate", "port#%d fobj %x events %x", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:file_dissociate", "port#%d fobj %x owner pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:file_fire", "port#%d fobj %x events %x gone %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:close", "port#%d pid %d threads %d woken %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:close_proc", "port#%d pid %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:closed", "port#%d slots %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:free", "port#%d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:leak", "port#%d slots %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("port:limits", "ports %d events %d list %d", TRACE_LEVEL_ALL),
};

static const struct trace_desc ptimer_events[] = {
    TRACE_DESC("ptimer:create", "pid %d timer %d notify %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC("ptimer:delete", "pid %d timer %d", TRACE_LEVEL_KERNEL),
    TRACE_DESC_LINK("ptimer:expire", "pid %d timer %d expirations %d notify %d", TRACE_LEVEL_KERNEL,
		    "ptimer", 1, TRACE_LINK_TO),
    TRACE_DESC_LINK("ptimer:settime", "pid %d timer %d expires at %n interval %n",
		    TRACE_LEVEL_KERNEL, "ptimer", 1, TRACE_LINK_FROM),
    TRACE_DESC("ptimer:timer", "", TRACE_LEVEL_KERNEL),
};

void port_trace_register(void)
{
	trace_describe(port_events, (int)(sizeof(port_events) / sizeof(port_events[0])));
	trace_describe(ptimer_events, (int)(sizeof(ptimer_events) / sizeof(ptimer_events[0])));
}
