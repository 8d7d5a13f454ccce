/*
 * kqueue and kevent: the kqueue object, registration of changes, and the
 * marker scan (DragonFly kern_event.c; docs/kq.md).
 *
 * The tricky invariant, the scan's: every thread in kevent() puts its own
 * end marker at the tail of the pending queue and collects only what lies
 * before it, walking with a second, local marker that it keeps just behind
 * the knote it works on. A level-triggered knote that is still true goes
 * back to the tail, behind the end marker, so one call never returns it
 * twice; other threads' markers are stepped over, never moved; and a knote
 * owned by someone else (KN_PROCESSING) is waited for, never skipped, so a
 * second thread cannot overtake the first and return an event the first
 * would have returned. When a scan found nothing but spurious events the
 * end marker moves to the tail, so events that arrived meanwhile are seen.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "syscalls/kqueue/kq_priv.h"
#include "vfs/vfs.h"

/* kevent() calls collecting on one kqueue at once (their end markers): a
 * longer call list is a loop. */
#define KQ_CALLS_MAX 100000

static KMEM_TYPE(kt_kqueue, "kq.kqueue");

/* ---- the kqueue file ---------------------------------------------------- */

static ssize_t kqueue_read(struct file *fp, struct uio *uio, int ioflags)
{
	(void)fp, (void)uio, (void)ioflags;
	return -ENXIO;
}

static ssize_t kqueue_write(struct file *fp, struct uio *uio, int ioflags)
{
	(void)fp, (void)uio, (void)ioflags;
	return -ENXIO;
}

static unsigned kqueue_poll(struct file *fp, unsigned interest, struct poll_head **php)
{
	struct kqueue *kq = fp->priv;
	if (php != NULL)
		*php = &kq->ph;
	unsigned ready = kq->count > 0 ? (POLLIN | POLLRDNORM) : 0;
	return ready & (interest | POLL_ALWAYS);
}

/* arg: a kernel int (the syscall layer copies). */
static int kqueue_ioctl(struct file *fp, unsigned long cmd, void *arg)
{
	struct kqueue *kq = fp->priv;
	int *val = arg;
	switch (cmd) {
	case SIMK_FIOASYNC:
		kq->async = *val != 0;
		return 0;
	case SIMK_FIOSETOWN: {
		if (*val < 0)
			return -EINVAL; /* no process groups in the simulation */
		if (*val > 0) {
			struct simk_proc *p = sim_proc_by_pid(*val);
			if (p == NULL || p->exited || kq_pinfo(*val)->exited)
				return -ESRCH;
		}
		kq->sigio_pid = *val;
		return 0;
	}
	case SIMK_FIOGETOWN:
		*val = kq->sigio_pid;
		return 0;
	default:
		return -ENOTTY;
	}
}

static int kqueue_fstat(struct file *fp, struct simk_stat *st)
{
	struct kqueue *kq = fp->priv;
	st->st_size = kq->count;
	st->st_blksize = (int64_t)sizeof(struct kevent);
	st->st_mode = SIMK_S_IFIFO;
	st->st_type = FT_KQUEUE;
	return 0;
}

/*
 * The last reference is gone: drop every knote (waiting for any another
 * thread still owns), then free. Thread context; may sleep.
 */
static void kqueue_release(struct file *fp)
{
	sim_assert_may_sleep(__func__);
	struct kqueue *kq = fp->priv;
	struct kq_state *st = kq_st();
	/* First, so a close observer walking the process's kqueues no longer
	 * finds (and resurrects) us while we sleep below. */
	kq->terminating = true;
	list_del(&kq->plink);
	for (int loops = 0; !list_empty(&kq->knotes); loops++) {
		KASSERT(loops < 10 * KQ_SCAN_LOOPS_MAX, "kqueue %llu does not drain",
			(unsigned long long)kq->id);
		struct knote *kn = list_entry(kq->knotes.next, struct knote, kqlink);
		if (kq_knote_acquire(kn))
			kq_knote_detach_and_drop(kn);
	}
	KASSERT(kq->count == 0, "kqueue %llu closed with %d queued", (unsigned long long)kq->id,
		kq->count);
	KASSERT(list_empty(&kq->pending), "kqueue %llu closed with %d queued",
		(unsigned long long)kq->id, kq->count);
	/* Knotes watching us hold a reference on our file: none can be left. */
	KASSERT(kq->kqnotes.n == 0, "kqueue %llu closed while watched", (unsigned long long)kq->id);
	KASSERT(kq->regtd == NULL, "kqueue %llu closed while registering",
		(unsigned long long)kq->id);
	trace_emit(TR_INFO, "kq:close", (int64_t)kq->id, 0, 0, 0);
	poll_head_destroy(&kq->ph);
	waitq_destroy(&kq->wq);
	waitq_destroy(&kq->regwq);
	fp->priv = NULL;
	KASSERT(st->kqueues_live > 0, "kqueue count underflow");
	st->kqueues_live--;
	kqueue_hash_free(kq);
	kmem_free(&kt_kqueue, kq);
}

static const struct file_ops kqueue_fops = {
    .name = "kqueue",
    .read = kqueue_read,
    .write = kqueue_write,
    .poll = kqueue_poll,
    .kqfilter = kqueue_kqfilter,
    .ioctl = kqueue_ioctl,
    .stat = kqueue_fstat,
    .release = kqueue_release,
};

bool kqueue_is_kqueue_file(const struct file *fp)
{
	return fp->type == FT_KQUEUE && fp->ops == &kqueue_fops;
}

struct kqueue *kqueue_from_fd(struct simk_proc *p, int fd, struct file **fpp)
{
	struct file *fp;
	if (fd < 0 || fd_get(p, fd, &fp) != 0)
		return NULL;
	if (!kqueue_is_kqueue_file(fp)) {
		file_put(fp);
		return NULL;
	}
	*fpp = fp;
	return fp->priv;
}

/* ---- EVFILT_READ on a kqueue descriptor -------------------------------- */

static void filt_kqdetach(struct knote *kn)
{
	kq_knote_remove(kn);
}

static bool filt_kqueue(struct knote *kn, long hint)
{
	(void)hint;
	struct kqueue *watched = kn->fp->priv;
	kn->kev.data = watched->count;
	return kn->kev.data > 0;
}

const struct filterops kq_kqread_filtops = {
    .name = "kqread",
    .flags = FILTEROP_ISFD,
    .detach = filt_kqdetach,
    .event = filt_kqueue,
};

int kqueue_kqfilter(struct file *fp, struct knote *kn)
{
	struct kqueue *watched = fp->priv;
	if (kn->kev.filter != EVFILT_READ)
		return -EOPNOTSUPP;
	kn->fop = &kq_kqread_filtops;
	kq_knote_insert(&watched->kqnotes, kn);
	return 0;
}

/* ---- kqueue() -------------------------------------------------------------- */

static struct kqueue *kqueue_create(struct simk_proc *p)
{
	struct kqueue *kq = kmem_zalloc(&kt_kqueue, sizeof(*kq));
	if (kq == NULL)
		return NULL;
	struct kq_state *st = kq_st();
	kq->id = ++st->next_kq_id;
	kq->proc = p;
	list_init(&kq->pending);
	list_init(&kq->calls);
	list_init(&kq->knotes);
	for (int i = 0; i < KQ_HASH_SIZE; i++)
		list_init(&kq->hash0[i]);
	kq->hash = kq->hash0;
	kq->hash_mask = KQ_HASH_SIZE - 1;
	kq_klist_init(&kq->kqnotes);
	poll_head_init(&kq->ph, "kqueue");
	waitq_init(&kq->wq, "kqread");
	waitq_init(&kq->regwq, "kqreg");
	list_init(&kq->plink);
	st->kqueues_live++;
	return kq;
}

static void kqueue_destroy_unused(struct kqueue *kq)
{
	poll_head_destroy(&kq->ph);
	waitq_destroy(&kq->wq);
	waitq_destroy(&kq->regwq);
	kq_st()->kqueues_live--;
	kqueue_hash_free(kq);
	kmem_free(&kt_kqueue, kq);
}

int sys_kqueue(void)
{
	struct simk_proc *p = sim_proc_current();
	struct kqueue *kq = kqueue_create(p);
	if (kq == NULL)
		return -ENOMEM;
	int fd = fd_alloc(p, 0);
	if (fd < 0) {
		kqueue_destroy_unused(kq);
		return fd;
	}
	struct file *fp = file_alloc(FT_KQUEUE, &kqueue_fops, kq, O_RDWR);
	if (fp == NULL) {
		fd_unreserve(p, fd);
		kqueue_destroy_unused(kq);
		return -ENOMEM;
	}
	kq->fp = fp;
	list_push_back(&kq_pinfo(p->pid)->kqueues, &kq->plink);
	fd_install(p, fd, fp, 0);
	trace_emit(TR_INFO, "kq:create", (int64_t)kq->id, p->pid, fd, 0);
	return fd;
}

/* ---- registration ----------------------------------------------------------- */

/* Only one thread registers on a kqueue at a time; the owner may register
 * again from inside (recursion, e.g. a filter that registers). */
void kq_reg_lock(struct kqueue *kq)
{
	sim_assert_may_sleep(__func__);
	struct simk_thread *td = sim_thread_current();
	KASSERT(td != NULL, "kqueue registration outside thread context");
	KASSERT(!sim_in_irq(), "kqueue registration outside thread context");
	for (int loops = 0; kq->regtd != NULL && kq->regtd != td; loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "kqueue registration lock starves");
		waitq_sleep(&kq->regwq, false, false, SIMK_FOREVER);
	}
	if (kq->regtd == td) {
		kq_st()->stats.reg_recursive++;
		trace_emit(TR_INFO, "kq:reg_recurse", (int64_t)kq->id, kq->regdepth + 1, 0, 0);
	}
	kq->regtd = td;
	kq->regdepth++;
}

void kq_reg_unlock(struct kqueue *kq)
{
	KASSERT(kq->regtd == sim_thread_current(), "kqueue registration unlock by a non-owner");
	KASSERT(kq->regdepth > 0, "kqueue registration unlock by a non-owner");
	if (--kq->regdepth == 0) {
		kq->regtd = NULL;
		waitq_wake_all(&kq->regwq);
	}
}

/* The user changes an existing knote: without resetting a filter that
 * already fired. */
static int kq_knote_modify(struct knote *kn, const struct kevent *kev)
{
	KASSERT(kn->status & KN_PROCESSING, "modifying a knote not owned");
	if (kn->fop->touch_register != NULL)
		return kn->fop->touch_register(kn, kev);
	kn->sfflags = kev->fflags;
	kn->sdata = kev->data;
	kn->kev.udata = kev->udata;
	return 0;
}

/*
 * One change. Caller owns the registration lock. Thread context; may sleep
 * (waiting for a knote another thread owns). Returns 0 or -errno.
 */
static int register_one(struct kqueue *kq, struct kevent *kev)
{
	sim_assert_may_sleep(__func__);
	const struct filterops *fops = kq_filterops(kev->filter);
	if (fops == NULL)
		return -EINVAL;
	struct file *fp = NULL;
	if (fops->flags & FILTEROP_ISFD) {
		if (kev->ident > INT_MAX || fd_get(kq->proc, (int)kev->ident, &fp) != 0)
			return -EBADF;
		preempt_point(); /* the descriptor may be closed from here on */
	}

	struct knote *kn;
	for (int loops = 0;; loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "knote lookup does not settle");
		kn = kqueue_lookup(kq, kev->filter, kev->ident);
		if (kn == NULL || kq_knote_acquire(kn))
			break;
	}
	/* kn, when found, is ours (PROCESSING). */
	if (kn != NULL)
		preempt_point(); /* owned: sources and others now wait or defer */
	if (kn == NULL && !(kev->flags & EV_ADD)) {
		if (fp != NULL)
			file_put(fp);
		return -ENOENT;
	}

	if (kev->flags & EV_ADD) {
		if (kn == NULL) {
			kn = kq_knote_alloc();
			if (kn == NULL) {
				if (fp != NULL)
					file_put(fp);
				return -ENOMEM;
			}
			kn->fp = fp; /* the knote keeps the reference */
			fp = NULL;
			kn->kq = kq;
			kn->fop = fops;
			kn->sfflags = kev->fflags;
			kn->sdata = kev->data;
			kn->kev = *kev;
			kn->kev.fflags = 0;
			kn->kev.data = 0;
			kn->status = KN_PROCESSING;
			kq_knote_attach(kn);
			int err = fops->attach(kn);
			if (err != 0) {
				kn->status |= KN_DELETING | KN_REPROCESS;
				kq_knote_drop(kn);
				return err;
			}
			trace_emit(TR_INFO, "kq:attach", (int64_t)kq->id, (int64_t)kn->id,
				   kn->kev.filter, kq_trace_ident(kq, kn));
			preempt_point(); /* an attach can block: the close race window */
			/* A close that ran before we were attached did not see us;
			 * one that ran since waits for us (REPROCESS). Either way the
			 * knote must not outlive its descriptor. */
			if ((fops->flags & FILTEROP_ISFD) &&
			    !fd_is(kq->proc, (int)kn->kev.ident, kn->fp)) {
				trace_emit(TR_INFO, "kq:attach_closed", (int64_t)kq->id,
					   (int64_t)kn->id, kq_trace_ident(kq, kn), 0);
				kq_st()->stats.attach_closed_drops++;
				kn->status |= KN_DELETING | KN_REPROCESS;
			}
		} else {
			int err = kq_knote_modify(kn, kev);
			if (err != 0) {
				kq_knote_release(kn);
				if (fp != NULL)
					file_put(fp);
				return err;
			}
		}
		/* With reprocessing pending, kq_knote_release runs the filter (or
		 * drops a knote that is being deleted). */
		if (!(kn->status & KN_REPROCESS) && kq_filter_event(kn, 0))
			kq_knote_activate(kn);
	} else if (kev->flags & EV_DELETE) {
		kq_knote_detach_and_drop(kn);
		if (fp != NULL)
			file_put(fp);
		return 0;
	} else {
		int err = kq_knote_modify(kn, kev);
		if (err != 0) {
			kq_knote_release(kn);
			if (fp != NULL)
				file_put(fp);
			return err;
		}
		if (!(kn->status & KN_REPROCESS) && kq_filter_event(kn, 0))
			kq_knote_activate(kn);
	}

	/* Disabling does not deactivate. */
	if (kev->flags & EV_DISABLE)
		kn->status |= KN_DISABLED;
	/* Re-enabling an active knote queues it at once. */
	if ((kev->flags & EV_ENABLE) && (kn->status & KN_DISABLED)) {
		kn->status &= ~KN_DISABLED;
		if ((kn->status & (KN_ACTIVE | KN_QUEUED)) == KN_ACTIVE)
			kq_knote_enqueue(kn);
	}
	kq_knote_release(kn);
	if (fp != NULL)
		file_put(fp);
	return 0;
}

int kqueue_register(struct kqueue *kq, struct kevent *kev)
{
	sim_assert_may_sleep(__func__);
	kq_reg_lock(kq);
	int r = register_one(kq, kev);
	kq_reg_unlock(kq);
	return r;
}

/*
 * Registers changes in order until one fails or asks for a receipt (the
 * caller posts that one) or all are done. Returns the number processed
 * (the last one included) and its result in *err.
 */
static int register_batch(struct kqueue *kq, struct kevent *kevs, int n, int *err)
{
	int done = 0;
	*err = 0;
	kq_reg_lock(kq);
	while (done < n) {
		struct kevent *kev = &kevs[done++];
		*err = register_one(kq, kev);
		if (*err != 0 || (kev->flags & EV_RECEIPT))
			break;
	}
	kq_reg_unlock(kq);
	return done;
}

/* ---- the scan --------------------------------------------------------------- */

/* Scan markers live on the scanning thread's stack and are always unlinked
 * before the function that linked them returns; gcc cannot see that. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif

static void marker_init(struct knote *m)
{
	memset(m, 0, sizeof(*m));
	m->status = KN_MARKER | KN_PROCESSING;
	list_init(&m->tqe);
	list_init(&m->kqlink);
}

bool kqueue_call_running(struct kqueue *kq, uint64_t call)
{
	int bound = 0;
	for (struct list_node *n = kq->calls.next; n != &kq->calls; n = n->next) {
		KASSERT(++bound < KQ_CALLS_MAX, "kqueue %llu call list loops",
			(unsigned long long)kq->id);
		if (list_entry(n, struct knote, kqlink)->id == call)
			return true;
	}
	return false;
}

/* LAB 05 BEGIN: kqueue_scan */
/*
 * Collects up to count events that lie before `marker` into out. Thread
 * context; may sleep (waiting for knotes other threads own).
 */
static int kqueue_scan(struct kqueue *kq, struct kevent *out, int count, struct knote *marker)
{
	sim_assert_may_sleep(__func__);
	struct knote local;
	int total = 0;
	marker_init(&local);
	list_push_front(&kq->pending, &local.tqe);
	for (int loops = 0; count > 0; loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "kqueue %llu scan does not end",
			(unsigned long long)kq->id);
		struct list_node *next = local.tqe.next;
		KASSERT(next != &kq->pending, "scan of kqueue %llu lost its end marker",
			(unsigned long long)kq->id);
		struct knote *kn = list_entry(next, struct knote, tqe);
		if (kn->status & KN_MARKER) {
			if (kn == marker)
				break; /* everything before our end marker is seen */
			/* Another thread's marker: step over it, never move it. */
			list_del(&local.tqe);
			list_insert_before(next->next, &local.tqe);
			continue;
		}
		/* Never skip a knote someone else processes: wait, then look
		 * again from our local marker. */
		if (!kq_knote_acquire(kn))
			continue;
		/* Off the queue for processing; KN_QUEUED stays set so nobody
		 * queues it meanwhile (they only ask for reprocessing). */
		list_del(&kn->tqe);
		kq->count--;
		preempt_point(); /* a real kernel may block or be interrupted here */

		if ((kn->fop->flags & FILTEROP_ISFD) &&
		    !fd_is(kq->proc, (int)kn->kev.ident, kn->fp)) {
			/* Its descriptor is closing: the close will not find it
			 * in time; drop it without reporting (docs/kq.md). */
			kn->status |= KN_DELETING | KN_REPROCESS;
			kn->status &= ~(KN_QUEUED | KN_ACTIVE);
		} else if (kn->status & KN_DISABLED) {
			/* Off the queue but still active: re-enabling queues it. */
			kn->status &= ~KN_QUEUED;
		} else if (!(kn->kev.flags & EV_ONESHOT) && !(kn->status & KN_DELETING) &&
			   !kq_filter_event(kn, 0)) {
			/* The condition went away: drop the event silently. */
			kn->status &= ~(KN_QUEUED | KN_ACTIVE);
		} else {
			if (kn->fop->touch_process != NULL)
				kn->fop->touch_process(kn, &out[total]);
			else
				out[total] = kn->kev;
			trace_emit(TR_INFO, "kq:post", (int64_t)kq->id, (int64_t)kn->id,
				   kn->kev.filter, kn->kev.data);
			struct kq_state *st = kq_st();
			st->events_posted++;
			/* Re-activated behind our end marker: never twice in one call. */
			KASSERT(kn->posted_call != marker->id,
				"kqueue %llu: knote %llu returned twice by one kevent call",
				(unsigned long long)kq->id, (unsigned long long)kn->id);
			if (kn->reactivated_call != 0) {
				st->stats.reactivated_returned_later++;
				kn->reactivated_call = 0;
			}
			kn->posted_call = marker->id;
			total++;
			count--;
			if (kn->kev.flags & EV_ONESHOT) {
				kn->status &= ~KN_QUEUED;
				kn->status |= KN_DELETING | KN_REPROCESS;
			} else if (kn->kev.flags & (EV_CLEAR | EV_DISPATCH)) {
				if (kn->kev.flags & EV_CLEAR) {
					kn->kev.data = 0;
					kn->kev.fflags = 0;
				}
				if (kn->kev.flags & EV_DISPATCH)
					kn->status |= KN_DISABLED;
				kn->status &= ~(KN_QUEUED | KN_ACTIVE);
			} else {
				/* Level-triggered: back to the tail, behind our
				 * end marker, to be checked again next time. */
				list_push_back(&kq->pending, &kn->tqe);
				kq->count++;
			}
		}
		kq_knote_release(kn);
	}
	list_del(&local.tqe);
	return total;
}
/* LAB 05 END: kqueue_scan */

/* ---- kevent() ----------------------------------------------------------------- */

static bool kq_has_events(void *arg)
{
	const struct kqueue *kq = arg;
	return kq->count > 0;
}

static void marker_to_tail(struct kqueue *kq, struct knote *marker)
{
	list_del(&marker->tqe);
	list_push_back(&kq->pending, &marker->tqe);
}

/* Posts one EV_ERROR (or receipt) event. 0 or -EFAULT. */
static int post_error(uaddr_t eventlist, int slot, const struct kevent *change, int err)
{
	struct kevent ev = *change;
	ev.flags = EV_ERROR;
	ev.data = -err;
	return copyout(&ev, eventlist + (uaddr_t)slot * sizeof(ev), sizeof(ev)) != 0 ? -EFAULT : 0;
}

/*
 * Waits for and collects events. timeout_ns: SIMK_FOREVER, 0 to poll, or
 * a relative time. Returns the number of events or -EINTR / -EFAULT.
 */
static int kevent_collect(struct kqueue *kq, uaddr_t eventlist, int nevents, uint64_t timeout_ns)
{
	struct kevent kev[KQ_NEVENTS];
	struct knote marker;
	uint64_t start = sim_now();
	uint64_t deadline = timeout_ns == SIMK_FOREVER || timeout_ns > SIMK_FOREVER - start
				? SIMK_FOREVER
				: start + timeout_ns;
	int total = 0, error = 0;

	marker_init(&marker);
	marker.id = ++kq_st()->next_call_id;
	list_push_back(&kq->pending, &marker.tqe);
	list_push_back(&kq->calls, &marker.kqlink);
	for (int loops = 0; nevents - total > 0; loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "kqueue: checkloop failed");
		int n = nevents - total;
		if (n > KQ_NEVENTS)
			n = KQ_NEVENTS;
		if (kq->count == 0 && total == 0) {
			if (timeout_ns == 0)
				break;
			uint64_t now = sim_now();
			if (deadline != SIMK_FOREVER && now >= deadline)
				break;
			uint64_t left = deadline == SIMK_FOREVER ? SIMK_FOREVER : deadline - now;
			int r = waitq_wait(&kq->wq, false, true, left, kq_has_events, kq);
			if (r == -ETIMEDOUT)
				break;
			if (r != 0) {
				error = r; /* -EINTR: never restarted */
				break;
			}
			/* Everything queued while we slept is ours to scan. */
			marker_to_tail(kq, &marker);
		}
		int i = kqueue_scan(kq, kev, n, &marker);
		if (i > 0) {
			uaddr_t dst = eventlist + (uaddr_t)total * sizeof(struct kevent);
			if (copyout(kev, dst, (size_t)i * sizeof(struct kevent)) != 0) {
				error = -EFAULT;
				break;
			}
			total += i;
		}
		if (i < n && total > 0)
			break;
		/* Only spurious events: move the marker so events that raced
		 * us are seen (not when events were taken: duplicates). */
		if (i == 0)
			marker_to_tail(kq, &marker);
	}
	list_del(&marker.tqe);
	list_del(&marker.kqlink);
	return error != 0 ? error : total;
}

/* Converts a user timeout; SIMK_FOREVER for none. 0 or -EFAULT/-EINVAL. */
static int timeout_from_user(uaddr_t uts, uint64_t *ns)
{
	if (uts == 0) {
		*ns = SIMK_FOREVER;
		return 0;
	}
	struct kq_timespec ts;
	if (copyin(uts, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	/* Beyond ~500 years is forever. */
	if ((uint64_t)ts.tv_sec >= (SIMK_FOREVER - 1000000000ull) / 1000000000ull)
		*ns = SIMK_FOREVER;
	else
		*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

static int kern_kevent(struct kqueue *kq, uaddr_t changelist, int nchanges, uaddr_t eventlist,
		       int nevents, uint64_t timeout_ns)
{
	struct kevent kev[KQ_NEVENTS];
	int nerrors = 0;
	int room = nevents;

	for (int applied = 0; applied < nchanges;) {
		int n = nchanges - applied;
		if (n > KQ_NEVENTS)
			n = KQ_NEVENTS;
		uaddr_t src = changelist + (uaddr_t)applied * sizeof(struct kevent);
		if (copyin(src, kev, (size_t)n * sizeof(struct kevent)) != 0)
			return -EFAULT;
		applied += n;
		for (int i = 0; i < n; i++)
			kev[i].flags &= (uint16_t)~EV_SYSFLAGS;
		for (int i = 0; i < n;) {
			int err;
			i += register_batch(kq, &kev[i], n - i, &err);
			const struct kevent orig = kev[i - 1];
			if (err == 0 && !(orig.flags & EV_RECEIPT))
				continue;
			if (room == 0) {
				/* No room to report it: the call fails with it. */
				if (err != 0)
					return err;
				continue;
			}
			if (post_error(eventlist, nerrors, &orig, err) != 0)
				return -EFAULT;
			room--;
			nerrors++;
		}
	}
	/* Errors were posted: return them at once, without waiting. */
	if (nerrors > 0)
		return nerrors;
	return kevent_collect(kq, eventlist, nevents, timeout_ns);
}

int sys_kevent(int kqfd, uaddr_t changelist, int nchanges, uaddr_t eventlist, int nevents,
	       uaddr_t timeout)
{
	struct simk_proc *p = sim_proc_current();
	uint64_t timeout_ns;
	int r = timeout_from_user(timeout, &timeout_ns);
	if (r != 0)
		return r;
	struct file *fp;
	if (fd_get(p, kqfd, &fp) != 0)
		return -EBADF;
	if (!kqueue_is_kqueue_file(fp)) {
		file_put(fp);
		return -EBADF;
	}
	if (nevents < 0 || nchanges < 0) {
		file_put(fp);
		return -EINVAL;
	}
	struct kqueue *kq = fp->priv;
	r = kern_kevent(kq, changelist, nchanges, eventlist, nevents, timeout_ns);
	kqueue_check(kq);
	file_put(fp);
	return r;
}
