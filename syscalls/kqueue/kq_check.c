/*
 * kqueue: the consistency checks (SQLite-style). kqueue_check() is one
 * kqueue's, run after every kevent() call; kq_check() runs it on every
 * kqueue of every process and checks the run's counts — the subsystem's
 * check callback, run at every system-call exit in the sanitizer build.
 *
 * What may be in flight when they run: other threads may own knotes
 * (KN_PROCESSING, held across sleeps) and sit in a scan (their markers on
 * the pending queue); a kqueue being released is already off its
 * process's list while it drops its knotes, and a new one is counted
 * before it is installed. The invariants below hold through all of that.
 */
#include "syscalls/kqueue/kq_priv.h"

/* Markers one pending queue may hold besides its knotes: a scan marker
 * and an end marker per kevent() call collecting on it. */
#define KQ_CHECK_MARKERS_MAX 1024

/*
 * One kqueue: count is the number of knotes (not markers) on the pending
 * queue; every queued knote is QUEUED and belongs here, and unless someone
 * owns it, is not being deleted (a disabled one may stay queued: the scan
 * drops it, as DragonFly's does); every knote of the
 * kqueue is findable by its identity unless someone owns it. Bounded by
 * the number of knotes.
 */
void kqueue_check(struct kqueue *kq)
{
	unsigned long long id = (unsigned long long)kq->id;
	KASSERT(kq->count >= 0 && kq->count <= kq->nknotes, "kqueue %llu: count %d of %d knotes", id,
		kq->count, kq->nknotes);
	KASSERT(list_empty(&kq->pending) ? kq->count == 0 : true,
		"kqueue %llu: count %d with nothing pending", id, kq->count);
#ifndef SIMK_DEBUG_CHECKS
	/* The walks cost O(knotes) and run after every kevent(): after each of
	 * n registrations they made them O(n^2) (20,000 took minutes). Larger
	 * kqueues get the O(1) checks above outside the sanitizer build. */
	if (kq->nknotes > KQ_CHECK_FULL_MAX)
		return;
#endif
	uint64_t *steps = &kq_st()->stats.check_steps;
	int queued = 0, bound = 0;
	for (struct list_node *n = kq->pending.next; n != &kq->pending; n = n->next) {
		KASSERT(++bound <= kq->nknotes + KQ_CHECK_MARKERS_MAX,
			"kqueue %llu pending queue loops", id);
		(*steps)++;
		struct knote *kn = list_entry(n, struct knote, tqe);
		if (kn->status & KN_MARKER)
			continue;
		KASSERT(kn->kq == kq, "kqueue %llu: knote %llu on the queue in state %#x", id,
			(unsigned long long)kn->id, kn->status);
		KASSERT((kn->status & KN_QUEUED),
			"kqueue %llu: knote %llu on the queue in state %#x", id,
			(unsigned long long)kn->id, kn->status);
		if (!(kn->status & KN_PROCESSING))
			KASSERT(!(kn->status & KN_DELETING),
				"kqueue %llu: deleted knote %llu on the queue", id,
				(unsigned long long)kn->id);
		queued++;
	}
	KASSERT(queued == kq->count, "kqueue %llu: count %d but %d queued", id, kq->count, queued);
	int known = 0;
	for (struct list_node *n = kq->knotes.next; n != &kq->knotes; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, kqlink);
		(*steps)++;
		KASSERT(++known <= kq->nknotes, "kqueue %llu knote list longer than %d", id,
			kq->nknotes);
		if (!(kn->status & KN_PROCESSING))
			KASSERT(kqueue_lookup(kq, kn->kev.filter, kn->kev.ident) == kn,
				"kqueue %llu: knote %llu not findable", id,
				(unsigned long long)kn->id);
	}
	KASSERT(known == kq->nknotes, "kqueue %llu: %d knotes listed, %d counted", id, known,
		kq->nknotes);
}

void kq_check(struct simk *s)
{
	(void)s;
	struct kq_state *st = kq_st();
	int kqueues = 0, knotes = 0;
	for (int i = 0; i < st->pinfo_cap; i++) {
		struct kq_pinfo *pi = st->pinfo[i];
		if (pi == NULL || !pi->init)
			continue;
		for (struct list_node *n = pi->kqueues.next; n != &pi->kqueues; n = n->next) {
			KASSERT(++kqueues <= st->kqueues_live,
				"kq_check: more kqueues listed than kqueues_live %d",
				st->kqueues_live);
			struct kqueue *kq = list_entry(n, struct kqueue, plink);
			kqueue_check(kq);
			knotes += kq->nknotes;
		}
	}
	KASSERT(knotes <= st->knotes_live, "kq_check: %d knotes in kqueues, knotes_live %d", knotes,
		st->knotes_live);
}
