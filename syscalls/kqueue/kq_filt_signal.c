/*
 * EVFILT_SIGNAL: counts the deliveries of signal `ident` to the kqueue's
 * process since the last retrieval (EV_CLEAR is implied). It hears every
 * delivery through kern/signal.h's observers, so it fires even when the
 * signal is ignored or blocked, and it does not consume the signal.
 *
 * Observers may run in interrupt context: the count goes straight into
 * the knote's data and the knote is poked (an owner reprocesses it).
 */
#include <errno.h>

#include "kern/signal.h"
#include "syscalls/kqueue/kq_priv.h"

/* Any ident is accepted, as in the reference (its filter does not check
 * it): a number no signal has simply never fires (docs/kq.md). */
static int filt_sigattach(struct knote *kn)
{
	kn->kev.flags |= EV_CLEAR;
	kq_knote_insert(&kq_pinfo(kn->kq->proc->pid)->signotes, kn);
	return 0;
}

static void filt_sigdetach(struct knote *kn)
{
	kq_knote_remove(kn);
}

static bool filt_signal(struct knote *kn, long hint)
{
	(void)hint;
	return kn->kev.data != 0;
}

/* Any context: signo was sent to p (made pending, coalesced or ignored). */
void kq_sig_observer(struct simk_proc *p, int signo)
{
	struct klist *kl = &kq_pinfo(p->pid)->signotes;
	int bound = kl->n + 1;
	struct list_node *n = kl->head.next;
	while (n != &kl->head) {
		KASSERT(bound-- > 0, "signal klist of pid %d loops", p->pid);
		struct list_node *next = n->next;
		struct knote *kn = list_entry(n, struct knote, link);
		if (kn->kev.ident == (uint64_t)signo && !(kn->status & KN_DELETING)) {
			kn->kev.data++;
			kq_knote_poke(kn);
		}
		n = next;
	}
}

const struct filterops kq_sig_filtops = {
    .name = "signal",
    .attach = filt_sigattach,
    .detach = filt_sigdetach,
    .event = filt_signal,
};
