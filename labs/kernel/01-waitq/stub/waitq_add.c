/*
 * Lab 01, part 1 (README.md, "Queueing"): queue an entry.
 * Non-exclusive entries go to the head of wq->head, exclusive ones to the
 * tail, so that a wake-up meets every non-exclusive waiter before the
 * first exclusive one. Keep wq->nwaiters in step; an entry that is
 * already queued is a kernel bug (KASSERT it).
 */
void waitq_add(struct waitq *wq, struct waitq_entry *e)
{
	(void)wq;
	(void)e;
	sim_panic("lab 01: waitq_add is not written yet");
}

void waitq_add_exclusive(struct waitq *wq, struct waitq_entry *e)
{
	(void)wq;
	(void)e;
	sim_panic("lab 01: waitq_add_exclusive is not written yet");
}
