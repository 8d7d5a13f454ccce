/*
 * Lab 07, part 2 (README.md, "The fsync barrier"): pp->lock held. r is an
 * aio_fsync request no worker can see yet. It may complete only after
 * every request queued before it, on every worker. Allocate one barrier
 * piece (paio_req_alloc, op PAIO_OP_PIECE, parent r, key r->key) per
 * read/write worker of pp->workers — all of them first: if one allocation
 * fails, free the others (reaped and retired set, paio_req_free) and
 * return -EAGAIN with nothing queued — then count them in r->pieces_left,
 * set r->kaio_barrier = r->seq, make r PAIO_QUEUED (paio_store_state(r,
 * AIOCB_QUEUED)) and queue one piece on each worker (paio_worker_queue).
 */
int paio_fsync_fanout(struct paio_proc *pp, struct paio_req *r)
{
	(void)pp;
	(void)r;
	return -EAGAIN; /* TODO (lab 07): every aio_fsync fails */
}

/*
 * Worker w took piece (pp->lock held). Free the piece (its parent the
 * fsync f: clear piece->parent, mark it reaped and retired, paio_req_free)
 * and count it. When it was the last one, every request queued before f
 * has ended on every worker: f is in progress on w now (f->state,
 * f->worker, w->cur, paio_store_state(f, AIOCB_INPROGRESS)); store it in
 * *fsyncp and return true. Otherwise false.
 */
bool paio_piece_pass(struct paio_worker *w, struct paio_req *piece, struct paio_req **fsyncp)
{
	(void)w;
	(void)piece;
	(void)fsyncp;
	sim_panic("lab 07: paio_piece_pass is not written yet");
}
