/*
 * Event ports: close and fork.
 *
 * Every close(2) of a port descriptor (also dup2 over it, exec's
 * close-on-exec, process exit) reaches port_close_observer. If other
 * descriptors of the port remain (dup, fork, another process), it is a
 * process close: the closing process's share of the port goes away — its
 * alert, its non-shareable events, the descriptors it associated, and each
 * source is told (lastclose false). If it was the last descriptor, it is
 * the last close: threads waiting in port_get(n) return EBADFD and the
 * closer waits until every one of them has left; then every association is
 * dissociated, every source is told (lastclose true), every queued event
 * is discarded, and the closer waits until every event slot came back to
 * the port. The object itself is freed when the last file reference goes
 * (ops->release); a last close that was not seen by the observer (the
 * final reference was held by something other than a descriptor) runs
 * there.
 *
 * "Last descriptor" is decided from the file's reference count: the
 * references our own calls hold (threads inside port calls, counted in
 * pp->kernel_refs) are not descriptors, so closing the last descriptor
 * while threads wait inside port_getn is a last close, as on illumos.
 *
 * Fork needs no work here: the VFS shares the port's file with the child,
 * associations keep their owner (only the owner may dissociate; the
 * child may retrieve and re-associate because it has the same file at the
 * same descriptor, see port_fd.c), and non-shareable events and the
 * associations a process makes after fork stay its own.
 */
#include <errno.h>

#include "syscalls/portfs/port_priv.h"

/* Liveness guard: wake-ups of the last close waiting for threads and slots; past it the loop is a livelock bug. */
#define PORT_CLOSE_WAIT_ROUNDS_MAX 1000000
/* Liveness guard: events discarded by one close; past it the loop is a livelock bug. */
#define PORT_DISCARD_ROUNDS_MAX 10000000

static bool can_sleep(void)
{
	return sim_thread_current() != NULL && !sim_in_irq();
}

/* Sleeps on pp->close_wq until cond holds (pp->lock held, dropped while
 * asleep). Host context (end of run): returns at once. */
static void close_wait(struct port *pp, bool (*cond)(struct port *), const char *wchan)
{
	spin_assert_held(&pp->lock);
	for (int round = 0; !cond(pp); round++) {
		KASSERT(round < PORT_CLOSE_WAIT_ROUNDS_MAX, "port close wait does not end");
		if (!can_sleep())
			return;
		struct waitq_entry e;
		waitq_entry_init(&e, sim_thread_current());
		waitq_add(&pp->close_wq, &e);
		thread_prepare_sleep(wchan, false);
		spin_unlock(&pp->lock);
		thread_sleep(SIMK_FOREVER);
		spin_lock(&pp->lock);
		waitq_remove(&pp->close_wq, &e);
	}
}

static bool no_threads(struct port *pp)
{
	return pp->thrcnt == 0;
}

static bool no_slots(struct port *pp)
{
	return pp->nslots == 0 && pp->pollwakeups == 0;
}

/* First event (queue, then get list) that is pid's and not shareable. */
static struct port_kevent *first_private(struct port *pp, int pid)
{
	struct list_node *lists[2] = {&pp->queue, &pp->getlist};
	for (int i = 0; i < 2; i++)
		for (struct list_node *n = lists[i]->next; n != lists[i]; n = n->next) {
			struct port_kevent *k = list_entry(n, struct port_kevent, link);
			if (kev_noshare(k) && k->pid == pid)
				return k;
		}
	return NULL;
}

static void assoc_lock(void)
{
	if (can_sleep())
		mutex_lock(&port_run()->assoc_mutex);
}

static void assoc_unlock(void)
{
	if (can_sleep())
		mutex_unlock(&port_run()->assoc_mutex);
}

/* Process pid closes one descriptor of pp while others remain. */
static void port_proc_close(struct port *pp, int pid)
{
	trace_emit(TR_INFO, "port:close_proc", (int64_t)pp->id, pid, 0, 0);
	spin_lock(&pp->lock);
	if (pp->alert && pp->alert_pid == pid)
		pp->alert = false;
	struct port_kevent *k;
	for (int guard = 0; (k = first_private(pp, pid)) != NULL; guard++) {
		KASSERT(guard < PORT_DISCARD_ROUNDS_MAX, "discard loop does not end");
		port_discard_locked(pp, k, PORT_CALLBACK_CLOSE);
	}
	spin_unlock(&pp->lock);
	assoc_lock();
	port_fd_close_port(pp, pid);
	port_file_close_port(pp, pid);
	assoc_unlock();
	port_sources_close(pp, pid, false);
}

void port_last_close(struct port *pp)
{
	int pid = port_cur_pid();
	spin_lock(&pp->lock);
	KASSERT(pp->state == PORT_OPEN, "port %llu closed twice", (unsigned long long)pp->id);
	pp->state = PORT_CLOSING;
	pp->alert = false;
	int woken = 0;
	for (struct list_node *n = pp->waiters.next; n != &pp->waiters; n = n->next)
		woken += thread_wake(list_entry(n, struct port_waiter, link)->thread, 0);
	if (waitq_active(&pp->slot_wq))
		waitq_wake_all(&pp->slot_wq);
	trace_emit(TR_INFO, "port:close", (int64_t)pp->id, pid, pp->thrcnt, woken);
	close_wait(pp, no_threads, "port_close_threads");
	KASSERT(list_empty(&pp->getlist), "port %llu closing while events are retrieved",
		(unsigned long long)pp->id);
	KASSERT(pp->g_nent == 0, "port %llu closing while events are retrieved",
		(unsigned long long)pp->id);
	KASSERT(!pp->get_busy, "port %llu closing while events are retrieved",
		(unsigned long long)pp->id);
	spin_unlock(&pp->lock);

	assoc_lock();
	port_fd_close_port(pp, 0);
	port_file_close_port(pp, 0);
	assoc_unlock();
	port_sources_close(pp, pid, true);

	spin_lock(&pp->lock);
	pp->state = PORT_CLOSED;
	for (int guard = 0; !list_empty(&pp->queue); guard++) {
		KASSERT(guard < PORT_DISCARD_ROUNDS_MAX, "discard loop does not end");
		port_discard_locked(pp, list_entry(pp->queue.next, struct port_kevent, link),
				    PORT_CALLBACK_CLOSE);
	}
	/* CACHED slots belong to the port's object cache: free them now. */
	for (struct list_node *n = pp->slots.next; n != &pp->slots;) {
		struct port_kevent *k = list_entry(n, struct port_kevent, all);
		n = n->next;
		if (kev_flavour(k) == PORT_ALLOC_CACHED && k->state == KEV_HELD)
			port_kevent_free_locked(pp, k);
	}
	close_wait(pp, no_slots, "port_close_slots");
	trace_emit(TR_INFO, "port:closed", (int64_t)pp->id, pp->nslots, 0, 0);
	spin_unlock(&pp->lock);
}

void port_close_observer(struct simk_proc *p, int fd, struct file *fp)
{
	/* The descriptor may be associated with ports (PORT_SOURCE_FD). */
	port_fd_closed(p, fd, fp);
	struct port *pp = port_of_file(fp);
	if (pp == NULL || pp->state != PORT_OPEN)
		return;
	int others = fp->refcount - 1 - pp->kernel_refs;
	KASSERT(others >= 0, "port %llu: %d references, %d held by port calls",
		(unsigned long long)pp->id, fp->refcount, pp->kernel_refs);
	if (others == 0)
		port_last_close(pp);
	else
		port_proc_close(pp, p->pid);
}
