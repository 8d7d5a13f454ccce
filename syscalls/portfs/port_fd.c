/*
 * Event ports: PORT_SOURCE_FD — a descriptor's poll events, one shot.
 *
 * port_associate(port, PORT_SOURCE_FD, fd, events, user) makes (or finds)
 * an association for the file at fd in the calling process, with one
 * CACHED event slot, and arms it: if the file is ready now the event is
 * queued at once, otherwise a readiness listener (vfs/poll.h) waits for
 * the first change that intersects the events. When it fires, the
 * listener detaches itself: the association is inactive until the next
 * port_associate, which replaces events and user (taking back an event
 * still queued) and re-arms. A listener that fires in interrupt context
 * only takes pp->lock and queues the slot.
 *
 * The invariant: an armed association's slot is HELD and its listener is
 * attached or about to be (arming polls after attaching nothing can run in
 * between); a fired association's slot is queued or being delivered and
 * its listener is detached. pp->lock orders "armed" against the listener.
 *
 * Who may do what (illumos semantics): the association belongs to the
 * process that made it (the owner); only the owner may dissociate (EACCES
 * for others); closing the descriptor in the owner dissociates it (close
 * observer); another process may retrieve the event and re-associate only
 * while it has the same file at the same descriptor number — which is
 * exactly what fork gives a child for the associations made before the
 * fork, and what it does not give for descriptors opened after it.
 */
#include <errno.h>

#include "kern/kmem.h"
#include "syscalls/portfs/port_priv.h"

/* Liveness guard: associations one dissociation or close walks; past it the loop is a livelock bug. */
#define PORT_FD_ASSOC_ROUNDS_MAX 1000000

static KMEM_TYPE(kmt_fd_assoc, "port.fd_assoc");

#define PORT_FD_EVENTS_VALID                                                                       \
	(PORT_POLLIN | PORT_POLLPRI | PORT_POLLOUT | PORT_POLLRDNORM | PORT_POLLRDBAND |           \
	 PORT_POLLWRBAND | PORT_POLLERR | PORT_POLLHUP | PORT_POLLNVAL)

struct port_fd_assoc {
	struct list_node plink; /* pp->fd_assocs */
	struct list_node rlink; /* run->fd_assocs_all */
	struct port *pp;
	int fd;
	struct file *fp; /* not held: the owner's close dissociates first */
	int owner_pid;
	int events; /* illumos bits */
	uint64_t user;
	bool armed;
	struct poll_listener l;
	struct port_kevent *kev; /* CACHED */
};

static bool can_sleep(void)
{
	return sim_thread_current() != NULL && !sim_in_irq();
}

static struct port_fd_assoc *assoc_find(struct port *pp, int fd, const struct file *fp)
{
	for (struct list_node *n = pp->fd_assocs.next; n != &pp->fd_assocs; n = n->next) {
		struct port_fd_assoc *a = list_entry(n, struct port_fd_assoc, plink);
		if (a->fd == fd && a->fp == fp)
			return a;
	}
	return NULL;
}

static unsigned interest_of(const struct port_fd_assoc *a)
{
	return port_poll_to_kernel(a->events);
}

/* The association fires with readiness rev: queue its slot once. Any
 * context. */
static void fd_fire(struct port_fd_assoc *a, unsigned rev)
{
	struct port *pp = a->pp;
	spin_lock(&pp->lock);
	if (!a->armed || a->kev->state != KEV_HELD) {
		spin_unlock(&pp->lock);
		return;
	}
	a->armed = false;
	poll_unlisten(&a->l);
	a->kev->events =
	    port_poll_from_kernel(rev & (interest_of(a) | POLLERR | POLLHUP | POLLNVAL));
	trace_emit(TR_INFO, "port:fd_fire", (int64_t)pp->id, a->fd, a->kev->events, 0);
	port_enqueue_locked(pp, a->kev);
	port_unlock_pollwakeup(pp);
}

/* Readiness listener: any context, must not sleep. */
static void fd_poll_cb(struct poll_listener *l, unsigned events)
{
	struct port_fd_assoc *a = l->priv;
	if (events & POLLFREE) {
		/* The file is going away; nothing will fire any more. */
		poll_unlisten(l);
		return;
	}
	if (events & (interest_of(a) | POLLERR | POLLHUP | POLLNVAL))
		fd_fire(a, events);
}

/* Arms a (listener detached, slot HELD): polls, fires at once when ready,
 * else listens. Thread context, assoc_mutex held. */
static void fd_arm(struct port_fd_assoc *a)
{
	mutex_assert_held(&port_run()->assoc_mutex);
	struct port *pp = a->pp;
	KASSERT(!poll_listening(&a->l), "arming an attached listener");
	unsigned interest = interest_of(a);
	poll_listener_init(&a->l, fd_poll_cb, a, interest);
	spin_lock(&pp->lock);
	a->armed = true;
	spin_unlock(&pp->lock);
	/* From here to poll_listen nothing can run (no switch point), so a
	 * change after the poll reaches the listener. */
	struct poll_head *ph = NULL;
	unsigned rev = file_poll(a->fp, interest, &ph);
	if (rev & (interest | POLLERR | POLLHUP | POLLNVAL)) {
		fd_fire(a, rev);
		return;
	}
	if (ph != NULL)
		poll_listen(ph, &a->l);
}

static void fd_disarm(struct port_fd_assoc *a)
{
	struct port *pp = a->pp;
	spin_lock(&pp->lock);
	a->armed = false;
	poll_unlisten(&a->l);
	spin_unlock(&pp->lock);
}

/* Delivery: the owner always; another process only while it has the same
 * file at the same descriptor (inherited before a fork). */
static int fd_callback(void *arg, int *events, int pid, int flag, struct port_kevent *k)
{
	struct port_fd_assoc *a = arg;
	(void)events;
	(void)k;
	if (flag != PORT_CALLBACK_DEFAULT)
		return 0;
	struct simk_proc *cur = sim_proc_current();
	if (cur->pid != pid && !fd_is(cur, a->fd, a->fp))
		return EACCES;
	return 0;
}

/* Dissociates a (assoc_mutex held in thread context): its queued event is
 * taken back, its slot freed. */
static void fd_assoc_remove(struct port_fd_assoc *a)
{
	struct port *pp = a->pp;
	fd_disarm(a);
	if (can_sleep())
		port_remove_done_event(a->kev); /* waits out a delivery attempt */
	port_free_event(a->kev);
	list_del(&a->plink);
	list_del(&a->rlink);
	trace_emit(TR_INFO, "port:fd_dissociate", (int64_t)pp->id, a->fd, a->owner_pid, 0);
	kmem_free(&kmt_fd_assoc, a);
}

int port_associate_fd(struct port *pp, int fd, int events, uint64_t user)
{
	struct port_run *run = port_run();
	struct simk_proc *p = sim_proc_current();
	if (events & ~PORT_FD_EVENTS_VALID)
		return -EINVAL;
	struct file *fp;
	if (fd_get(p, fd, &fp) != 0)
		return -EBADF;
	if (port_of_file(fp) == pp) {
		file_put(fp); /* a port cannot watch itself */
		return -EINVAL;
	}
	mutex_lock(&run->assoc_mutex);
	int r = 0;
	if (!fd_is(p, fd, fp)) {
		r = -EBADF; /* closed while we waited for the lock */
		goto out;
	}
	if (pp->state != PORT_OPEN) {
		r = -EBADFD;
		goto out;
	}
	struct port_fd_assoc *a = assoc_find(pp, fd, fp);
	if (a == NULL) {
		a = kmem_zalloc(&kmt_fd_assoc, sizeof(*a));
		if (a == NULL) {
			r = -ENOMEM;
			goto out;
		}
		r = port_alloc_event(pp, p, PORT_ALLOC_CACHED, PORT_SOURCE_FD, &a->kev);
		if (r != 0) {
			kmem_free(&kmt_fd_assoc, a);
			goto out;
		}
		a->pp = pp;
		a->fd = fd;
		a->fp = fp;
		a->owner_pid = p->pid;
		list_push_back(&pp->fd_assocs, &a->plink);
		list_push_back(&run->fd_assocs_all, &a->rlink);
	} else {
		/* Re-association: replace events and user, re-arm. */
		fd_disarm(a);
		port_remove_done_event(a->kev);
	}
	a->events = events;
	a->user = user;
	port_init_event(a->kev, (uint64_t)fd, user, fd_callback, a);
	trace_emit(TR_INFO, "port:fd_associate", (int64_t)pp->id, fd, events, a->owner_pid);
	fd_arm(a);
out:
	mutex_unlock(&run->assoc_mutex);
	file_put(fp);
	return r;
}

int port_dissociate_fd(struct port *pp, int fd)
{
	struct port_run *run = port_run();
	struct simk_proc *p = sim_proc_current();
	struct file *fp;
	if (fd_get(p, fd, &fp) != 0)
		return -EBADF;
	mutex_lock(&run->assoc_mutex);
	int r = 0;
	struct port_fd_assoc *a = assoc_find(pp, fd, fp);
	if (a == NULL)
		r = -ENOENT;
	else if (a->owner_pid != p->pid)
		r = -EACCES;
	else
		fd_assoc_remove(a);
	mutex_unlock(&run->assoc_mutex);
	file_put(fp);
	return r;
}

void port_fd_close_port(struct port *pp, int pid)
{
	mutex_assert_held(&port_run()->assoc_mutex);
	for (int guard = 0;; guard++) {
		KASSERT(guard < PORT_FD_ASSOC_ROUNDS_MAX, "fd dissociation loop does not end");
		struct port_fd_assoc *found = NULL;
		for (struct list_node *n = pp->fd_assocs.next; n != &pp->fd_assocs; n = n->next) {
			struct port_fd_assoc *a = list_entry(n, struct port_fd_assoc, plink);
			if (pid == 0 || a->owner_pid == pid) {
				found = a;
				break;
			}
		}
		if (found == NULL)
			return;
		fd_assoc_remove(found);
	}
}

void port_fd_closed(struct simk_proc *p, int fd, struct file *fp)
{
	struct port_run *run = port_run();
	if (list_empty(&run->fd_assocs_all))
		return;
	mutex_lock(&run->assoc_mutex);
	for (int guard = 0;; guard++) {
		KASSERT(guard < PORT_FD_ASSOC_ROUNDS_MAX, "fd close loop does not end");
		struct port_fd_assoc *found = NULL;
		for (struct list_node *n = run->fd_assocs_all.next; n != &run->fd_assocs_all;
		     n = n->next) {
			struct port_fd_assoc *a = list_entry(n, struct port_fd_assoc, rlink);
			if (a->owner_pid == p->pid && a->fd == fd && a->fp == fp) {
				found = a;
				break;
			}
		}
		if (found == NULL)
			break;
		fd_assoc_remove(found);
	}
	mutex_unlock(&run->assoc_mutex);
}
