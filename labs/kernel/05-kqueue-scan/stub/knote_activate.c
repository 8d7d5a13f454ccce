	/*
	 * Lab 05, part 2 (README.md, "Activation"): the knote's condition
	 * became true. Mark it active and put it on its kqueue's pending queue
	 * (knote_enqueue) — unless it is queued already or disabled: a
	 * disabled knote stays active, and re-enabling it queues it then.
	 */
	(void)kn; /* TODO (lab 05): no event is ever queued */
