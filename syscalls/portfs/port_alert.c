/*
 * Event ports: PORT_SOURCE_ALERT — port_alert.
 *
 * Alert is a mode of the port, not a queued event: while it is set, every
 * port_get(n) returns the alert at once as its single event (it does not
 * consume it), and setting it hands a copy to every thread already
 * waiting, which returns at once. SET overwrites the alert data, UPDATE
 * refuses (EBUSY) when the port is already alerted, events 0 ends the
 * mode. The process that set it owns it: when that process closes the
 * port, the mode ends (port_close.c). Alerts are shareable.
 */
#include <errno.h>
#include <string.h>

#include "syscalls/portfs/port_priv.h"

void port_alert_event(port_event_t *ev, int events, uint64_t user)
{
	memset(ev, 0, sizeof(*ev));
	ev->portev_events = events;
	ev->portev_source = PORT_SOURCE_ALERT;
	ev->portev_object = 0;
	ev->portev_user = user;
}

static void alert_clear(struct port *pp)
{
	spin_lock(&pp->lock);
	pp->alert = false;
	spin_unlock(&pp->lock);
}

/* LAB 04 BEGIN: alert_set */
static int alert_set(struct port *pp, int flags, int events, uint64_t user)
{
	if (flags != PORT_ALERT_SET && flags != PORT_ALERT_UPDATE)
		return -EINVAL;
	spin_lock(&pp->lock);
	if (flags == PORT_ALERT_UPDATE && pp->alert) {
		spin_unlock(&pp->lock);
		return -EBUSY;
	}
	pp->alert = true;
	pp->alert_events = events;
	pp->alert_user = user;
	pp->alert_pid = port_cur_pid();
	int woken = 0;
	for (struct list_node *n = pp->waiters.next; n != &pp->waiters; n = n->next) {
		struct port_waiter *w = list_entry(n, struct port_waiter, link);
		if (w->alerted)
			continue;
		w->alerted = true;
		w->alert_events = events;
		w->alert_user = user;
		thread_wake(w->thread, 0);
		woken++;
	}
	trace_emit(TR_INFO, "port:alert", (int64_t)pp->id, flags, events, woken);
	spin_unlock(&pp->lock);
	return 0;
}
/* LAB 04 END: alert_set */

int sys_port_alert(int port, int flags, int events, uint64_t user)
{
	struct file *fp;
	struct port *pp;
	int r = port_getf(port, &fp, &pp);
	if (r != 0)
		return r;
	if (events == 0) {
		alert_clear(pp);
		trace_emit(TR_INFO, "port:alert_clear", (int64_t)pp->id, 0, 0, 0);
		r = 0;
	} else {
		r = alert_set(pp, flags, events, user);
	}
	port_releasef(fp, pp);
	return r;
}
