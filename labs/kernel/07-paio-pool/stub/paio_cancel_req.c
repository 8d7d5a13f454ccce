/*
 * Lab 07, part 1 (README.md, "Cancel states"): pp->lock held, thread
 * context; never drop the lock. Cancel r according to where it is:
 * ended (PAIO_DONE, PAIO_CANCELED): PC_ALLDONE; still being submitted
 * (PAIO_NEW): PC_NOTCANCELED; queued (PAIO_QUEUED): take it off its
 * worker's queue (an fsync: its pieces, paio_fsync_unqueue), end it with
 * (-1, ECANCELED) (paio_publish(r, -1, ECANCELED, PAIO_CANCELED, false)),
 * retire it (paio_retire): PC_CANCELED; in progress on the kernel-async
 * path (r->kaio): ask the file (file_aio_cancel; tell the completion the
 * lock is yours with pp->kaio_canceling); in progress on a worker: only
 * when the worker sleeps interruptibly inside this request's file
 * operation (w->cur == r, w->in_window, and its thread prepared,
 * interruptible and sleeping) — end it and send the worker
 * PAIO_SIGAIOCANCEL, PC_CANCELED; anywhere else PC_NOTCANCELED.
 */
enum paio_cancel_res paio_cancel_req(struct paio_req *r)
{
	sim_panic("lab 07: paio_cancel_req is not written yet (request %llu)",
		  (unsigned long long)r->key);
}
