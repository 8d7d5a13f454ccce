/*
 * Event ports: event slots and the queue — allocation with its four
 * flavours, sending from any context, taking back, freeing, discarding.
 *
 * The invariant: a slot is in exactly one kev_state, and changes state
 * only under pp->lock. HELD -> QUEUED (send) -> GETLIST (a retrieving
 * thread took the queue) -> DELIVERING (its callback runs) -> freed
 * (DEFAULT) or HELD again (wired flavours), or back to GETLIST when the
 * delivery was refused. QUEUED / GETLIST -> HELD or freed by removal,
 * dissociation or close. Each send ends exactly once, counted in the run's
 * statistics as delivered, discarded or removed; the leak check compares.
 */
#include <errno.h>

#include "kern/kmem.h"
#include "syscalls/portfs/port_priv.h"

/* Liveness guard: wake-ups of a source waiting for a free slot; past it the loop is a livelock bug. */
#define PORT_SLOT_WAIT_ROUNDS_MAX 1000000
/* Liveness guard: wake-ups of a remover waiting out a delivery attempt; past it the loop is a livelock bug. */
#define PORT_DELIVERY_WAIT_ROUNDS_MAX 1000000
/* Liveness guard: discards of one slot that a callback re-sends; past it the loop is a livelock bug. */
#define PORT_RESEND_ROUNDS_MAX 1000

static KMEM_TYPE(kmt_kevent, "port.kevent");

static bool source_valid(int source)
{
	return source >= 1 && source < PORT_SOURCE_MAX;
}

/* ---- allocation ----------------------------------------------------------- */

static bool slot_available(void *arg)
{
	struct port *pp = arg;
	return pp->state != PORT_OPEN || pp->nslots < pp->events_max;
}

int port_alloc_common(struct port *pp, struct simk_proc *owner, int flags, int source,
		      struct port_kevent **pkevp, bool block)
{
	if (!source_valid(source) || (flags & ~(PORT_ALLOC_FLAVOUR_MASK | PORT_ALLOC_NOSHARE)))
		return -EINVAL;
	if (owner == NULL)
		owner = sim_proc_current();
	KASSERT(owner != NULL, "port slot without an owner process");
	/* Allocate first: kmem never sleeps, and a slot we cannot use is
	 * freed again without anyone seeing it. */
	struct port_kevent *k = kmem_zalloc(&kmt_kevent, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	spin_lock(&pp->lock);
	for (int round = 0;; round++) {
		KASSERT(round < PORT_SLOT_WAIT_ROUNDS_MAX, "port slot wait does not end");
		if (pp->state != PORT_OPEN) {
			spin_unlock(&pp->lock);
			kmem_free(&kmt_kevent, k);
			return -EBADFD;
		}
		if (pp->nslots < pp->events_max)
			break;
		if (!block) {
			spin_unlock(&pp->lock);
			kmem_free(&kmt_kevent, k);
			return -EAGAIN;
		}
		spin_unlock(&pp->lock);
		int r = waitq_wait(&pp->slot_wq, false, true, SIMK_FOREVER, slot_available, pp);
		if (r != 0) {
			kmem_free(&kmt_kevent, k);
			return r;
		}
		spin_lock(&pp->lock);
	}
	struct port_run *run = port_run();
	k->port = pp;
	k->state = KEV_HELD;
	k->flags = flags;
	k->source = source;
	k->pid = owner->pid;
	k->id = ++run->next_kev_id;
	list_init(&k->link);
	list_push_back(&pp->slots, &k->all);
	pp->nslots++;
	run->st.slots_live++;
	spin_unlock(&pp->lock);
	*pkevp = k;
	return 0;
}

int port_alloc_event(struct port *pp, struct simk_proc *owner, int flags, int source,
		     struct port_kevent **pkevp)
{
	return port_alloc_common(pp, owner, flags, source, pkevp, false);
}

int port_alloc_event_block(struct port *pp, struct simk_proc *owner, int flags, int source,
			   struct port_kevent **pkevp)
{
	sim_assert_may_sleep(__func__);
	sim_assert_may_sleep("port_alloc_event_block");
	return port_alloc_common(pp, owner, flags, source, pkevp, true);
}

int port_alloc_event_fd(struct simk_proc *owner, int fd, int flags, int source,
			struct port_kevent **pkevp)
{
	sim_assert_thread_context(__func__);
	struct port *pp;
	int r = port_hold_fd(owner, fd, &pp);
	if (r != 0)
		return r;
	r = port_alloc_event(pp, owner, flags, source, pkevp);
	port_rele(pp);
	return r;
}

void port_init_event(struct port_kevent *k, uint64_t object, uint64_t user, port_callback_fn cb,
		     void *arg)
{
	struct port *pp = k->port;
	spin_lock(&pp->lock);
	KASSERT(k->state == KEV_HELD, "port_init_event on slot %llu in state %d",
		(unsigned long long)k->id, k->state);
	k->object = object;
	k->user = user;
	k->cb = cb;
	k->cb_arg = arg;
	spin_unlock(&pp->lock);
}

void port_set_event(struct port_kevent *k, int events)
{
	struct port *pp = k->port;
	spin_lock(&pp->lock);
	KASSERT(k->state == KEV_HELD || k->state == KEV_DELIVERING,
		"port_set_event on queued slot %llu", (unsigned long long)k->id);
	k->events = events;
	spin_unlock(&pp->lock);
}

bool port_is_open(const struct port *pp)
{
	return pp->state == PORT_OPEN;
}

struct port *port_kevent_port(const struct port_kevent *k)
{
	return k->port;
}

int port_kevent_pid(const struct port_kevent *k)
{
	return k->pid;
}

bool port_kevent_queued(const struct port_kevent *k)
{
	return k->state == KEV_QUEUED || k->state == KEV_GETLIST;
}

/* ---- freeing ---------------------------------------------------------------- */

void port_kevent_free_locked(struct port *pp, struct port_kevent *k)
{
	spin_assert_held(&pp->lock);
	KASSERT(k->port == pp, "slot %llu not of port %llu", (unsigned long long)k->id,
		(unsigned long long)pp->id);
	KASSERT(pp->nslots > 0, "slot %llu not of port %llu", (unsigned long long)k->id,
		(unsigned long long)pp->id);
	list_del(&k->all);
	pp->nslots--;
	port_run()->st.slots_live--;
	k->state = 0;
	k->port = NULL;
	kmem_free(&kmt_kevent, k);
	if (waitq_active(&pp->slot_wq))
		waitq_wake_all(&pp->slot_wq);
	if (pp->nslots == 0 && waitq_active(&pp->close_wq))
		waitq_wake_all(&pp->close_wq);
}

/* Takes k off the queue or the get list (pp->lock held). */
static void unlink_queued(struct port *pp, struct port_kevent *k)
{
	spin_assert_held(&pp->lock);
	if (k->state == KEV_QUEUED) {
		KASSERT(pp->q_nent > 0, "queue count underflow");
		pp->q_nent--;
	} else {
		KASSERT(k->state == KEV_GETLIST, "get list count underflow");
		KASSERT(pp->g_nent > 0, "get list count underflow");
		pp->g_nent--;
	}
	list_del(&k->link);
	k->state = KEV_HELD;
}

void port_free_event(struct port_kevent *k)
{
	struct port *pp = k->port;
	KASSERT(pp != NULL, "port_free_event of a freed slot");
	bool was_queued = false;
	spin_lock(&pp->lock);
	switch (k->state) {
	case KEV_DELIVERING:
		/* The retrieving thread frees it when the attempt ends. */
		k->free_pending = true;
		spin_unlock(&pp->lock);
		return;
	case KEV_QUEUED:
	case KEV_GETLIST:
		unlink_queued(pp, k);
		port_run()->st.events_removed++;
		was_queued = true;
		break;
	case KEV_HELD:
		break;
	default:
		sim_panic("port_free_event of slot %llu in state %d", (unsigned long long)k->id,
			  k->state);
	}
	trace_emit(TR_INFO, "port:free_event", (int64_t)pp->id, (int64_t)k->id, was_queued, 0);
	port_kevent_free_locked(pp, k);
	if (was_queued)
		port_unlock_pollwakeup(pp);
	else
		spin_unlock(&pp->lock);
}

static bool delivery_over(void *arg)
{
	return ((struct port_kevent *)arg)->state != KEV_DELIVERING;
}

bool port_remove_done_event(struct port_kevent *k)
{
	sim_assert_may_sleep(__func__);
	struct port *pp = k->port;
	sim_assert_may_sleep("port_remove_done_event");
	spin_lock(&pp->lock);
	for (int round = 0; k->state == KEV_DELIVERING; round++) {
		KASSERT(round < PORT_DELIVERY_WAIT_ROUNDS_MAX, "delivery attempt does not end");
		spin_unlock(&pp->lock);
		waitq_wait(&pp->deliver_wq, false, false, SIMK_FOREVER, delivery_over, k);
		spin_lock(&pp->lock);
	}
	bool removed = false;
	if (k->state == KEV_QUEUED || k->state == KEV_GETLIST) {
		unlink_queued(pp, k);
		port_run()->st.events_removed++;
		removed = true;
		trace_emit(TR_INFO, "port:remove_event", (int64_t)pp->id, (int64_t)k->id, 0, 0);
		port_unlock_pollwakeup(pp);
	} else {
		spin_unlock(&pp->lock);
	}
	return removed;
}

void port_discard_locked(struct port *pp, struct port_kevent *k, int flag)
{
	spin_assert_held(&pp->lock);
	struct port_run *run = port_run();
	unlink_queued(pp, k);
	for (int round = 0;; round++) {
		KASSERT(round < PORT_RESEND_ROUNDS_MAX, "slot %llu re-sent during every discard",
			(unsigned long long)k->id);
		run->st.events_discarded++;
		trace_emit(TR_INFO, "port:discard", (int64_t)pp->id, (int64_t)k->id, k->source,
			   flag);
		if (k->cb == NULL)
			break;
		int ev = k->events;
		/* The callback may free the slot (port_free_event sees it
		 * DELIVERING and leaves the freeing to us) or the source may
		 * send it again meanwhile (resend_pending). */
		k->state = KEV_DELIVERING;
		spin_unlock(&pp->lock);
		k->cb(k->cb_arg, &ev, k->pid, flag, k);
		spin_lock(&pp->lock);
		k->state = KEV_HELD;
		if (waitq_active(&pp->deliver_wq))
			waitq_wake_all(&pp->deliver_wq);
		if (k->free_pending) {
			port_kevent_free_locked(pp, k);
			return;
		}
		if (!k->resend_pending)
			break;
		k->resend_pending = false;
		if (pp->state != PORT_CLOSED) {
			/* A dissociation or a process close: the new event is a
			 * new one; queue it. */
			port_enqueue_locked(pp, k);
			return;
		}
		run->st.events_sent++; /* sent past the last close: discard it too */
	}
	if (kev_flavour(k) == PORT_ALLOC_DEFAULT)
		port_kevent_free_locked(pp, k);
}

/* ---- sending ------------------------------------------------------------------ */

/* LAB 04 BEGIN: port_wake_waiter_locked */
static struct port_waiter *first_waiter(struct port *pp)
{
	return list_empty(&pp->waiters) ? NULL
					: list_entry(pp->waiters.next, struct port_waiter, link);
}

void port_wake_waiter_locked(struct port *pp)
{
	spin_assert_held(&pp->lock);
	struct port_waiter *w = first_waiter(pp);
	if (w != NULL && pp->getn_active == 0 && pp->q_nent >= w->nget)
		thread_wake(w->thread, 0);
}
/* LAB 04 END: port_wake_waiter_locked */

bool port_enqueue_locked(struct port *pp, struct port_kevent *k)
{
	spin_assert_held(&pp->lock);
	KASSERT(k->state == KEV_HELD, "send of slot %llu in state %d", (unsigned long long)k->id,
		k->state);
	list_push_back(&pp->queue, &k->link);
	k->state = KEV_QUEUED;
	pp->q_nent++;
	pp->send_seq++;
	port_run()->st.events_sent++;
	trace_emit(TR_INFO, "port:send", (int64_t)pp->id, (int64_t)k->id, k->source, k->events);
	port_wake_waiter_locked(pp);
	return true;
}

void port_send_event(struct port_kevent *k)
{
	struct port *pp = k->port;
	KASSERT(pp != NULL, "send of a freed slot");
	KASSERT(kev_flavour(k) != PORT_ALLOC_PRIVATE, "send of private slot %llu",
		(unsigned long long)k->id);
	spin_lock(&pp->lock);
	if (k->state == KEV_DELIVERING) {
		/* Sent again while its previous delivery ends (a wired slot
		 * whose source fired from an interrupt during the callback):
		 * the retrieving thread queues it when the attempt is over. */
		KASSERT(!k->resend_pending, "slot %llu sent twice during a delivery",
			(unsigned long long)k->id);
		k->resend_pending = true;
		port_run()->st.events_resent++;
		trace_emit(TR_INFO, "port:resend", (int64_t)pp->id, (int64_t)k->id, k->source, 0);
		spin_unlock(&pp->lock);
		return;
	}
	if (pp->state == PORT_CLOSED) {
		/* Past the last close: nobody will retrieve it. */
		KASSERT(k->state == KEV_HELD, "send of slot %llu in state %d",
			(unsigned long long)k->id, k->state);
		list_push_back(&pp->queue, &k->link);
		k->state = KEV_QUEUED;
		pp->q_nent++;
		port_run()->st.events_sent++;
		port_discard_locked(pp, k, PORT_CALLBACK_CLOSE);
		spin_unlock(&pp->lock);
		return;
	}
	port_enqueue_locked(pp, k);
	port_unlock_pollwakeup(pp);
}
