/*
 * Lab 04, part 3 (README.md, "Alert mode"): flags PORT_ALERT_SET
 * overwrites the alert, PORT_ALERT_UPDATE refuses with -EBUSY when the
 * port is alerted already; anything else is -EINVAL. Record the alert in
 * the port (pp->alert, alert_events, alert_user, alert_pid =
 * port_cur_pid()) and hand a copy to every thread waiting right now (mark
 * its port_waiter alerted, with the events and user value, and wake it).
 * Keep the trace line (the last argument: how many were woken).
 */
static int alert_set(struct port *pp, int flags, int events, uint64_t user)
{
	(void)flags;
	(void)events;
	(void)user;
	trace_emit(TR_INFO, "port:alert", (int64_t)pp->id, flags, events, 0);
	return -ENOSYS; /* TODO (lab 04) */
}
