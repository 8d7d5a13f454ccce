/*
 * Lab 03, part 1 (README.md, "io_getevents"): take between min_nr and nr
 * events off ctx's ring into the user array events, waiting at most the
 * relative timeout at user address timeout (0: no timeout; {0, 0}: do not
 * wait) measured from the start of the call. Return the number taken, 0
 * when the timeout passed first, or an error (-EFAULT, -EINVAL, -EINTR)
 * when nothing was taken. Helpers above: read_evt (one event off the
 * ring), get_timeout (reads and checks the user's timespec),
 * getevents_wake (the wake function of your wait entry, which keeps it
 * queued). Sleep on ctx->wait, exclusively.
 */
static long read_events(struct laio_ctx *ctx, long min_nr, long nr, uaddr_t events, uaddr_t timeout)
{
	(void)read_evt;
	(void)get_timeout;
	(void)getevents_wake;
	(void)ctx;
	(void)min_nr;
	(void)nr;
	(void)events;
	(void)timeout;
	return 0; /* TODO (lab 03): no event is ever returned */
}
