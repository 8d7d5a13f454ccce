/*
 * POSIX AIO: looking at results and waiting for them — aio_error,
 * aio_return, aio_suspend, aio_waitn (Solaris), aiowait (Solaris
 * interface).
 *
 * Every waiter sleeps on the process's done_wq, which every retiring
 * request wakes; each re-checks its own condition (Mesa style). Waits are
 * interruptible (-EINTR) and their timeouts are virtual time.
 *
 * aio_error / aio_return work on the kernel's copy of the result, found
 * through the hash; the copy in the aiocb is the same values, stored in
 * the order POSIX promises (return value before error status). An aiocb
 * that names no request gives -EINVAL, except one whose submission failed
 * (aio_state AIOCB_FAILED): then its stored error is its status, once
 * more through aio_return (FreeBSD does the same for lio_listio entries).
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>

#include "kern/kmem.h"
#include "syscalls/posix_aio/paio_priv.h"

/* aio_suspend list entries kept on the stack; longer lists are allocated. */
#define PAIO_WAIT_KEYS_INLINE 32

static KMEM_TYPE(kmt_waitlist, "paio.wait_list");

/* Thread context. 0 (or SIMK_FOREVER in *ns for no timeout when ts is 0),
 * -EFAULT, -EINVAL (negative, or tv_nsec out of [0, 1e9)). */
int paio_copyin_timespec(uaddr_t ts, uint64_t *ns)
{
	sim_assert_thread_context(__func__);
	*ns = SIMK_FOREVER;
	if (ts == 0)
		return 0;
	struct simk_timespec t;
	if (copyin(ts, &t, sizeof(t)) != 0)
		return -EFAULT;
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= SIMK_NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)t.tv_sec >= (SIMK_FOREVER - (uint64_t)t.tv_nsec) / SIMK_NSEC_PER_SEC)
		return 0; /* too far to matter: forever */
	*ns = (uint64_t)t.tv_sec * SIMK_NSEC_PER_SEC + (uint64_t)t.tv_nsec;
	return 0;
}

int sys_aio_error(uaddr_t aiocbp)
{
	struct simk_proc *p = sim_proc_current();
	struct simk_aiocb cb;
	int rc = paio_copyin_aiocb(aiocbp, &cb);
	if (rc != 0)
		return rc;
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp != NULL) {
		spin_lock(&pp->lock);
		struct paio_req *r = paio_hash_find(pp, aiocbp);
		int res = -EINVAL;
		if (r != NULL && r->api == PAIO_API_POSIX)
			res = paio_ended(r) ? r->err : EINPROGRESS;
		paio_unlock(pp);
		if (r != NULL)
			return res;
	}
	if (cb.aio_state == AIOCB_FAILED && cb.aio_resultp.aio_errno > 0)
		return cb.aio_resultp.aio_errno;
	return -EINVAL;
}

/*
 * The result, once: the byte count, or the request's error as a negative
 * errno. -EINPROGRESS while it runs; -EINVAL afterwards (and for an aiocb
 * that names no request). The aiocb then holds (-1, EINVAL) and
 * AIOCB_RETURNED, as the reference marks a returned result; a block that
 * cannot take those stores is -EFAULT and the result stays to be taken.
 */
ssize_t sys_aio_return(uaddr_t aiocbp)
{
	struct simk_proc *p = sim_proc_current();
	struct simk_aiocb cb;
	int rc = paio_copyin_aiocb(aiocbp, &cb);
	if (rc != 0)
		return rc;
	if (!paio_aiocb_writable(p, aiocbp))
		return -EFAULT;
	uaddr_t resultp = aiocbp + offsetof(struct simk_aiocb, aio_resultp);
	int32_t returned = AIOCB_RETURNED;
	uaddr_t statep = aiocbp + offsetof(struct simk_aiocb, aio_state);
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp != NULL) {
		spin_lock(&pp->lock);
		struct paio_req *r = paio_hash_find(pp, aiocbp);
		if (r != NULL && r->api == PAIO_API_POSIX) {
			if (!paio_ended(r)) {
				paio_unlock(pp);
				return -EINPROGRESS;
			}
			ssize_t res = r->err != 0 ? -(ssize_t)r->err : (ssize_t)r->ret;
			paio_reap(r);
			(void)copyout_proc(p, &returned, statep, sizeof(returned));
			paio_store_result(p, resultp, -1, EINVAL);
			trace_emit(TR_INFO, "paio:return", p->pid, paio_taddr(p, aiocbp), res, 0);
			paio_unlock(pp);
			return res;
		}
		paio_unlock(pp);
	}
	if (cb.aio_state == AIOCB_FAILED && cb.aio_resultp.aio_errno > 0) {
		(void)copyout_proc(p, &returned, statep, sizeof(returned));
		paio_store_result(p, resultp, -1, EINVAL);
		return -(ssize_t)cb.aio_resultp.aio_errno;
	}
	return -EINVAL;
}

struct suspend_ctx {
	struct paio_proc *pp;
	const uint64_t *keys;
	int n;
};

/* True when a listed aiocb has no request in flight. */
static bool any_done(void *arg)
{
	struct suspend_ctx *c = arg;
	for (int i = 0; i < c->n; i++) {
		if (c->keys[i] == 0)
			continue;
		struct paio_req *r = paio_hash_find(c->pp, c->keys[i]);
		if (r == NULL || r->api != PAIO_API_POSIX || paio_ended(r))
			return true;
	}
	return false;
}

/*
 * aio_suspend: 0 as soon as one listed aiocb has no request in flight
 * (ended, or never submitted: the reference looks at aio_errno !=
 * EINPROGRESS the same way); 0 entries are ignored (a list of only 0
 * entries waits for the timeout or a signal). -EAGAIN when the timeout
 * passes (a {0, 0} timeout polls), -EINTR on a signal, -EINVAL for nent
 * outside [1, AIO_LISTIO_MAX] or a bad timeout, -EFAULT, -ENOMEM (a list of
 * more than 32 entries is copied into kernel memory).
 */
int sys_aio_suspend(uaddr_t list, int nent, uaddr_t timeout)
{
	struct simk_proc *p = sim_proc_current();
	if (nent <= 0 || nent > AIO_LISTIO_MAX)
		return -EINVAL;
	uint64_t ns;
	int rc = paio_copyin_timespec(timeout, &ns);
	if (rc != 0)
		return rc;
	uint64_t small[PAIO_WAIT_KEYS_INLINE];
	uint64_t *keys = small;
	if (nent > PAIO_WAIT_KEYS_INLINE &&
	    (keys = kmem_alloc(&kmt_waitlist, (size_t)nent * sizeof(uint64_t))) == NULL)
		return -ENOMEM;
	struct paio_proc *pp = NULL;
	if (copyin(list, keys, (size_t)nent * sizeof(uint64_t)) != 0)
		rc = -EFAULT;
	else if ((pp = paio_proc_of(p, true)) == NULL)
		rc = -ENOMEM;
	if (rc == 0) {
		struct suspend_ctx c = {pp, keys, nent};
		rc = waitq_wait(&pp->done_wq, false, true, ns, any_done, &c);
		if (rc == -ETIMEDOUT)
			rc = -EAGAIN;
	}
	if (keys != small)
		kmem_free(&kmt_waitlist, keys);
	return rc;
}

struct waitn_ctx {
	struct paio_proc *pp;
	uint32_t want;
};

static bool waitn_ready(void *arg)
{
	struct waitn_ctx *c = arg;
	return (uint32_t)c->pp->doneq_n >= c->want || c->pp->active_posix == 0;
}

/*
 * aio_waitn (Solaris): waits until *nwait requests completed (or nothing
 * is in flight any more), then stores up to nent completed aiocb
 * addresses in list and their number in *nwait. Returns 0; -ETIME when the
 * timeout passed first and -EINTR on a signal (both still store what
 * completed); -EAGAIN when the process has no request in flight and none
 * completed; -EINVAL for nent 0 or above AIO_LISTIO_MAX, *nwait > nent, a
 * bad timeout; -EFAULT; -ENOMEM. *nwait 0 polls. Only requests with SIGEV_NONE are
 * collected here (Solaris libc aio.c puts no other on its done queue); each once.
 * They stay in the hash until aio_return.
 */
int sys_aio_waitn(uaddr_t list, uint32_t nent, uaddr_t nwait, uaddr_t timeout)
{
	struct simk_proc *p = sim_proc_current();
	if (nent == 0 || nent > AIO_LISTIO_MAX || nwait == 0)
		return -EINVAL;
	uint32_t want;
	if (copyin(nwait, &want, sizeof(want)) != 0)
		return -EFAULT;
	if (want > nent)
		return -EINVAL;
	uint64_t ns;
	int rc = paio_copyin_timespec(timeout, &ns);
	if (rc != 0)
		return rc;
	/* both results must be writable before anything is taken */
	if (umem_map_write(p, list, (size_t)nent * sizeof(uint64_t)) == NULL ||
	    umem_map_write(p, nwait, sizeof(uint32_t)) == NULL)
		return -EFAULT;
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp == NULL || (pp->active_posix == 0 && pp->doneq_n == 0))
		return -EAGAIN;
	uint64_t *out = kmem_alloc(&kmt_waitlist, (size_t)nent * sizeof(uint64_t));
	if (out == NULL)
		return -ENOMEM;
	struct waitn_ctx c = {pp, want};
	if (want == 0)
		ns = 0;
	rc = waitq_wait(&pp->done_wq, false, true, ns, waitn_ready, &c);
	spin_lock(&pp->lock);
	uint32_t got = 0;
	while (got < nent && !list_empty(&pp->doneq)) {
		struct paio_req *r = list_entry(pp->doneq.next, struct paio_req, link);
		list_del(&r->link);
		r->where = PW_NONE;
		pp->doneq_n--;
		out[got++] = r->key;
	}
	paio_unlock(pp);
	if (copyout(out, list, got * sizeof(uint64_t)) != 0 ||
	    copyout(&got, nwait, sizeof(got)) != 0) {
		/* the list or the count went away while we slept: give the
		 * entries back, in their order */
		spin_lock(&pp->lock);
		for (uint32_t i = got; i > 0; i--) {
			struct paio_req *r = paio_hash_find(pp, out[i - 1]);
			if (r != NULL && r->where == PW_NONE && paio_ended(r) && r->retired) {
				list_push_front(&pp->doneq, &r->link);
				r->where = PW_DONEQ;
				pp->doneq_n++;
			}
		}
		paio_unlock(pp);
		kmem_free(&kmt_waitlist, out);
		return -EFAULT;
	}
	kmem_free(&kmt_waitlist, out);
	if (rc == -ETIMEDOUT)
		return want == 0 ? 0 : -ETIME;
	return rc;
}

static bool aiowait_ready(void *arg)
{
	struct paio_proc *pp = arg;
	return !list_empty(&pp->soldoneq) || pp->outstanding_sol == 0;
}

/*
 * aiowait (Solaris interface): the user address of the aio_result_t of a
 * completed aioread/aiowrite, which is then forgotten; 0 when the time
 * limit passed (a zero timeval polls); -EINVAL when no request of this
 * interface is in flight or waiting to be taken, or for a bad timeval;
 * -EINTR; -EFAULT.
 *
 * The result is stored into its aio_result_t again before the address is
 * handed out (Solaris's kernel aiowait copies results out at that point),
 * so a block that could not take it at completion gets it now. A block
 * that still cannot is -EFAULT, and the request stays for the next
 * aiowait: a result is never handed out unstored.
 */
int64_t sys_aiowait(uaddr_t timeout)
{
	struct simk_proc *p = sim_proc_current();
	uint64_t ns = SIMK_FOREVER;
	if (timeout != 0) {
		struct simk_timeval tv;
		if (copyin(timeout, &tv, sizeof(tv)) != 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		if ((uint64_t)tv.tv_sec < SIMK_FOREVER / SIMK_NSEC_PER_SEC / 2)
			ns = (uint64_t)tv.tv_sec * SIMK_NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000;
	}
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp == NULL || (pp->outstanding_sol == 0 && pp->sol_unreaped == 0))
		return -EINVAL;
	int rc = waitq_wait(&pp->done_wq, false, true, ns, aiowait_ready, pp);
	spin_lock(&pp->lock);
	int64_t res;
	if (!list_empty(&pp->soldoneq)) {
		struct paio_req *r = list_entry(pp->soldoneq.next, struct paio_req, link);
		if (umem_map_write(p, r->resultp, sizeof(struct simk_aio_result)) == NULL) {
			res = -EFAULT;
		} else {
			paio_store_result(p, r->resultp, r->ret, r->err);
			res = (int64_t)r->key;
			paio_reap(r);
		}
	} else if (rc == -EINTR) {
		res = -EINTR;
	} else if (pp->outstanding_sol == 0) {
		res = -EINVAL;
	} else {
		res = 0; /* time limit */
	}
	paio_unlock(pp);
	return res;
}
