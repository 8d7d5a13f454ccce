/*
 * Lab 01, part 2 (README.md, "Waking"): walk the queue front to back and
 * call each entry's wake function e->func(e, key). Every non-exclusive
 * entry is woken; stop after nr_exclusive exclusive entries reported a
 * wake-up (nr_exclusive 0: wake them all). An entry whose function is
 * waitq_default_wake and that reported a wake-up leaves the queue
 * ("autoremove"); others stay. Return how many entries reported a wake-up.
 * Careful: a wake function may remove its entry from the list.
 */
int waitq_wake(struct waitq *wq, int nr_exclusive, void *key)
{
	(void)wq;
	(void)nr_exclusive;
	(void)key;
	sim_panic("lab 01: waitq_wake is not written yet");
}
