/*
 * kqueue: the identity hash past its resizes. Knotes registered before and
 * after each doubling stay findable and deletable, each chain keeps attach
 * order (the rehash rebuilds it from the kqueue's list), and closing a
 * descriptor (which now looks in the descriptor's bucket instead of
 * walking every knote) drops exactly the knotes a walk of every knote
 * would, in the same order: most recently attached first.
 */
#include "kq_test.h"

#include "syscalls/kqueue/kq_priv.h"

#define USERS 600 /* past the 64 → 128 → 256 → 512 bucket doublings */

static struct kqueue *kq_of(int fd)
{
	struct file *fp;
	struct kqueue *k = kqueue_from_fd(sim_proc_current(), fd, &fp);
	VCHECK(k != NULL);
	file_put(fp);
	return k;
}

/* What closing fd dropped next before the bucket lookup: the first match
 * in a walk of every knote. */
static struct knote *first_on_fd_by_walk(struct kqueue *kq, int fd, const struct file *fp)
{
	for (struct list_node *n = kq->knotes.next; n != &kq->knotes; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, kqlink);
		if ((kn->fop->flags & FILTEROP_ISFD) && kn->kev.ident == (uint64_t)fd &&
		    kn->fp == fp)
			return kn;
	}
	return NULL;
}

/* Every chain in attach order, most recent first (what a lookup among
 * knotes sharing an identity and a close's drop order rely on), and every
 * knote of the kqueue in the chain of its ident. One thread attaches here,
 * so attach order is id order. */
static void chains_in_attach_order(struct kqueue *kq)
{
	int chained = 0;
	for (unsigned b = 0; b <= kq->hash_mask; b++) {
		uint64_t prev_id = UINT64_MAX;
		for (struct list_node *n = kq->hash[b].next; n != &kq->hash[b]; n = n->next) {
			struct knote *kn = list_entry(n, struct knote, idlink);
			VCHECK(kn->id < prev_id);
			prev_id = kn->id;
			chained++;
		}
	}
	VEQ(chained, kq->nknotes);
	for (struct list_node *n = kq->knotes.next; n != &kq->knotes; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, kqlink);
		VEQ(kqueue_lookup(kq, kn->kev.filter, kn->kev.ident), kn);
	}
}

static struct file *file_of(int fd)
{
	struct file *fp = NULL;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	file_put(fp); /* the descriptor keeps it */
	return fp;
}

static void t_resize(void *arg)
{
	(void)arg;
	int kq = sys_kqueue();
	VCHECK(kq >= 0);
	int u[2];
	uaddr_t ua = vt_ubuf(sizeof(u));
	VEQ(simk_pipe(ua), 0);
	vt_uget(ua, u, sizeof(u));
	struct kqueue *k = kq_of(kq);
	struct file *rfp = file_of(u[0]);
	/* fd knotes on u[0] before and after the doublings, a user knote
	 * sharing u[0]'s ident (same bucket, not a descriptor's), one on u[1] */
	VEQ(kq_change(kq, (uint64_t)u[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)u[1], EVFILT_WRITE, EV_ADD, 0, 0, 0), 0);
	unsigned buckets0 = k->hash_mask + 1;
	for (int i = 0; i < USERS; i++) {
		VEQ(kq_change(kq, 1000 + (uint64_t)i, EVFILT_USER, EV_ADD, 0, 0, 0), 0);
		if (i == USERS / 2) {
			VEQ(kq_change(kq, (uint64_t)u[0], EVFILT_USER, EV_ADD, 0, 0, 0), 0);
			VEQ(kq_change(kq, (uint64_t)u[0], EVFILT_EXCEPT, EV_ADD, 0, 0, 0), 0);
		}
	}
	VCHECK(k->hash_mask + 1 >= 8 * buckets0); /* it did grow */
	VEQ(k->nknotes, USERS + 4);
	chains_in_attach_order(k);
	/* every knote findable after the rehashes; deletions find theirs */
	for (int i = 0; i < USERS; i++)
		VCHECK(kqueue_lookup(k, EVFILT_USER, 1000 + (uint64_t)i) != NULL);
	for (int i = 0; i < USERS; i += 3)
		VEQ(kq_change(kq, 1000 + (uint64_t)i, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	for (int i = 0; i < USERS; i++)
		VEQ(kqueue_lookup(k, EVFILT_USER, 1000 + (uint64_t)i) != NULL, i % 3 != 0);
	VEQ(kq_change(kq, 1000, EVFILT_USER, EV_DELETE, 0, 0, 0), -ENOENT);
	/* grown again with holes left by the deletions */
	for (int i = 0; i < USERS; i++)
		VEQ(kq_change(kq, 5000 + (uint64_t)i, EVFILT_USER, EV_ADD, 0, 0, 0), 0);
	chains_in_attach_order(k);
	/* the bucket answers as the walk did: the most recent (EXCEPT), then,
	 * once it is deleted, the one attached before the doublings (READ) */
	struct knote *first = kqueue_lookup_fd(k, u[0], rfp);
	VCHECK(first != NULL);
	VEQ(first, first_on_fd_by_walk(k, u[0], rfp));
	VEQ(first->kev.filter, EVFILT_EXCEPT);
	VEQ(kq_change(kq, (uint64_t)u[0], EVFILT_EXCEPT, EV_DELETE, 0, 0, 0), 0);
	first = kqueue_lookup_fd(k, u[0], rfp);
	VCHECK(first != NULL);
	VEQ(first, first_on_fd_by_walk(k, u[0], rfp));
	VEQ(first->kev.filter, EVFILT_READ);
	VCHECK(kqueue_lookup_fd(k, u[0], file_of(u[1])) == NULL); /* another file */
	VCHECK(kqueue_lookup_fd(k, 999, rfp) == NULL);
	/* closing u[0] drops its READ knote and nothing else */
	uint64_t drops0, drops1;
	VEQ(kqueue_stat("fdclose_drops", &drops0), 0);
	int live = k->nknotes;
	VEQ(sys_close(u[0]), 0);
	VEQ(kqueue_stat("fdclose_drops", &drops1), 0);
	VEQ(drops1 - drops0, 1);
	VEQ(k->nknotes, live - 1);
	VCHECK(kqueue_lookup(k, EVFILT_READ, (uint64_t)u[0]) == NULL);
	VCHECK(kqueue_lookup(k, EVFILT_USER, (uint64_t)u[0]) != NULL);
	VCHECK(kqueue_lookup(k, EVFILT_WRITE, (uint64_t)u[1]) != NULL);
	vt_check_all();
	VEQ(sys_close(u[1]), 0);
	VCHECK(kqueue_lookup(k, EVFILT_WRITE, (uint64_t)u[1]) == NULL);
	VEQ(sys_close(kq), 0);
	VEQ(kqueue_knotes_live(), 0);
}

Test(kq_hash, knotes_past_resizes_found_deleted_and_closed_in_order)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_resize, NULL);
}
