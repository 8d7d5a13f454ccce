/*
 * POSIX AIO: aio_cancel, cancellation by close(2), and the cancel window.
 *
 * What a cancel does depends on where the request is (Solaris libc aio.c,
 * _aio_cancel_req):
 *  - queued on a worker (or an fsync whose pieces are still queued): taken
 *    off the queue, ended with (-1, ECANCELED) and retired at once; its
 *    notification is still sent (by the notification worker, so the
 *    canceling thread never blocks on it). AIO_CANCELED.
 *  - in progress on a worker: the reference interrupts the worker with
 *    SIGAIOCANCEL and longjmps out of the read or write. Here the worker
 *    can be interrupted only at a blocking point: when it sleeps
 *    interruptibly inside the file operation (a pipe read waiting for
 *    data, a pipe write waiting for room). Then the request ends now with
 *    (-1, ECANCELED), the worker gets SIGAIOCANCEL (its sleep returns
 *    -EINTR) and retires the request when it unwinds. Bytes the operation
 *    moved before blocking stay moved, as with the reference. Anywhere
 *    else (running, runnable, sleeping uninterruptibly on the disk):
 *    AIO_NOTCANCELED, and the request completes normally.
 *  - on the kernel-async path: the file's aio_cancel decides (AIO_CANCELED
 *    if it could pull the request back before the device had it).
 *  - ended: AIO_ALLDONE.
 *
 * aio_cancel(fd, NULL) and close(fd) cancel every request of the process
 * on that descriptor (both interfaces). aio_cancel answers AIO_CANCELED if
 * every request still running was canceled, AIO_NOTCANCELED if one could
 * not be, AIO_ALLDONE if none was running.
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>

#include "kern/signal.h"
#include "syscalls/posix_aio/paio_priv.h"

/* Liveness guard: requests one cancel scan visits; past it the loop is a livelock bug. */
#define PAIO_CANCEL_SCAN_MAX 1000000

/* LAB 07 BEGIN: paio_cancel_req */
/* Lock held; r is on the kernel-async path. */
static enum paio_cancel_res cancel_kaio(struct paio_req *r)
{
	spin_assert_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	if (r->submitting)
		return PC_NOTCANCELED; /* the file has not answered yet */
	/* the file calls our completion from inside aio_cancel on success:
	 * tell it the lock is already ours */
	pp->kaio_canceling = r;
	int rc = file_aio_cancel(r->fp, &r->kr);
	pp->kaio_canceling = NULL;
	if (rc == 0) {
		KASSERT(r->state == PAIO_CANCELED,
			"kernel-async cancel did not complete the request");
		return PC_CANCELED;
	}
	return PC_NOTCANCELED;
}

/*
 * Lock held, thread context. Cancels r (see the top comment). Never drops
 * the lock.
 */
enum paio_cancel_res paio_cancel_req(struct paio_req *r)
{
	sim_assert_thread_context(__func__);
	spin_assert_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	KASSERT(r->op != PAIO_OP_PIECE, "cancel of an fsync piece");
	switch (r->state) {
	case PAIO_DONE:
	case PAIO_CANCELED:
		return PC_ALLDONE;
	case PAIO_NEW:
		return PC_NOTCANCELED; /* still being submitted */
	case PAIO_QUEUED:
		if (r->op == PAIO_OP_FSYNC)
			paio_fsync_unqueue(r);
		else
			paio_worker_unqueue(r->worker, r);
		paio_publish(r, -1, ECANCELED, PAIO_CANCELED, false);
		paio_retire(r);
		return PC_CANCELED;
	case PAIO_INPROGRESS:
		break;
	}
	if (r->kaio)
		return cancel_kaio(r);
	struct paio_worker *w = r->worker;
	KASSERT(w != NULL, "request in progress without a worker");
	struct simk_thread *t = w->thread;
	bool at_blocking_point = w->cur == r && w->in_window && t->sleep_prepared &&
				 t->interruptible && t->state == TS_SLEEPING;
	trace_emit(TR_INFO, "paio:cancel_inprogress", pp->p->pid, paio_taddr(pp->p, r->key), at_blocking_point,
		   t->tid);
	if (!at_blocking_point)
		return PC_NOTCANCELED;
	paio_publish(r, -1, ECANCELED, PAIO_CANCELED, false);
	(void)sig_kill_thread(t, PAIO_SIGAIOCANCEL);
	return PC_CANCELED;
}
/* LAB 07 END: paio_cancel_req */

static bool matches(const struct paio_req *r, int fd, const struct file *fp)
{
	return fd < 0 || (r->fd == fd && r->fp == fp);
}

/*
 * Thread context, lock not held. Cancels every request of pp on (fd, fp)
 * (fd < 0: all of them) and counts the outcomes. Ended Solaris-interface
 * requests waiting for aiowait on that descriptor are discarded
 * (Solaris libc aio.c, aiocancel_all).
 */
void paio_cancel_fd(struct paio_proc *pp, int fd, struct file *fp, int *canceled, int *notcanceled,
		    int *done)
{
	sim_assert_thread_context(__func__);
	spin_assert_not_held(&pp->lock);
	spin_lock(&pp->lock);
	uint64_t gen = ++pp->cancel_gen;
	/* each pass cancels one request and restarts: canceling frees
	 * Solaris requests and so changes the chains */
	for (int bound = 0;; bound++) {
		KASSERT(bound < PAIO_CANCEL_SCAN_MAX, "aio cancel scan does not end");
		struct paio_req *victim = NULL;
		for (int b = 0; b < PAIO_HASH_SIZE && victim == NULL; b++)
			for (struct paio_req *r = pp->hash[b]; r != NULL; r = r->hnext)
				if (r->cancel_gen != gen && matches(r, fd, fp)) {
					victim = r;
					break;
				}
		if (victim == NULL)
			break;
		victim->cancel_gen = gen;
		if (paio_ended(victim)) {
			(*done)++;
			if (victim->api == PAIO_API_SOLARIS && victim->where == PW_SOLDONEQ)
				paio_reap(victim);
			continue;
		}
		switch (paio_cancel_req(victim)) {
		case PC_CANCELED:
			(*canceled)++;
			break;
		case PC_NOTCANCELED:
			(*notcanceled)++;
			break;
		case PC_ALLDONE:
			(*done)++;
			break;
		}
	}
	paio_unlock(pp);
}

/* Close observer (vfs/file.h): the descriptor fd of p was closed; fp is
 * still valid. Thread context. */
void paio_close_observer(struct simk_proc *p, int fd, struct file *fp)
{
	sim_assert_thread_context(__func__);
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp == NULL || fd < 0)
		return;
	int c = 0, nc = 0, d = 0;
	paio_cancel_fd(pp, fd, fp, &c, &nc, &d);
	if (c + nc > 0)
		trace_emit(TR_INFO, "paio:close_cancel", p->pid, fd, c, nc);
}

int sys_aio_cancel(int fd, uaddr_t aiocbp)
{
	struct simk_proc *p = sim_proc_current();
	struct file *fp;
	if (fd_get(p, fd, &fp) != 0)
		return -EBADF;
	int res;
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (aiocbp != 0) {
		struct simk_aiocb cb;
		if (copyin(aiocbp, &cb, sizeof(cb)) != 0) {
			res = -EFAULT;
		} else if (cb.aio_fildes != fd) {
			res = -EINVAL;
		} else if (pp == NULL) {
			res = AIO_ALLDONE;
		} else {
			spin_lock(&pp->lock);
			struct paio_req *r = paio_hash_find(pp, aiocbp);
			if (r == NULL || r->api != PAIO_API_POSIX)
				res = AIO_ALLDONE;
			else
				switch (paio_cancel_req(r)) {
				case PC_CANCELED:
					res = AIO_CANCELED;
					break;
				case PC_NOTCANCELED:
					res = AIO_NOTCANCELED;
					break;
				default:
					res = AIO_ALLDONE;
					break;
				}
			paio_unlock(pp);
		}
	} else if (pp == NULL) {
		res = AIO_ALLDONE;
	} else {
		int c = 0, nc = 0, d = 0;
		paio_cancel_fd(pp, fd, fp, &c, &nc, &d);
		res = nc > 0 ? AIO_NOTCANCELED : c > 0 ? AIO_CANCELED : AIO_ALLDONE;
	}
	file_put(fp);
	return res;
}

/*
 * Solaris aiocancel: 0 when the request was canceled; otherwise EINVAL if
 * no request of this interface is in flight, EACCES if some are (Solaris libc aio.c).
 */
int sys_aiocancel(uaddr_t resultp)
{
	struct simk_proc *p = sim_proc_current();
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp == NULL)
		return -EINVAL;
	spin_lock(&pp->lock);
	struct paio_req *r = paio_hash_find(pp, resultp);
	int res;
	if (r != NULL && r->api == PAIO_API_SOLARIS && paio_cancel_req(r) == PC_CANCELED)
		res = 0;
	else
		res = pp->outstanding_sol == 0 ? -EINVAL : -EACCES;
	paio_unlock(pp);
	return res;
}
