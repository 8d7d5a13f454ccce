/*
 * POSIX AIO: aio_fsync and its fan-out.
 *
 * aio_fsync must not complete before every write queued before it has
 * completed, and those writes sit on the queues of several workers. So
 * (Solaris libc aio.c, __aio_fsync_bar) the fsync request puts one barrier *piece*
 * on the queue of every read/write worker and counts them. Because a
 * worker takes the next item of its queue only after finishing the
 * previous one, a worker that takes its piece has finished everything
 * queued to it before the fsync. The worker that takes the last piece
 * (the shared count reaches zero) knows that all earlier requests of the
 * process have ended, on every worker; it then waits for the earlier
 * requests of the same file that took the kernel-async path (they are on
 * no queue), and runs the fsync itself.
 *
 * Until its last piece is taken the fsync is QUEUED: aio_cancel removes
 * the pieces still queued and ends it as canceled. Afterwards it is in
 * progress like any request (cancelable only at an interruptible sleep of
 * the fsync itself).
 *
 * Pieces are requests of their own (op PIECE, never in the hash, never
 * ending), so a worker that is created later never receives one.
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>
#include <fcntl.h>

#include "syscalls/posix_aio/paio_priv.h"

/* LAB 07 BEGIN: fsync_barrier */
/*
 * Lock held. Fans r (an FSYNC, not yet visible to workers) out to every
 * read/write worker. -EAGAIN when a piece cannot be allocated (nothing
 * queued then).
 */
int paio_fsync_fanout(struct paio_proc *pp, struct paio_req *r)
{
	spin_assert_held(&pp->lock);
	KASSERT(pp->nworkers > 0, "aio_fsync without workers");
	struct list_node pieces;
	list_init(&pieces);
	int n = 0;
	for (int i = 0; i < pp->nworkers; i++) {
		struct paio_req *pc = paio_req_alloc(pp);
		if (pc == NULL) {
			while (!list_empty(&pieces)) {
				pc = list_entry(pieces.next, struct paio_req, link);
				list_del(&pc->link);
				pc->reaped = pc->retired = true;
				paio_req_free(pc);
			}
			return -EAGAIN;
		}
		pc->op = PAIO_OP_PIECE;
		pc->parent = r;
		pc->key = r->key;
		list_push_back(&pieces, &pc->link);
		n++;
	}
	r->pieces_left = n;
	r->kaio_barrier = r->seq;
	r->state = PAIO_QUEUED;
	paio_store_state(r, AIOCB_QUEUED);
	for (struct list_node *it = pp->workers.next; it != &pp->workers; it = it->next) {
		struct paio_req *pc = list_entry(pieces.next, struct paio_req, link);
		list_del(&pc->link);
		paio_worker_queue(list_entry(it, struct paio_worker, ring), pc);
	}
	KASSERT(list_empty(&pieces), "fsync pieces left over");
	trace_emit(TR_INFO, "paio:fsync_fanout", pp->p->pid, paio_taddr(pp->p, r->key), n, 0);
	return 0;
}

/*
 * Lock held, on the worker that took piece. Frees the piece and counts it;
 * true when it was the last: the fsync (*fsyncp) is now in progress on
 * this worker.
 */
bool paio_piece_pass(struct paio_worker *w, struct paio_req *piece, struct paio_req **fsyncp)
{
	spin_assert_held(&w->pp->lock);
	struct paio_req *f = piece->parent;
	KASSERT(f != NULL, "fsync piece of a request that is not a queued fsync");
	KASSERT(f->op == PAIO_OP_FSYNC, "fsync piece of a request that is not a queued fsync");
	KASSERT(f->state == PAIO_QUEUED, "fsync piece of a request that is not a queued fsync");
	KASSERT(f->pieces_left > 0, "fsync piece count underflows");
	piece->parent = NULL;
	piece->reaped = piece->retired = true;
	paio_req_free(piece);
	if (--f->pieces_left > 0)
		return false;
	f->state = PAIO_INPROGRESS;
	f->worker = w;
	w->cur = f;
	paio_store_state(f, AIOCB_INPROGRESS);
	*fsyncp = f;
	trace_emit(TR_INFO, "paio:start", w->pp->p->pid, paio_taddr(w->pp->p, f->key), w->index, f->op);
	return true;
}
/* LAB 07 END: fsync_barrier */

/* Lock held. Cancel of a queued fsync: removes its pieces from every
 * queue. */
void paio_fsync_unqueue(struct paio_req *r)
{
	spin_assert_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	KASSERT(r->op == PAIO_OP_FSYNC, "unqueue of a non-queued fsync");
	KASSERT(r->state == PAIO_QUEUED, "unqueue of a non-queued fsync");
	for (struct list_node *it = pp->workers.next; it != &pp->workers; it = it->next) {
		struct paio_worker *w = list_entry(it, struct paio_worker, ring);
		struct list_node *n = w->queue.next;
		while (n != &w->queue) {
			struct paio_req *pc = list_entry(n, struct paio_req, link);
			n = n->next;
			if (pc->op == PAIO_OP_PIECE && pc->parent == r) {
				paio_worker_unqueue(w, pc);
				pc->parent = NULL;
				pc->reaped = pc->retired = true;
				paio_req_free(pc);
				r->pieces_left--;
			}
		}
	}
	KASSERT(r->pieces_left == 0, "fsync pieces lost (%d left)", r->pieces_left);
}

/* True while a kernel-async request on fp submitted before seq has not
 * ended. Lock held, or from a wait condition (kaio_writes_done: it runs
 * with no switch point, so nothing changes the list under it). */
bool paio_kaio_before(struct paio_proc *pp, struct file *fp, uint64_t seq)
{
	for (struct list_node *n = pp->kaioq.next; n != &pp->kaioq; n = n->next) {
		struct paio_req *k = list_entry(n, struct paio_req, link);
		if (k->fp == fp && k->seq < seq && k->op == PAIO_OP_WRITE)
			return true;
	}
	return false;
}

static bool kaio_writes_done(void *arg)
{
	struct paio_req *r = arg;
	return !paio_kaio_before(r->pp, r->fp, r->kaio_barrier);
}

static ssize_t do_fsync(struct paio_worker *w, struct paio_req *r)
{
	(void)w;
	return file_fsync(r->fp, r->datasync);
}

/* Worker, lock not held: the last piece was taken; r is in progress here. */
void paio_fsync_run(struct paio_worker *w, struct paio_req *r)
{
	spin_assert_not_held(&w->pp->lock);
	/* kernel-async writes are on no queue: wait for the earlier ones */
	(void)waitq_wait(&r->pp->done_wq, false, false, SIMK_FOREVER, kaio_writes_done, r);
	preempt_point();
	ssize_t res = paio_in_window(w, r, do_fsync);
	paio_finish(w, r, res);
}

/*
 * aio_fsync(op, aiocb): op O_SYNC (fsync) or O_DSYNC (fdatasync), else
 * -EINVAL. The descriptor must be open for writing (-EBADF). Errors are
 * stored in the aiocb as for aio_write; a duplicate gives -EINVAL. Only
 * aio_fildes and aio_sigevent are read (POSIX: the other members are
 * ignored, so aio_reqprio, aio_buf, aio_offset... may hold anything).
 */
int sys_aio_fsync(int op, uaddr_t aiocbp)
{
	struct simk_proc *p = sim_proc_current();
	if (op != O_SYNC && op != O_DSYNC)
		return -EINVAL;
	struct simk_aiocb cb;
	int rc = paio_copyin_aiocb(aiocbp, &cb);
	if (rc != 0)
		return rc;
	if (!paio_aiocb_writable(p, aiocbp))
		return -EFAULT;
	struct paio_proc *pp = paio_proc_of(p, true);
	if (pp == NULL)
		return -EAGAIN;
	if (paio_claim_key(pp, aiocbp) != 0)
		return -EINVAL;
	uaddr_t resultp = aiocbp + offsetof(struct simk_aiocb, aio_resultp);
	int err = 0;
	struct file *fp = NULL;
	if (!paio_sigev_kind_valid(cb.aio_sigevent.sigev_notify))
		err = EINVAL;
	else if (fd_get(p, cb.aio_fildes, &fp) != 0)
		err = EBADF;
	else if (!file_writable(fp))
		err = EBADF;
	struct paio_req *r = NULL;
	if (err == 0 && (r = paio_req_alloc(pp)) == NULL)
		err = EAGAIN;
	if (err != 0) {
		if (fp != NULL)
			file_put(fp);
		paio_store_fail(p, aiocbp, err);
		return -err;
	}
	r->api = PAIO_API_POSIX;
	r->op = PAIO_OP_FSYNC;
	r->key = aiocbp;
	r->resultp = resultp;
	r->fd = cb.aio_fildes;
	r->fp = fp;
	r->datasync = op == O_DSYNC;
	r->sigev = cb.aio_sigevent.sigev_notify;
	rc =
	    paio_sigev_prepare(p, &cb.aio_sigevent, aiocbp, PAIO_EV_FSYNC, &r->note, &r->kev, NULL);
	if (rc == 0)
		rc = paio_submit_req(pp, r);
	if (rc != 0) {
		paio_req_discard(r);
		if (rc == -EALREADY)
			return -EINVAL;
		paio_store_fail(p, aiocbp, -rc);
		return rc;
	}
	return 0;
}
