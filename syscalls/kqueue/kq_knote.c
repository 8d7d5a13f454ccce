/*
 * The knote state machine (docs/kq.md draws it).
 *
 * A knote is in at most one of two places besides its kqueue's lookup
 * lists: its source's klist (while attached) and the kqueue's pending
 * queue (KN_QUEUED). Its status bits say where it is in its life:
 *
 *   ACTIVE      the event condition holds (EV_CLEAR: held since retrieval)
 *   QUEUED      on kq->pending, counted in kq->count
 *   DISABLED    not returned; stays ACTIVE so re-enabling queues it at once
 *   PROCESSING  one owner (a registering/scanning/closing thread, or an
 *               event source for the length of one step) works on it; any
 *               other thread that needs it sleeps (WAITING) and restarts
 *   REPROCESS   something happened while it was owned: the owner re-runs
 *               the filter (or drops the knote if DELETING) when releasing
 *   DELETING    going away: the owner drops it when releasing
 *   DETACHED    its source is gone (EVFILT_PROC after NOTE_EXIT)
 *
 * The one invariant that makes the races tractable: only the owner of
 * PROCESSING changes QUEUED, unlinks or frees a knote; a source that finds
 * the knote owned only records its news in the knote and sets REPROCESS.
 * So every state change is seen exactly once, by the owner, in
 * kq_knote_release().
 *
 * Context: kq_knote_acquire needs thread context (it may sleep); everything
 * else here runs in any context and never sleeps.
 */
#include <errno.h>

#include "kern/kmem.h"
#include "kern/signal.h"
#include "syscalls/kqueue/kq_priv.h"

/* Liveness guard: times one knote is reprocessed in a row; past it the loop is a livelock bug. */
#define KQ_REPROCESS_MAX 1000

static KMEM_TYPE(kt_knote, "kq.knote");

/* Filters by ~filter (EVFILT_READ = -1 is index 0). NULL: not supported. */
static const struct filterops *const sysfilt_ops[EVFILT_SYSCOUNT] = {
    [0] = &kq_file_filtops,  /* EVFILT_READ */
    [1] = &kq_file_filtops,  /* EVFILT_WRITE */
    [2] = &kq_aio_filtops,   /* EVFILT_AIO */
    [3] = &kq_file_filtops,  /* EVFILT_VNODE */
    [4] = &kq_proc_filtops,  /* EVFILT_PROC */
    [5] = &kq_sig_filtops,   /* EVFILT_SIGNAL */
    [6] = &kq_timer_filtops, /* EVFILT_TIMER */
    [8] = &kq_fs_filtops,    /* EVFILT_FS */
    [10] = &kq_user_filtops, /* EVFILT_USER */
    [14] = &kq_file_filtops, /* EVFILT_EXCEPT */
};

const struct filterops *kq_filterops(int16_t filter)
{
	if (filter >= 0 || filter < -EVFILT_SYSCOUNT)
		return NULL;
	return sysfilt_ops[~filter];
}

/* ---- klists -------------------------------------------------------------- */

void kq_klist_init(struct klist *kl)
{
	list_init(&kl->head);
	kl->n = 0;
}

void kq_knote_insert(struct klist *kl, struct knote *kn)
{
	KASSERT(kn->status & KN_PROCESSING, "knote %llu inserted while not owned",
		(unsigned long long)kn->id);
	KASSERT(kn->onlist == NULL, "knote %llu already on a klist", (unsigned long long)kn->id);
	list_push_back(&kl->head, &kn->link);
	kn->onlist = kl;
	kl->n++;
}

void kq_knote_remove(struct knote *kn)
{
	KASSERT(kn->status & KN_PROCESSING, "knote %llu removed while not owned",
		(unsigned long long)kn->id);
	struct klist *kl = kn->onlist;
	KASSERT(kl != NULL, "knote %llu is on no klist", (unsigned long long)kn->id);
	KASSERT(kl->n > 0, "knote %llu is on no klist", (unsigned long long)kn->id);
	list_del(&kn->link);
	kn->onlist = NULL;
	kl->n--;
}

/* ---- allocation ----------------------------------------------------------- */

struct knote *kq_knote_alloc(void)
{
	struct knote *kn = kmem_zalloc(&kt_knote, sizeof(*kn));
	if (kn == NULL)
		return NULL;
	struct kq_state *st = kq_st();
	kn->id = ++st->next_kn_id;
	list_init(&kn->link);
	list_init(&kn->idlink);
	list_init(&kn->kqlink);
	list_init(&kn->tqe);
	st->knotes_live++;
	return kn;
}

void kq_knote_free(struct knote *kn)
{
	struct kq_state *st = kq_st();
	KASSERT(st->knotes_live > 0, "knote count underflow");
	KASSERT(kn->onlist == NULL, "freeing knote %llu still linked (status %#x)",
		(unsigned long long)kn->id, kn->status);
	KASSERT(!(kn->status & KN_QUEUED), "freeing knote %llu still linked (status %#x)",
		(unsigned long long)kn->id, kn->status);
	st->knotes_live--;
	kmem_free(&kt_knote, kn);
}

/* ---- acquire / release ------------------------------------------------------ */

bool kq_knote_acquire(struct knote *kn)
{
	sim_assert_thread_context(__func__);
	KASSERT(!(kn->status & KN_MARKER), "acquiring a marker");
	if (kn->status & KN_PROCESSING) {
		/* Sleep until the owner releases (it wakes us in kq_knote_release or
		 * kq_knote_drop). Afterwards kn may be freed: the caller restarts. */
		kn->status |= KN_WAITING | KN_REPROCESS;
		trace_emit(TR_INFO, "kq:kq_knote_wait", (int64_t)kn->id, kn->kev.filter, 0, 0);
		waitq_sleep(&kq_st()->knwq, false, false, SIMK_FOREVER);
		return false;
	}
	kn->status |= KN_PROCESSING;
	return true;
}

static void kq_knote_wake_waiters(struct knote *kn)
{
	if (kn->status & KN_WAITING) {
		kn->status &= ~KN_WAITING;
		waitq_wake_all(&kq_st()->knwq);
	}
}

bool kq_knote_release(struct knote *kn)
{
	KASSERT(kn->status & KN_PROCESSING, "releasing knote %llu not owned",
		(unsigned long long)kn->id);
	for (int loops = 0; kn->status & KN_REPROCESS; loops++) {
		KASSERT(loops < KQ_REPROCESS_MAX, "knote %llu reprocessed forever", (unsigned long long)kn->id);
		kn->status &= ~KN_REPROCESS;
		kq_knote_wake_waiters(kn);
		if (kn->status & KN_DELETING) {
			kq_knote_detach_and_drop(kn);
			return true;
		}
		/* No switch point from the wake-up above to the loop's test:
		 * the reference holds the kqueue's token here, so a waiter it
		 * woke cannot run yet. Here it could, at a switch point of the
		 * filter's check (a port's poll takes the port's lock), find
		 * kn still PROCESSING and ask for another round — at every
		 * round: a livelock (found by scn_run_fuzz). */
		preempt_disable();
		if (kq_filter_event(kn, 0))
			kq_knote_activate(kn);
		preempt_enable();
	}
	bool gone = (kn->status & KN_DETACHED) != 0;
	kn->status &= ~KN_PROCESSING;
	return gone;
}

bool kq_filter_event(struct knote *kn, long hint)
{
	KASSERT(kn->status & KN_PROCESSING, "filter run on knote %llu not owned",
		(unsigned long long)kn->id);
	return kn->fop->event(kn, hint);
}

/* ---- queueing -------------------------------------------------------------- */

void kq_knote_activate(struct knote *kn)
{
	/* Returned by a kevent() call that is still collecting: the race of
	 * activate-during-scan.scn (it goes behind that call's end marker). */
	if (kn->posted_call != 0 && kn->reactivated_call != kn->posted_call &&
	    kqueue_call_running(kn->kq, kn->posted_call)) {
		kn->reactivated_call = kn->posted_call;
		kq_st()->stats.reactivated_during_scan++;
	}
	/* LAB 05 BEGIN: knote_activate */
	kn->status |= KN_ACTIVE;
	if ((kn->status & (KN_QUEUED | KN_DISABLED)) == 0)
		kq_knote_enqueue(kn);
	/* LAB 05 END: knote_activate */
}

static void kqueue_sigio(struct kqueue *kq)
{
	if (!kq->async || kq->sigio_pid <= 0)
		return;
	struct simk_proc *owner = sim_proc_by_pid(kq->sigio_pid);
	if (owner != NULL)
		(void)sig_kill_proc(owner, SIMK_SIGIO); /* -ESRCH: the owner died */
}

void kq_knote_enqueue(struct knote *kn)
{
	struct kqueue *kq = kn->kq;
	KASSERT(!(kn->status & KN_QUEUED), "knote %llu already queued", (unsigned long long)kn->id);
	KASSERT(!kq->terminating, "queueing on a closing kqueue");
	list_push_back(&kq->pending, &kn->tqe);
	kn->status |= KN_QUEUED;
	kq->count++;
	trace_emit(TR_INFO, "kq:queue", (int64_t)kq->id, (int64_t)kn->id, kn->kev.filter,
		   kq_trace_ident(kq, kn));
	if (kq->count == 1)
		kqueue_sigio(kq);
	kqueue_wakeup(kq);
}

void kq_knote_dequeue(struct knote *kn)
{
	struct kqueue *kq = kn->kq;
	KASSERT(kn->status & KN_QUEUED, "knote %llu not queued", (unsigned long long)kn->id);
	KASSERT(kq->count > 0, "kqueue %llu count underflow", (unsigned long long)kq->id);
	list_del(&kn->tqe);
	kn->status &= ~KN_QUEUED;
	kq->count--;
}

void kqueue_wakeup(struct kqueue *kq)
{
	waitq_wake_all(&kq->wq);
	pollwakeup(&kq->ph, POLLIN | POLLRDNORM);
	kq_knote_list(&kq->kqnotes);
}

/* ---- attach / drop --------------------------------------------------------- */

/*
 * The lookup table by ident starts with KQ_HASH_SIZE buckets inside the
 * kqueue and doubles whenever the knotes outnumber the buckets
 * KQ_HASH_LOAD_MAX times, so a lookup costs O(1) however many knotes a
 * kqueue holds (with a fixed table, 20,000 registrations took minutes).
 * Several knotes can share an identity for a while (one being deleted
 * while its successor is attached): a lookup returns the most recently
 * attached, so a rehash keeps the order of each bucket's chain. When a
 * bigger table cannot be allocated the kqueue keeps the one it has.
 */
static KMEM_TYPE(kt_kqhash, "kqueue.hash");

static unsigned kq_bucket(const struct kqueue *kq, uint64_t ident)
{
	uint64_t h = ident * 0x9e3779b97f4a7c15ULL; /* Fibonacci hashing */
	return (unsigned)(h >> 32) & kq->hash_mask;
}

static void kqueue_hash_grow(struct kqueue *kq)
{
	size_t n = (size_t)kq->hash_mask + 1;
	if (n > UINT32_MAX / 2 || (size_t)kq->nknotes < n * KQ_HASH_LOAD_MAX)
		return;
	struct list_node *nh = kmem_alloc(&kt_kqhash, 2 * n * sizeof(*nh));
	if (nh == NULL)
		return; /* slower lookups, same answers */
	struct list_node *old = kq->hash;
	kq->hash = nh;
	kq->hash_mask = (unsigned)(2 * n - 1);
	for (size_t i = 0; i < 2 * n; i++)
		list_init(&nh[i]);
	/* Every chain holds its knotes in attach order, most recent first,
	 * as kq->knotes does (both are linked at attach, unlinked at drop):
	 * pushing each knote of kq->knotes, oldest first, to the front of its
	 * new chain rebuilds the same orders. Walking the old chains instead
	 * visited the knotes in hash order, a cache miss each once they
	 * outgrow the cache (most of a 20,000-knote kqueue's registration
	 * time); kq->knotes follows allocation order, which the prefetcher
	 * sees through. The old chains are not unlinked node by node: every
	 * node is relinked, and the old heads freed or reset below. */
	for (struct list_node *e = kq->knotes.prev; e != &kq->knotes; e = e->prev) {
		struct knote *kn = list_entry(e, struct knote, kqlink);
		list_push_front(&nh[kq_bucket(kq, kn->kev.ident)], &kn->idlink);
	}
	if (old != kq->hash0)
		kmem_free(&kt_kqhash, old);
	else
		for (size_t i = 0; i < n; i++)
			list_init(&old[i]);
}

void kqueue_hash_free(struct kqueue *kq)
{
	if (kq->hash != kq->hash0)
		kmem_free(&kt_kqhash, kq->hash);
	kq->hash = kq->hash0;
}

void kq_knote_attach(struct knote *kn)
{
	struct kqueue *kq = kn->kq;
	KASSERT(kn->status & KN_PROCESSING, "attaching knote not owned");
	kqueue_hash_grow(kq);
	list_push_front(&kq->hash[kq_bucket(kq, kn->kev.ident)], &kn->idlink);
	list_push_front(&kq->knotes, &kn->kqlink);
	kq->nknotes++;
}

struct knote *kqueue_lookup(struct kqueue *kq, int16_t filter, uint64_t ident)
{
	struct list_node *h = &kq->hash[kq_bucket(kq, ident)];
	struct kq_stats *st = &kq_st()->stats;
	for (struct list_node *n = h->next; n != h; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, idlink);
		st->lookup_steps++;
		if (kn->kev.filter == filter && kn->kev.ident == ident)
			return kn;
	}
	return NULL;
}

/*
 * A descriptor's knotes all hash to the bucket of their ident (the fd),
 * and a bucket keeps attach order, most recent first, as kq->knotes does:
 * the first match in the bucket is the first a walk of every knote would
 * find, at the cost of one bucket instead of the whole kqueue.
 */
struct knote *kqueue_lookup_fd(struct kqueue *kq, int fd, const struct file *fp)
{
	struct list_node *h = &kq->hash[kq_bucket(kq, (uint64_t)fd)];
	for (struct list_node *n = h->next; n != h; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, idlink);
		if ((kn->fop->flags & FILTEROP_ISFD) && kn->kev.ident == (uint64_t)fd &&
		    kn->fp == fp)
			return kn;
	}
	return NULL;
}

void kq_knote_drop(struct knote *kn)
{
	struct kqueue *kq = kn->kq;
	KASSERT((kn->status & (KN_PROCESSING | KN_DELETING)) == (KN_PROCESSING | KN_DELETING),
		"dropping knote %llu in state %#x", (unsigned long long)kn->id, kn->status);
	KASSERT(kn->onlist == NULL, "dropping knote %llu still attached to its source",
		(unsigned long long)kn->id);
	list_del(&kn->idlink);
	list_del(&kn->kqlink);
	KASSERT(kq->nknotes > 0, "kqueue knote count underflow");
	kq->nknotes--;
	if (kn->status & KN_QUEUED)
		kq_knote_dequeue(kn);
	trace_emit(TR_INFO, "kq:drop", (int64_t)kq->id, (int64_t)kn->id, kn->kev.filter,
		   kq_trace_ident(kq, kn));
	/* Anyone who started waiting for it restarts and finds it gone. */
	kq_knote_wake_waiters(kn);
	struct file *fp = kn->fp;
	kn->fp = NULL;
	kq_knote_free(kn);
	if (fp != NULL)
		file_put(fp);
}

void kq_knote_detach_and_drop(struct knote *kn)
{
	KASSERT(kn->status & KN_PROCESSING, "detaching knote not owned");
	kn->status |= KN_DELETING | KN_REPROCESS;
	if (kn->fop->detach != NULL)
		kn->fop->detach(kn);
	kq_knote_drop(kn);
}

/* ---- sources ---------------------------------------------------------------- */

void kq_knote_poke(struct knote *kn)
{
	if (kn->status & KN_PROCESSING) {
		kn->status |= KN_REPROCESS;
		return;
	}
	kn->status |= KN_PROCESSING;
	if (!(kn->status & KN_DELETING) && kq_filter_event(kn, 0))
		kq_knote_activate(kn);
	kq_knote_release(kn);
}

void kq_knote_list(struct klist *kl)
{
	int bound = kl->n + 1;
	struct list_node *n = kl->head.next;
	while (n != &kl->head) {
		KASSERT(bound-- > 0, "klist walk does not end");
		struct list_node *next = n->next;
		kq_knote_poke(list_entry(n, struct knote, link));
		n = next;
	}
}
