/*
 * Event ports: PORT_SOURCE_TIMER — the port side of SIGEV_PORT timers.
 *
 * A timer gets one event slot (source-cached, non-shareable) when it is
 * created, and keeps it. An expiration queues the slot if no event of the
 * timer is outstanding; otherwise it only counts. The delivery callback
 * tells the application how many expirations the event stands for
 * (portev_events = 1 + overruns), records the overruns for
 * timer_getoverrun and makes the slot free for the next expiration. If an
 * expiration comes while that delivery is still ending, the port queues the
 * slot again as soon as it can (resend). When the owner closes the port
 * (or the port goes away) the close callback takes the slot back and the
 * timer goes on without notification.
 */
#include <errno.h>

#include "syscalls/ptimer/ptimer_priv.h"

/* Liveness guard: timers one port close detaches; past it the loop is a livelock bug. */
#define PTIMER_CLOSE_ROUNDS_MAX 100000

static struct ptimer_run *ptr(void)
{
	return ptimer_run();
}

static int cur_pid(void)
{
	struct simk_proc *p = sim_proc_current();
	return p != NULL ? p->pid : 0;
}

/* Delivery (thread context of the retriever) or discard (any context: a
 * send to a port past its last close discards in the sender's, an
 * expiry's interrupt; the port's API allows it). */
static int timer_callback(void *arg, int *events, int pid, int flag, struct port_kevent *k)
{
	if (flag == PORT_CALLBACK_DEFAULT)
		sim_assert_thread_context(__func__);
	struct ptimer *t = arg;
	struct ptimer_run *tr = ptr();
	(void)k;
	if (flag == PORT_CALLBACK_DEFAULT && cur_pid() != pid)
		return EACCES;
	spin_lock(&tr->lock);
	if (flag == PORT_CALLBACK_DEFAULT) {
		*events = (int)t->pending;
		t->overrun_last = t->pending > 0 ? (int32_t)(t->pending - 1) : 0;
	}
	t->pending = 0;
	t->notified = false;
	spin_unlock(&tr->lock);
	return 0;
}

/* The port closes for pid (or for good): detach the timers it notifies. */
static void timer_close_port(void *arg, struct port *pp, int pid, bool lastclose)
{
	(void)arg;
	struct ptimer_run *tr = ptr();
	/* Detaching may sleep (a delivery attempt in progress): scan again
	 * from the start after each one. */
	for (int guard = 0;; guard++) {
		KASSERT(guard < PTIMER_CLOSE_ROUNDS_MAX, "timer close loop does not end");
		struct ptimer *found = NULL;
		for (struct list_node *n = tr->timers.next; n != &tr->timers; n = n->next) {
			struct ptimer *t = list_entry(n, struct ptimer, link);
			if (t->notify == SIMK_SIGEV_PORT && t->port == pp &&
			    (lastclose || t->pid == pid)) {
				found = t;
				break;
			}
		}
		if (found == NULL)
			return;
		found->notify = SIMK_SIGEV_NONE;
		ptimer_port_detach(found);
	}
}

int ptimer_port_attach(struct ptimer *t, int port_fd, uint64_t user, struct port **held)
{
	struct port *pp;
	struct port_kevent *k = NULL;
	int r = port_hold_fd(NULL, port_fd, &pp);
	if (r != 0)
		return r;
	r = port_associate_ksource(pp, PORT_SOURCE_TIMER, timer_close_port, NULL, NULL);
	if (r == 0)
		r = port_alloc_event(pp, NULL, PORT_ALLOC_SCACHED | PORT_ALLOC_NOSHARE,
				     PORT_SOURCE_TIMER, &k);
	if (r == 0) {
		port_init_event(k, (uint64_t)t->id, user, timer_callback, t);
		port_set_event(k, 1);
		/* Those calls have switch points, and the port's last close
		 * may have run its source callbacks meanwhile: timer_close_port
		 * cannot see a timer that is not listed yet, so the slot would
		 * never come back (the closer waits for it forever) and the
		 * timer would fire into the closed port. From this check to
		 * the listing (the caller, with the port still held) there is
		 * no switch point. */
		if (!port_is_open(pp)) {
			port_free_event(k);
			r = -EBADFD;
		}
	}
	if (r != 0) {
		port_rele(pp);
		return r;
	}
	t->kev = k;
	t->port = pp;
	*held = pp;
	return 0;
}

/* Interrupt context (the timer's callout). */
void ptimer_port_fire(struct ptimer *t)
{
	KASSERT(sim_in_irq(), "timer expiry outside interrupt context");
	struct ptimer_run *tr = ptr();
	spin_lock(&tr->lock);
	struct port_kevent *k = t->kev;
	if (k == NULL) {
		spin_unlock(&tr->lock);
		return;
	}
	if (t->notified) {
		if (t->pending < (uint32_t)PTIMER_OVERRUN_MAX)
			t->pending++;
		spin_unlock(&tr->lock);
		return;
	}
	t->notified = true;
	t->pending = 1;
	spin_unlock(&tr->lock);
	port_send_event(k);
}

/* Thread context (timer_delete, process exit, port close), or host
 * context at the end of a run. The slot is unhooked from the timer first,
 * so the timer may be deleted while this waits for a delivery attempt. */
void ptimer_port_detach(struct ptimer *t)
{
	struct ptimer_run *tr = ptr();
	spin_lock(&tr->lock);
	struct port_kevent *k = t->kev;
	t->kev = NULL;
	t->port = NULL;
	t->notified = false;
	t->pending = 0;
	spin_unlock(&tr->lock);
	if (k == NULL)
		return;
	if (sim_thread_current() != NULL && !sim_in_irq())
		port_remove_done_event(k); /* waits out a delivery attempt */
	port_free_event(k);
}
