/*
 * EVFILT_AIO: the attachment point of POSIX AIO's SIGEV_KEVENT (the
 * contract is in syscalls/kqueue/kq.h). The AIO code owns a struct
 * kq_aio_hook per request; kq_aio_attach registers a knote (ident = the
 * aiocb's user address, udata = the sigev value, EV_ONESHOT) through the
 * normal registration path with EV_FLAG1, which users cannot set, and the
 * hook's address passed in data, as FreeBSD passes its job. Completion
 * fires it once with EV_EOF and data = the error status.
 *
 * The invariant: a knote is on its hook's list exactly while it is
 * attached; whoever drops the knote (the scan after retrieval, the
 * kqueue's close, kq_aio_detach) takes it off, so completion never sees a
 * freed knote and detach never leaves one behind.
 */
#include <errno.h>

#include "syscalls/kqueue/kq_priv.h"

/* Liveness guard: knotes on one AIO hook; past it the loop is a livelock bug. */
#define KQ_AIO_KNOTES_MAX 100000

static int filt_aioattach(struct knote *kn)
{
	if (!(kn->kev.flags & EV_FLAG1))
		return -EPERM; /* only the kernel attaches AIO knotes */
	struct kq_aio_hook *h = (struct kq_aio_hook *)(uintptr_t)kn->sdata;
	KASSERT(h != NULL, "EVFILT_AIO attach without a hook");
	kn->kev.flags &= (uint16_t)~EV_FLAG1;
	kn->kev.flags |= EV_ONESHOT;
	kn->sdata = 0;
	kn->u.aio.hook = h;
	list_push_back(&h->knotes, &kn->link);
	return 0;
}

static void filt_aiodetach(struct knote *kn)
{
	if (kn->u.aio.hook != NULL) {
		list_del(&kn->link);
		kn->u.aio.hook = NULL;
	}
}

static bool filt_aio(struct knote *kn, long hint)
{
	(void)hint;
	struct kq_aio_hook *h = kn->u.aio.hook;
	if (h == NULL || !h->completed)
		return false;
	kn->kev.data = h->error;
	kn->kev.flags |= EV_EOF;
	return true;
}

/* A second attach of the same aiocb on the same kqueue only updates udata;
 * the knote stays with its first request. */
static int filt_aiotouch(struct knote *kn, const struct kevent *kev)
{
	kn->kev.udata = kev->udata;
	return 0;
}

const struct filterops kq_aio_filtops = {
    .name = "aio",
    .attach = filt_aioattach,
    .detach = filt_aiodetach,
    .event = filt_aio,
    .touch_register = filt_aiotouch,
};

void kq_aio_hook_init(struct kq_aio_hook *h)
{
	list_init(&h->knotes);
	h->completed = false;
	h->error = 0;
}

int kq_aio_attach(struct simk_proc *p, int kqfd, uaddr_t aiocb, uint64_t udata,
		  struct kq_aio_hook *h)
{
	KASSERT(!sim_in_irq(), "kq_aio_attach outside a thread");
	KASSERT(sim_thread_current() != NULL, "kq_aio_attach outside a thread");
	struct file *fp;
	struct kqueue *kq = kqueue_from_fd(p, kqfd, &fp);
	if (kq == NULL)
		return -EBADF;
	struct kevent kev;
	ev_set(&kev, aiocb, EVFILT_AIO, EV_ADD | EV_ENABLE | EV_ONESHOT | EV_FLAG1, 0,
	       (int64_t)(uintptr_t)h, udata);
	int r = kqueue_register(kq, &kev);
	file_put(fp);
	return r;
}

void kq_aio_complete(struct kq_aio_hook *h, int error)
{
	KASSERT(!h->completed, "AIO request completed twice");
	KASSERT(error >= 0, "kq_aio_complete takes a positive errno, got %d", error);
	h->completed = true;
	h->error = error;
	struct list_node *n = h->knotes.next;
	for (int bound = 0; n != &h->knotes; bound++) {
		KASSERT(bound < KQ_AIO_KNOTES_MAX, "AIO hook knote list loops");
		struct list_node *next = n->next;
		kq_knote_poke(list_entry(n, struct knote, link));
		n = next;
	}
}

void kq_aio_detach(struct kq_aio_hook *h)
{
	KASSERT(!sim_in_irq(), "kq_aio_detach outside a thread");
	KASSERT(sim_thread_current() != NULL, "kq_aio_detach outside a thread");
	for (int loops = 0; !list_empty(&h->knotes); loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "AIO hook detach does not settle");
		struct knote *kn = list_entry(h->knotes.next, struct knote, link);
		if (kq_knote_acquire(kn))
			kq_knote_detach_and_drop(kn);
	}
}
