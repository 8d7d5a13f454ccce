/*
 * POSIX AIO: submission (aio_read, aio_write, lio_listio) and the
 * kernel-asynchronous path.
 *
 * A submission checks everything it can before the request becomes
 * visible, and fails at once with the errno (the descriptor too: a bad or
 * wrongly opened fd is -EBADF from the call, not a later request error).
 * A failure is also stored in the aiocb (aio_resultp = (-1, errno),
 * aio_state = AIOCB_FAILED), so that aio_error tells it apart from a
 * request that never existed (-EINVAL); lio_listio relies on that for the
 * entries it could not queue. The one failure that writes nothing is a
 * duplicate: the aiocb belongs to a request still in flight (-EINVAL).
 *
 * Once checked, a request enters the hash and either goes to the pool or,
 * for a read or write on an O_DIRECT file, to the file's aio_submit: the
 * device completes it from its interrupt (paio_kaio_done). A file that
 * answers -EOPNOTSUPP sends it to the pool (Solaris libc aio.c falls back from
 * kaio the same way); any other answer fails the submission.
 *
 * lio_listio holds a reference on its list head while it submits, so the
 * list notification can never fire before the last entry was queued, even
 * when the first entries complete during the submission of the others.
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include "kern/kmem.h"
#include "kern/signal.h"
#include "syscalls/posix_aio/paio_priv.h"

static KMEM_TYPE(kmt_liolist, "paio.lio_list");

/*
 * Thread context. Checks a sigevent and prepares its delivery: a note for
 * SIGNAL / THREAD / PORT, an attached knote (kev) for KEVENT. Nothing for
 * NONE, or SIGNAL with signal number 0 (Solaris libc aio.c: no signal is sent).
 * Errors: -EINVAL (kind, signal number, unknown function handle),
 * -EFAULT (port_notify_t), -EBADF / -EBADFD (the port or kqueue),
 * -EAGAIN (memory).
 */
int paio_sigev_prepare(struct simk_proc *p, const struct simk_sigevent *se, uaddr_t object,
		       int events, struct paio_note **notep, struct paio_kev *kev, bool *kev_used)
{
	sim_assert_thread_context(__func__);
	*notep = NULL;
	if (kev_used != NULL)
		*kev_used = false;
	struct paio_run *run = paio_run();
	struct paio_note tmpl = {
	    .kind = se->sigev_notify, .object = object, .events = events, .port_fd = -1};
	switch (se->sigev_notify) {
	case SIMK_SIGEV_NONE:
		return 0;
	case SIMK_SIGEV_SIGNAL:
		if (se->sigev_signo == 0)
			return 0;
		if (se->sigev_signo < 1 || se->sigev_signo > SIMK_NSIG)
			return -EINVAL;
		tmpl.signo = se->sigev_signo;
		tmpl.value = (int64_t)se->sigev_value;
		break;
	case SIMK_SIGEV_THREAD: {
		uint64_t fn = se->sigev_function;
		if (fn < PAIO_FN_BASE || (fn - PAIO_FN_BASE) % 16 != 0 ||
		    (fn - PAIO_FN_BASE) / 16 >= (uint64_t)run->nfns)
			fn = paio_sigev_code_handle(fn); /* a guest's function, or 0 */
		if (fn == 0)
			return -EINVAL;
		tmpl.fn = fn;
		tmpl.value = (int64_t)se->sigev_value;
		break;
	}
	case SIMK_SIGEV_PORT: {
		struct simk_aio_port_notify pn;
		if (copyin_proc(p, se->sigev_value, &pn, sizeof(pn)) != 0)
			return -EFAULT;
		int rc = paio_port_check(p, pn.portnfy_port);
		if (rc != 0)
			return rc;
		tmpl.port_fd = pn.portnfy_port;
		tmpl.value = (int64_t)pn.portnfy_user;
		break;
	}
	case SIMK_SIGEV_KEVENT: {
		if (kev == NULL)
			return -EINVAL;
		int rc = paio_kev_attach(p, se->sigev_signo, object, se->sigev_value, kev);
		if (rc == 0 && kev_used != NULL)
			*kev_used = true;
		return rc;
	}
	default:
		return -EINVAL;
	}
	struct paio_note *n = paio_note_alloc();
	if (n == NULL)
		return -EAGAIN;
	struct list_node link = n->link;
	*n = tmpl;
	n->link = link;
	*notep = n;
	return 0;
}

/* An append goes to the pool, whose workers order appends to one file
 * (the device would complete them in any order, at offsets chosen at
 * submission). */
static bool kaio_candidate(const struct paio_req *r)
{
	bool append = r->op == PAIO_OP_WRITE && (r->fp->flags & O_APPEND) != 0;
	return paio_run()->cfg.kaio && (r->fp->flags & O_DIRECT) != 0 && !append &&
	       (r->op == PAIO_OP_READ || r->op == PAIO_OP_WRITE);
}

/* Lock held: takes a visible request back (a failed submission). */
static void unsubmit(struct paio_proc *pp, struct paio_req *r)
{
	spin_assert_held(&pp->lock);
	paio_hash_remove(pp, r);
	pp->outstanding--;
	if (r->api == PAIO_API_POSIX)
		pp->outstanding_posix--;
	else
		pp->outstanding_sol--;
	pp->active--;
	if (r->api == PAIO_API_POSIX)
		pp->active_posix--;
	pp->st.submitted--;
	if (r->lio != NULL) {
		r->lio->refs--;
		r->lio->queued--;
		KASSERT(r->lio->refs > 0, "lio head lost its submitter reference");
		r->lio = NULL;
	}
	r->state = PAIO_NEW;
	waitq_wake_all(&pp->done_wq); /* aio_suspend may wait on this aiocb */
}

/*
 * Thread context, lock not held; r is filled in but not visible. Makes it
 * visible and starts it. On failure (-EAGAIN: the per-process limit, no
 * worker, no memory; -EALREADY: the key went in flight meanwhile; an
 * aio_submit error) r is not visible and the caller discards it.
 */
int paio_submit_req(struct paio_proc *pp, struct paio_req *r)
{
	sim_assert_thread_context(__func__);
	spin_assert_not_held(&pp->lock);
	struct paio_config *cfg = &paio_run()->cfg;
	int rc = paio_pool_start(pp);
	if (rc != 0)
		return rc;
	spin_lock(&pp->lock);
	KASSERT(!pp->closing, "aio submission in an exiting process");
	if (pp->outstanding >= cfg->max_requests) {
		paio_unlock(pp);
		return -EAGAIN;
	}
	struct paio_req *old = paio_hash_find(pp, r->key);
	if (old != NULL) {
		if (!paio_ended(old)) {
			paio_unlock(pp);
			return -EALREADY;
		}
		paio_reap(old); /* ended but never reaped: superseded */
	}
	r->seq = ++pp->seq;
	paio_hash_insert(pp, r);
	pp->outstanding++;
	if (r->api == PAIO_API_POSIX)
		pp->outstanding_posix++;
	else
		pp->outstanding_sol++;
	pp->active++;
	if (r->api == PAIO_API_POSIX)
		pp->active_posix++;
	pp->st.submitted++;
	if (r->lio != NULL) {
		r->lio->refs++;
		r->lio->queued++;
	}
	/* the in-progress status is in place before anything can end it */
	if (r->api == PAIO_API_POSIX) {
		int32_t e = EINPROGRESS;
		(void)copyout_proc(
		    pp->p, &e, r->resultp + offsetof(struct simk_aio_result, aio_errno), sizeof(e));
	} else {
		int64_t ip = AIO_INPROGRESS;
		(void)copyout_proc(pp->p, &ip,
				   r->resultp + offsetof(struct simk_aio_result, aio_return),
				   sizeof(ip));
	}
	trace_emit(TR_INFO, "paio:submit", pp->p->pid, paio_taddr(pp->p, r->key), r->op, r->fd);
	if (r->op == PAIO_OP_FSYNC) {
		rc = paio_fsync_fanout(pp, r);
		if (rc != 0)
			unsubmit(pp, r);
		paio_unlock(pp);
		return rc;
	}
	if (!kaio_candidate(r)) {
		paio_enqueue(r);
		paio_unlock(pp);
		return 0;
	}
	/* the kernel-asynchronous path: the file may sleep in aio_submit,
	 * so the request waits there visibly (cancel says NOTCANCELED) */
	r->kaio = true;
	r->submitting = true;
	r->state = PAIO_INPROGRESS;
	list_push_back(&pp->kaioq, &r->link);
	r->where = PW_KAIO;
	r->kvec.base = r->buf;
	r->kvec.len = (size_t)r->nbytes;
	r->kr.op = r->op == PAIO_OP_READ ? KAIO_READ : KAIO_WRITE;
	r->kr.proc = pp->p;
	r->kr.iov = &r->kvec;
	r->kr.iovcnt = 1;
	r->kr.offset = r->offset;
	r->kr.done = paio_kaio_done;
	r->kr.priv = r;
	paio_unlock(pp);
	rc = file_aio_submit(r->fp, &r->kr);
	spin_lock(&pp->lock);
	r->submitting = false;
	if (rc == 0) {
		pp->st.kaio++;
		paio_store_state(r, AIOCB_KAIO);
		trace_emit(TR_INFO, "paio:kaio", pp->p->pid, paio_taddr(pp->p, r->key), r->op, 0);
		paio_unlock(pp);
		return 0;
	}
	list_del(&r->link);
	r->where = PW_NONE;
	r->kaio = false;
	if (rc == -EOPNOTSUPP) {
		pp->st.kaio_fallback++;
		trace_emit(TR_INFO, "paio:kaio_fallback", pp->p->pid, paio_taddr(pp->p, r->key), r->op, 0);
		paio_enqueue(r);
		paio_unlock(pp);
		return 0;
	}
	unsubmit(pp, r);
	paio_unlock(pp);
	return rc;
}

/*
 * The file's completion of a kernel-asynchronous request: interrupt
 * context, or from inside our own aio_cancel (file_aio_cancel calls it
 * with -ECANCELED while we hold the lock).
 */
void paio_kaio_done(struct kaio_req *kr, ssize_t res)
{
	struct paio_req *r = kr->priv;
	struct paio_proc *pp = r->pp;
	bool nested = pp->kaio_canceling == r;
	if (!nested)
		spin_lock(&pp->lock);
	KASSERT(r->kaio, "kernel-async completion of a request in state %d", r->state);
	KASSERT(r->state == PAIO_INPROGRESS, "kernel-async completion of a request in state %d",
		r->state);
	enum paio_state final = res == -ECANCELED ? PAIO_CANCELED : PAIO_DONE;
	paio_publish(r, res >= 0 ? res : -1, res >= 0 ? 0 : (int)-res, final, false);
	paio_retire(r);
	if (!nested)
		paio_unlock(pp);
}

/*
 * Thread context. aio_read / aio_write of the aiocb at aiocbp (cb: its
 * contents), possibly as an entry of the list lio. 0 or a negative errno
 * (stored in the aiocb, except for a duplicate).
 */
int paio_submit_rw(struct simk_proc *p, uaddr_t aiocbp, const struct simk_aiocb *cb, int op,
		   struct paio_lio *lio)
{
	sim_assert_thread_context(__func__);
	/* state and results go into the block: a read-only one is refused
	 * before anything happens (nothing can be stored in it either) */
	if (!paio_aiocb_writable(p, aiocbp))
		return -EFAULT;
	struct paio_proc *pp = paio_proc_of(p, true);
	if (pp == NULL) {
		paio_store_fail(p, aiocbp, EAGAIN);
		return -EAGAIN;
	}
	if (paio_claim_key(pp, aiocbp) != 0)
		return -EINVAL;
	int err = 0;
	struct file *fp = NULL;
	if (cb->aio_reqprio < 0 || cb->aio_offset < 0 || cb->aio_nbytes > (uint64_t)SSIZE_MAX ||
	    !paio_sigev_kind_valid(cb->aio_sigevent.sigev_notify))
		err = EINVAL;
	else if (fd_get(p, cb->aio_fildes, &fp) != 0)
		err = EBADF;
	else if (op == PAIO_OP_READ ? !file_readable(fp) : !file_writable(fp))
		err = EBADF;
	else if (cb->aio_nbytes > 0 && !paio_buf_ok(p, op, cb->aio_buf, (size_t)cb->aio_nbytes))
		err = EFAULT;
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
	r->op = op;
	r->key = aiocbp;
	r->resultp = aiocbp + offsetof(struct simk_aiocb, aio_resultp);
	r->fd = cb->aio_fildes;
	r->fp = fp;
	r->buf = cb->aio_buf;
	r->nbytes = cb->aio_nbytes;
	r->offset = cb->aio_offset;
	r->explicit_off = true;
	r->reqprio = cb->aio_reqprio;
	r->sigev = cb->aio_sigevent.sigev_notify;
	int events = op == PAIO_OP_READ ? PAIO_EV_READ : PAIO_EV_WRITE;
	int rc = paio_sigev_prepare(p, &cb->aio_sigevent, aiocbp, events, &r->note, &r->kev, NULL);
	if (rc == 0) {
		r->lio = lio;
		rc = paio_submit_req(pp, r);
	}
	if (rc != 0) {
		r->lio = NULL;
		paio_req_discard(r);
		if (rc == -EALREADY)
			return -EINVAL; /* a duplicate: the aiocb is another's */
		paio_store_fail(p, aiocbp, -rc);
		return rc;
	}
	return 0;
}

static int submit_one(uaddr_t aiocbp, int op)
{
	struct simk_proc *p = sim_proc_current();
	struct simk_aiocb cb;
	int rc = paio_copyin_aiocb(aiocbp, &cb);
	if (rc != 0)
		return rc;
	return paio_submit_rw(p, aiocbp, &cb, op, NULL);
}

int sys_aio_read(uaddr_t aiocbp)
{
	return submit_one(aiocbp, PAIO_OP_READ);
}

int sys_aio_write(uaddr_t aiocbp)
{
	return submit_one(aiocbp, PAIO_OP_WRITE);
}

static bool lio_settled(void *arg)
{
	struct paio_lio *lio = arg;
	return lio->refs == 1; /* only the waiting submitter's reference */
}

/*
 * lio_listio: submits the READ and WRITE entries of the list (NULL and
 * LIO_NOP entries are skipped). An entry that cannot be queued gets its
 * error in its aiocb and the call returns -EIO once the others are on
 * their way (LIO_NOWAIT) or done (LIO_WAIT; -EIO too when one of them
 * failed). -EINVAL: bad mode, nent outside [1, AIO_LISTIO_MAX], bad
 * sigevent; -EAGAIN: the entries would pass the per-process limit
 * (nothing queued); -EFAULT: list or sig; -EINTR: LIO_WAIT interrupted
 * (the entries go on).
 */
int sys_lio_listio(int mode, uaddr_t list, int nent, uaddr_t sig)
{
	struct simk_proc *p = sim_proc_current();
	if (mode != LIO_WAIT && mode != LIO_NOWAIT)
		return -EINVAL;
	if (nent <= 0 || nent > AIO_LISTIO_MAX)
		return -EINVAL;
	struct simk_sigevent se;
	bool have_sig = mode == LIO_NOWAIT && sig != 0;
	if (have_sig) {
		if (copyin(sig, &se, sizeof(se)) != 0)
			return -EFAULT;
		if (!paio_sigev_kind_valid(se.sigev_notify))
			return -EINVAL;
	}
	uint64_t *ents = kmem_alloc(&kmt_liolist, (size_t)nent * sizeof(uint64_t));
	if (ents == NULL)
		return -EAGAIN;
	int rc = 0;
	if (copyin(list, ents, (size_t)nent * sizeof(uint64_t)) != 0) {
		rc = -EFAULT;
		goto out_free;
	}
	struct paio_proc *pp = paio_proc_of(p, true);
	if (pp == NULL) {
		rc = -EAGAIN;
		goto out_free;
	}
	/* the limit is checked for the whole list first */
	int want = 0;
	for (int i = 0; i < nent; i++) {
		struct simk_aiocb cb;
		if (ents[i] != 0 && copyin(ents[i], &cb, sizeof(cb)) == 0 &&
		    (cb.aio_lio_opcode == LIO_READ || cb.aio_lio_opcode == LIO_WRITE))
			want++;
	}
	if (pp->outstanding + want > paio_run()->cfg.max_requests) {
		rc = -EAGAIN;
		goto out_free;
	}
	struct paio_lio *lio = paio_lio_alloc();
	if (lio == NULL) {
		rc = -EAGAIN;
		goto out_free;
	}
	lio->mode = mode;
	lio->refs = 1; /* ours, while we submit (and wait) */
	if (have_sig) {
		struct paio_kev *kev = NULL;
		if (se.sigev_notify == SIMK_SIGEV_KEVENT && (kev = paio_kev_alloc()) == NULL)
			rc = -EAGAIN;
		bool kev_used = false;
		if (rc == 0)
			rc = paio_sigev_prepare(p, &se,
						se.sigev_notify == SIMK_SIGEV_PORT ? sig : list,
						PAIO_EV_LIO, &lio->note, kev, &kev_used);
		if (kev != NULL && !kev_used) {
			paio_kev_free(kev);
			kev = NULL;
		}
		if (rc == 0 && kev != NULL) {
			/* the worker that posts it after the entries' notes */
			lio->note = paio_note_alloc();
			if (lio->note == NULL) {
				paio_kev_detach(kev);
				paio_kev_free(kev);
				kev = NULL;
				rc = -EAGAIN;
			} else {
				lio->note->kind = SIMK_SIGEV_KEVENT;
				lio->note->kev = kev;
				lio->note->object = list;
			}
		}
		if (rc != 0) {
			paio_lio_free_unused(lio);
			goto out_free;
		}
		if (kev != NULL) {
			spin_lock(&pp->lock);
			list_push_back(&pp->lio_kevs, &kev->link);
			lio->kev = kev;
			paio_unlock(pp);
		}
	}
	int bad = 0;
	for (int i = 0; i < nent; i++) {
		if (ents[i] == 0)
			continue;
		struct simk_aiocb cb;
		if (copyin(ents[i], &cb, sizeof(cb)) != 0) {
			bad++;
			continue;
		}
		if (cb.aio_lio_opcode == LIO_NOP)
			continue;
		if (cb.aio_lio_opcode != LIO_READ && cb.aio_lio_opcode != LIO_WRITE) {
			paio_store_fail(p, ents[i], EINVAL);
			bad++;
			continue;
		}
		int op = cb.aio_lio_opcode == LIO_READ ? PAIO_OP_READ : PAIO_OP_WRITE;
		if (paio_submit_rw(p, ents[i], &cb, op, lio) != 0)
			bad++;
		/* earlier entries may complete while later ones are queued */
		preempt_point();
	}
	struct paio_kev *kev = lio->kev;
	bool none_queued = lio->queued == 0;
	if (mode == LIO_NOWAIT) {
		spin_lock(&pp->lock);
		paio_lio_put(pp, lio);
		if (none_queued && kev != NULL)
			list_del(&kev->link); /* no entry: nothing will fire it */
		paio_unlock(pp);
		if (none_queued && kev != NULL) {
			paio_kev_detach(kev);
			paio_kev_free(kev);
		}
		rc = bad > 0 ? -EIO : 0;
		goto out_free;
	}
	int wr = waitq_wait(&pp->done_wq, false, true, SIMK_FOREVER, lio_settled, lio);
	spin_lock(&pp->lock);
	int failed = lio->failed;
	paio_lio_put(pp, lio);
	paio_unlock(pp);
	if (wr == -EINTR)
		rc = -EINTR;
	else
		rc = bad > 0 || failed > 0 ? -EIO : 0;
out_free:
	kmem_free(&kmt_liolist, ents);
	return rc;
}
