/*
 * Lab 05, part 1 (README.md, "The scan"): collect up to count events that
 * lie before this call's end marker (marker) on kq->pending into out, and
 * return how many. Walk with your own local marker (marker_init) kept just
 * behind the knote you work on; step over other calls' markers, never move
 * them; take each knote with knote_acquire (false: another thread owned it
 * and you slept, so look again from your local marker) and give it back
 * with knote_release. For each knote taken off the queue decide: its
 * descriptor is closing (fd_is: drop it without reporting), it is
 * disabled, its condition went away (filter_event), or it is reported —
 * then EV_ONESHOT deletes it, EV_CLEAR / EV_DISPATCH take it off the queue
 * (DISPATCH also disables it), and a level-triggered one goes back to the
 * tail, behind the end marker. kq->count counts the queued knotes.
 */
static int kqueue_scan(struct kqueue *kq, struct kevent *out, int count, struct knote *marker)
{
	(void)out;
	(void)count;
	(void)marker;
	sim_panic("lab 05: kqueue_scan is not written yet (kqueue %llu)",
		  (unsigned long long)kq->id);
}
