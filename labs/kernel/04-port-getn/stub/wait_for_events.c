/*
 * Lab 04, part 4 (README.md, "Waiting"): the waiting of port_getn, with
 * pp->lock held on entry and exit (drop it while you sleep). w is queued.
 * Return 0 when the caller may retrieve: w was alerted, or the queue holds
 * at least w->nget events and nobody is retrieving (and, when loop is set,
 * new events were sent since the pass that found nothing deliverable:
 * pp->send_seq != scan_seq). Return -ETIME when the timeout (gt; see
 * timeout_left) passes first, -EINTR on a signal (sleep interruptibly),
 * -EBADFD when the port is closing (pp->state != PORT_OPEN). Whatever woke
 * you, check everything again under the lock.
 */
static int wait_for_events(struct port *pp, struct port_waiter *w, const struct get_timeout *gt,
			   bool loop, uint64_t scan_seq)
{
	(void)pp;
	(void)w;
	(void)timeout_left;
	(void)gt;
	(void)loop;
	(void)scan_seq;
	return -ETIME; /* TODO (lab 04): never waits */
}
