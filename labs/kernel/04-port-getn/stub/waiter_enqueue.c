/*
 * Lab 04, part 1 (README.md, "Who is woken first"): queue w on
 * pp->waiters (pp->lock held) so that the list stays in ascending order of
 * w->nget, arrivals in order among equal counts; count it in
 * pp->nwaiters. waiter_dequeue takes it off again.
 */
static void waiter_enqueue(struct port *pp, struct port_waiter *w)
{
	(void)pp;
	(void)w;
	sim_panic("lab 04: waiter_enqueue is not written yet");
}

static void waiter_dequeue(struct port *pp, struct port_waiter *w)
{
	(void)pp;
	(void)w;
	sim_panic("lab 04: waiter_dequeue is not written yet");
}
