/*
 * Event ports: retrieving events (port_get, port_getn) and the waiters.
 *
 * A retrieving thread takes the get list ("the block": one thread at a
 * time), moves the whole queue onto it and walks it front to back behind a
 * marker, with pp->lock dropped around each source callback, so sources
 * keep queueing new events on the (now empty) main queue meanwhile. An
 * event a callback refuses goes back before the marker, in order; at the
 * end whatever is left on the get list goes back to the head of the queue.
 * Other threads may take events off the get list (removal, free) because
 * they only ever unlink real events under pp->lock, never the marker.
 *
 * Waiters sleep in ascending order of the number of events they want (a
 * thread wanting fewer is woken first; equal counts in arrival order). A
 * send wakes the first waiter when the queue can satisfy it and nobody is
 * retrieving; a retrieving thread, when done, wakes the next one if enough
 * events remain. A woken waiter re-checks everything under the lock, so
 * spurious wake-ups are harmless.
 */
#include <errno.h>
#include <string.h>

#include "kern/umem.h"
#include "syscalls/portfs/port_priv.h"

/* Liveness guard: wake-ups waiting for the get list; past it the loop is a livelock bug. */
#define PORT_GETLIST_WAIT_ROUNDS_MAX 1000000
/* Liveness guard: events of one get-list walk; past it the loop is a livelock bug. */
#define PORT_GETLIST_EVENTS_MAX 10000000
/* Liveness guard: rounds of one port_getn; past it the loop is a livelock bug. */
#define PORT_GETN_ROUNDS_MAX 10000000

/* Sleeps on wq with pp->lock held across the publish-and-prepare step and
 * dropped during the sleep; returns with the lock held. 0, -ETIMEDOUT or
 * -EINTR (interruptible only). */
static int sleep_locked(struct port *pp, struct waitq *wq, const char *wchan, bool intr,
			uint64_t timeout_ns)
{
	spin_assert_held(&pp->lock);
	struct waitq_entry e;
	waitq_entry_init(&e, sim_thread_current());
	waitq_add(wq, &e);
	thread_prepare_sleep(wchan, intr);
	spin_unlock(&pp->lock);
	int r = thread_sleep(timeout_ns);
	spin_lock(&pp->lock);
	waitq_remove(wq, &e);
	return r;
}

/* Takes the get list (illumos port_block); pp->lock held. */
static void block_get_list(struct port *pp)
{
	spin_assert_held(&pp->lock);
	for (int round = 0; pp->get_busy; round++) {
		KASSERT(round < PORT_GETLIST_WAIT_ROUNDS_MAX, "port get list never freed");
		sleep_locked(pp, &pp->get_wq, "port_block", false, SIMK_FOREVER);
	}
	pp->get_busy = true;
}

static void unblock_get_list(struct port *pp)
{
	KASSERT(pp->get_busy, "get list not taken");
	pp->get_busy = false;
	if (waitq_active(&pp->get_wq))
		waitq_wake_all(&pp->get_wq);
}

/* ---- waiters ----------------------------------------------------------------- */

/* LAB 04 BEGIN: waiter_enqueue */
static void waiter_enqueue(struct port *pp, struct port_waiter *w)
{
	struct list_node *pos = pp->waiters.next;
	while (pos != &pp->waiters && list_entry(pos, struct port_waiter, link)->nget <= w->nget)
		pos = pos->next;
	list_insert_before(pos, &w->link);
	pp->nwaiters++;
}

static void waiter_dequeue(struct port *pp, struct port_waiter *w)
{
	list_del(&w->link);
	pp->nwaiters--;
}
/* LAB 04 END: waiter_enqueue */

/* A thread leaves port_getn (pp->lock held): the closer may be waiting for
 * the last one; otherwise the next waiter may now be satisfiable. */
static void getn_leave(struct port *pp)
{
	spin_assert_held(&pp->lock);
	KASSERT(pp->thrcnt > 0, "port thread count underflow");
	pp->thrcnt--;
	if (pp->state != PORT_OPEN) {
		if (pp->thrcnt == 0 && waitq_active(&pp->close_wq))
			waitq_wake_all(&pp->close_wq);
	} else {
		port_wake_waiter_locked(pp);
	}
}

/* ---- timeouts ---------------------------------------------------------------- */

struct get_timeout {
	bool checked;
	bool blocking;	   /* false: {0, 0}, poll */
	uint64_t deadline; /* SIMK_FOREVER: none */
};

/* Reads and checks the timeout the first time the call would wait.
 * 0, -EFAULT, -EINVAL. */
static int timeout_check(struct get_timeout *gt, uaddr_t timeout)
{
	if (gt->checked)
		return 0;
	gt->checked = true;
	gt->blocking = true;
	gt->deadline = SIMK_FOREVER;
	if (timeout == 0)
		return 0;
	struct simk_timespec ts;
	if (copyin(timeout, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec == 0 && ts.tv_nsec == 0) {
		gt->blocking = false;
		return 0;
	}
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= SIMK_NSEC_PER_SEC)
		return -EINVAL;
	uint64_t limit = (SIMK_FOREVER - 1 - sim_now()) / (uint64_t)SIMK_NSEC_PER_SEC;
	uint64_t rel = (uint64_t)ts.tv_sec >= limit
			   ? SIMK_FOREVER - 1 - sim_now()
			   : (uint64_t)ts.tv_sec * SIMK_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	gt->deadline = sim_now() + rel;
	return 0;
}

static uint64_t timeout_left(const struct get_timeout *gt)
{
	if (gt->deadline == SIMK_FOREVER)
		return SIMK_FOREVER;
	uint64_t now = sim_now();
	return gt->deadline > now ? gt->deadline - now : 0;
}

/* LAB 04 BEGIN: wait_for_events */
/*
 * The waiting of port_getn (pp->lock held; dropped while asleep). w is
 * queued. Returns 0 when the call may retrieve (enough events, and nobody
 * else retrieving; after a pass that found nothing deliverable (loop),
 * only once new events were sent since scan_seq), or when w was alerted;
 * -ETIME when the timeout passed first, -EINTR on a signal, -EBADFD when
 * the port is closing.
 */
static int wait_for_events(struct port *pp, struct port_waiter *w, const struct get_timeout *gt,
			   bool loop, uint64_t scan_seq)
{
	int err = 0;
	for (int round = 0;; round++) {
		KASSERT(round < PORT_GETN_ROUNDS_MAX, "port waiter loop does not end");
		if (w->alerted)
			break;
		if (pp->state != PORT_OPEN) {
			err = -EBADFD;
			break;
		}
		if (pp->getn_active == 0 && pp->q_nent >= w->nget &&
		    (!loop || pp->send_seq != scan_seq)) {
			err = 0; /* satisfied, even if the timer fired too */
			break;
		}
		if (err != 0)
			break;
		thread_prepare_sleep("port_getn", true);
		spin_unlock(&pp->lock);
		int r = thread_sleep(timeout_left(gt));
		spin_lock(&pp->lock);
		if (r == -ETIMEDOUT)
			err = -ETIME;
		else if (r == -EINTR)
			err = -EINTR;
	}
	return err;
}
/* LAB 04 END: wait_for_events */

/* ---- delivery ---------------------------------------------------------------- */

static void kev_to_user(port_event_t *ev, const struct port_kevent *k)
{
	memset(ev, 0, sizeof(*ev));
	ev->portev_events = k->events;
	ev->portev_source = (uint16_t)k->source;
	ev->portev_object = k->object;
	ev->portev_user = k->user;
}

/* One delivery attempt of k, taken off the get list (pp->lock held; dropped
 * around the callback). Returns true when delivered into *ev. */
static bool deliver_one(struct port *pp, struct port_kevent *k, port_event_t *ev, int pid)
{
	spin_assert_held(&pp->lock);
	struct port_run *run = port_run();
	kev_to_user(ev, k);
	bool refused = false;
	if (kev_noshare(k) && k->pid != pid) {
		refused = true; /* non-shareable: only its owner's threads */
	} else if (k->cb != NULL) {
		k->state = KEV_DELIVERING;
		spin_unlock(&pp->lock);
		int events = ev->portev_events;
		int rc = k->cb(k->cb_arg, &events, k->pid, PORT_CALLBACK_DEFAULT, k);
		spin_lock(&pp->lock);
		ev->portev_events = events;
		refused = rc != 0;
	}
	if (waitq_active(&pp->deliver_wq))
		waitq_wake_all(&pp->deliver_wq);
	if (refused) {
		run->st.events_refused++;
		trace_emit(TR_INFO, "port:refused", (int64_t)pp->id, (int64_t)k->id, k->pid, pid);
		k->resend_pending = false; /* still queued: the same event */
		if (k->free_pending) {
			k->state = KEV_HELD;
			run->st.events_removed++;
			port_kevent_free_locked(pp, k);
		} else {
			k->state = KEV_GETLIST; /* the caller puts it back */
		}
		return false;
	}
	run->st.events_delivered++;
	trace_emit(TR_INFO, "port:deliver", (int64_t)pp->id, (int64_t)k->id, k->source,
		   ev->portev_events);
	k->state = KEV_HELD;
	if (k->free_pending || kev_flavour(k) == PORT_ALLOC_DEFAULT) {
		port_kevent_free_locked(pp, k);
	} else if (k->resend_pending) {
		k->resend_pending = false;
		port_enqueue_locked(pp, k);
	}
	return true;
}

/*
 * Retrieves up to max events into the user list (pp->lock held; the
 * caller counted itself in thrcnt). Returns the number delivered (>= 0) or
 * -EFAULT (nothing taken), with *scan_seq the send count when the queue was
 * taken.
 */
static int retrieve(struct port *pp, uaddr_t list, unsigned max, uint64_t *scan_seq)
{
	spin_assert_held(&pp->lock);
	struct port_run *run = port_run();
	int pid = port_cur_pid();
	pp->getn_active++;
	block_get_list(pp);
	KASSERT(list_empty(&pp->getlist), "get list not empty");
	KASSERT(pp->g_nent == 0, "get list not empty");
	unsigned nmax = max < pp->q_nent ? max : pp->q_nent;
	if (nmax > run->limits.list_max)
		nmax = run->limits.list_max;
	int delivered = 0;
	if (nmax > 0 &&
	    umem_map_write(sim_proc_current(), list, (size_t)nmax * sizeof(port_event_t)) == NULL) {
		delivered = -EFAULT;
		nmax = 0;
	}
	/* Move the queue to the get list. */
	for (struct list_node *n = pp->queue.next; n != &pp->queue; n = n->next)
		list_entry(n, struct port_kevent, link)->state = KEV_GETLIST;
	port_list_splice(&pp->queue, &pp->getlist, false);
	pp->g_nent = pp->q_nent;
	pp->q_nent = 0;
	*scan_seq = pp->send_seq;

	struct list_node marker;
	list_push_front(&pp->getlist, &marker);
	unsigned n = 0;
	for (int guard = 0; n < nmax && marker.next != &pp->getlist; guard++) {
		KASSERT(guard < PORT_GETLIST_EVENTS_MAX, "get list walk does not end");
		struct port_kevent *k = list_entry(marker.next, struct port_kevent, link);
		KASSERT(k->state == KEV_GETLIST, "slot %llu on the get list in state %d",
			(unsigned long long)k->id, k->state);
		list_del(&k->link);
		pp->g_nent--;
		port_event_t ev;
		if (!deliver_one(pp, k, &ev, pid)) {
			if (k->state == KEV_GETLIST) {
				list_insert_before(&marker, &k->link);
				pp->g_nent++;
			}
			continue;
		}
		/* The range was checked; a concurrent unmap loses the event
		 * (counted delivered) and the call reports EFAULT. */
		if (copyout(&ev, list + (uaddr_t)n * sizeof(port_event_t), sizeof(ev)) != 0)
			delivered = -EFAULT;
		n++;
	}
	list_del(&marker);
	/* What is left goes back to the head of the queue, in order. */
	for (struct list_node *n = pp->getlist.next; n != &pp->getlist; n = n->next)
		list_entry(n, struct port_kevent, link)->state = KEV_QUEUED;
	port_list_splice(&pp->getlist, &pp->queue, true);
	pp->q_nent += pp->g_nent;
	pp->g_nent = 0;
	unblock_get_list(pp);
	pp->getn_active--;
	return delivered < 0 ? delivered : (int)n;
}

/* ---- the calls ---------------------------------------------------------------- */

/* The alert as the one event of this call. */
static int return_alert(uaddr_t list, int events, uint64_t user, unsigned *nget)
{
	port_event_t ev;
	port_alert_event(&ev, events, user);
	if (copyout(&ev, list, sizeof(ev)) != 0) {
		*nget = 0;
		return -EFAULT;
	}
	port_run()->st.alerts_delivered++;
	*nget = 1;
	return 0;
}

/* max == 0: the number of queued events, once no thread is retrieving. */
static int getn_count(struct port *pp, unsigned *nget)
{
	spin_lock(&pp->lock);
	block_get_list(pp);
	*nget = pp->q_nent;
	unblock_get_list(pp);
	spin_unlock(&pp->lock);
	return 0;
}

/*
 * The common body of port_get (one = true: max 1, *nget 1; a timeout
 * returns no event) and port_getn. *nget: in, how many to wait for; out,
 * how many were stored.
 */
static int getn_locked_body(struct port *pp, uaddr_t list, unsigned max, unsigned *nget,
			    uaddr_t timeout, bool one)
{
	const unsigned want = *nget;
	struct get_timeout gt = {0};
	bool loop = false;     /* a pass retrieved nothing: wait for new events */
	uint64_t scan_seq = 0; /* send count of our last scan */
	int err = 0;

	spin_lock(&pp->lock);
	pp->thrcnt++;
	for (int pass = 0;; pass++) {
		KASSERT(pass < PORT_GETN_ROUNDS_MAX, "port_getn does not end");
		if (pp->state != PORT_OPEN) {
			getn_leave(pp);
			spin_unlock(&pp->lock);
			*nget = 0;
			return -EBADFD;
		}
		if (pp->alert) {
			int ev = pp->alert_events;
			uint64_t user = pp->alert_user;
			getn_leave(pp);
			spin_unlock(&pp->lock);
			return return_alert(list, ev, user, nget);
		}
		bool enough = pp->q_nent >= want && (!loop || pp->send_seq != scan_seq);
		bool timed_out = false;
		if (!enough) {
			int r = timeout_check(&gt, timeout);
			if (r != 0) {
				getn_leave(pp);
				spin_unlock(&pp->lock);
				*nget = 0;
				return r;
			}
		}
		if (!enough && gt.blocking) {
			struct port_waiter w = {.thread = sim_thread_current(), .nget = want};
			waiter_enqueue(pp, &w);
			err = wait_for_events(pp, &w, &gt, loop, scan_seq);
			waiter_dequeue(pp, &w);
			if (w.alerted) {
				getn_leave(pp);
				spin_unlock(&pp->lock);
				return return_alert(list, w.alert_events, w.alert_user, nget);
			}
			if (err == -EINTR || err == -EBADFD || (err == -ETIME && one)) {
				getn_leave(pp);
				spin_unlock(&pp->lock);
				*nget = 0;
				return err;
			}
			timed_out = err == -ETIME;
			err = 0;
		}
		/* Retrieve what there is (enough, a poll, or a timed-out getn). */
		int n = retrieve(pp, list, max, &scan_seq);
		if (n < 0) {
			getn_leave(pp);
			spin_unlock(&pp->lock);
			*nget = 0;
			return n;
		}
		if (n == 0 && !timed_out) {
			/* Nothing deliverable (everything refused, e.g. other
			 * processes' events): if the call may wait, wait for new
			 * events. */
			int r = timeout_check(&gt, timeout);
			if (r != 0) {
				getn_leave(pp);
				spin_unlock(&pp->lock);
				*nget = 0;
				return r;
			}
			if (gt.blocking) {
				loop = true;
				continue;
			}
		}
		getn_leave(pp);
		*nget = (unsigned)n;
		port_unlock_pollwakeup(pp);
		if (timed_out)
			return -ETIME;
		if (n == 0 && one)
			return -ETIME; /* a poll found nothing */
		return 0;
	}
}

int port_getn_common(int port, uaddr_t list, unsigned max, unsigned *nget, uaddr_t timeout,
		     bool one)
{
	struct file *fp;
	struct port *pp;
	int r = port_getf(port, &fp, &pp);
	if (r != 0)
		return r;
	trace_emit(TR_INFO, "port:getn", (int64_t)pp->id, max, *nget, one);
	if (max == 0) {
		r = getn_count(pp, nget);
	} else if (*nget > max) {
		r = -EINVAL;
	} else if (list == 0) {
		r = -EFAULT;
	} else if (*nget == 0) {
		r = 0; /* no events wanted (illumos returns at once) */
	} else {
		r = getn_locked_body(pp, list, max, nget, timeout, one);
	}
	port_releasef(fp, pp);
	return r;
}

int sys_port_get(int port, uaddr_t pe, uaddr_t timeout)
{
	unsigned nget = 1;
	return port_getn_common(port, pe, 1, &nget, timeout, true);
}

/*
 * *nget must be writable before anything is taken (like the list): a
 * read-only one used to cost the events, taken and then reported with
 * -EFAULT. If it becomes unwritable while the call waits, the events taken
 * are in list and the call says -EFAULT: they are lost, as for a list that
 * goes away meanwhile.
 */
int sys_port_getn(int port, uaddr_t list, unsigned max, uaddr_t ngetp, uaddr_t timeout)
{
	uint32_t n;
	if (copyin(ngetp, &n, sizeof(n)) != 0 ||
	    umem_map_write(sim_proc_current(), ngetp, sizeof(n)) == NULL)
		return -EFAULT;
	unsigned nget = n;
	int r = port_getn_common(port, list, max, &nget, timeout, false);
	if (r == 0 || r == -ETIME) {
		n = nget;
		if (copyout(&n, ngetp, sizeof(n)) != 0)
			return -EFAULT;
	}
	return r;
}
