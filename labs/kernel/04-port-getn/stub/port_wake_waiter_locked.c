/*
 * Lab 04, part 2 (README.md, "Waking"): called with pp->lock held after
 * an event was queued and when a retrieving thread leaves. Wake the first
 * waiter (the one wanting fewest events) if the queue can satisfy it now
 * and nobody is retrieving (pp->getn_active == 0). Only one: when it is
 * done it wakes the next one itself (getn_leave).
 */
void port_wake_waiter_locked(struct port *pp)
{
	(void)pp; /* TODO (lab 04): nobody is ever woken */
}
