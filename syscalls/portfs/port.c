/*
 * Event ports: the port object, its file, the run settings and the
 * subsystem plug-in. docs/port.md is the long version of this comment.
 *
 * A port is a queue of event slots that sources fill and threads empty.
 * Every event a port can ever hold was reserved ahead of time as a slot
 * (port_alloc_event), by the call that made delivery possible (a send, an
 * association, a timer_create, an AIO submission), so a source never
 * fails at the moment it has something to tell — it only finds the slot
 * busy. The invariant that makes this correct: a slot is in exactly one
 * state (held by its source, queued, on a retrieving thread's get list,
 * or in a delivery attempt), every state change happens under pp->lock,
 * and a sent event leaves the queue exactly once — delivered, discarded
 * by close or dissociation, or taken back by its source.
 *
 * The port is also a file (FT_PORT): the descriptor is how processes name
 * it, so fork shares it, close(2) closes it and poll(2) sees it. The port
 * object outlives its last close until every slot came back and the last
 * file reference is gone (ops->release).
 */
#include "syscalls/portfs/port.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "syscalls/portfs/port_priv.h"
#include "vfs/vfs.h"

static int port_subsys_slot = -1; /* sim_subsys_register() */

static KMEM_TYPE(kmt_port, "port.port");

/* ---- run state ------------------------------------------------------------- */

struct port_run *port_run(void)
{
	struct port_run *r = sim_subsys_need(sim_cur(), port_subsys_slot);
	KASSERT(r != NULL, "portfs used outside a simulation");
	return r;
}

void port_limits_default(struct port_limits *l)
{
	l->ports_max = PORT_PORTS_MAX_DEFAULT;
	l->events_max = PORT_EVENTS_MAX_DEFAULT;
	l->list_max = PORT_LIST_MAX_DEFAULT;
}

int port_limits_set(const struct port_limits *l)
{
	if (l->ports_max == 0 || l->events_max == 0 || l->list_max == 0)
		return -EINVAL;
	port_run()->limits = *l;
	trace_emit(TR_INFO, "port:limits", l->ports_max, l->events_max, l->list_max, 0);
	return 0;
}

void port_limits_get(struct port_limits *l)
{
	*l = port_run()->limits;
}

void port_stats_get(struct port_stats *st)
{
	*st = port_run()->st;
}

int port_cur_pid(void)
{
	struct simk_proc *p = sim_proc_current();
	return p ? p->pid : 0;
}

/* ---- the file ---------------------------------------------------------------- */

unsigned port_readiness(struct port *pp)
{
	return pp->q_nent + pp->g_nent > 0 ? (POLLIN | POLLRDNORM) : 0;
}

void port_unlock_pollwakeup(struct port *pp)
{
	spin_assert_held(&pp->lock);
	unsigned ready = port_readiness(pp);
	pp->pollwakeups++;
	spin_unlock(&pp->lock);
	pollwakeup(&pp->ph, ready);
	spin_lock(&pp->lock);
	KASSERT(pp->pollwakeups > 0, "pollwakeup count underflow");
	if (--pp->pollwakeups == 0 && waitq_active(&pp->close_wq))
		waitq_wake_all(&pp->close_wq);
	spin_unlock(&pp->lock);
}

/* Must not sleep (file_ops.poll). */
static unsigned port_fop_poll(struct file *fp, unsigned interest, struct poll_head **php)
{
	struct port *pp = fp->priv;
	spin_lock(&pp->lock);
	unsigned ready = port_readiness(pp);
	spin_unlock(&pp->lock);
	if (php)
		*php = &pp->ph;
	return ready & (interest | POLLERR | POLLHUP | POLLNVAL);
}

/* fstat: a port has no permission bits or links; its size is the number of
 * events queued, its times the creation time. */
static int port_fop_stat(struct file *fp, struct simk_stat *st)
{
	struct port *pp = fp->priv;
	memset(st, 0, sizeof(*st));
	st->st_ino = pp->id;
	st->st_mode = 0;
	st->st_uid = (uint32_t)pp->uid;
	st->st_gid = (uint32_t)pp->gid;
	spin_lock(&pp->lock);
	st->st_size = pp->q_nent + pp->g_nent;
	spin_unlock(&pp->lock);
	st->st_atime_ns = st->st_mtime_ns = st->st_ctime_ns = pp->ctime_ns;
	st->st_type = FT_PORT;
	return 0;
}

/* The last file reference is gone. Thread context normally; host context at
 * the end of a run (then nothing may be waited for). */
static void port_fop_release(struct file *fp)
{
	struct port *pp = fp->priv;
	KASSERT(pp->thrcnt == 0, "port %llu released while in use", (unsigned long long)pp->id);
	KASSERT(pp->kernel_refs == 0, "port %llu released while in use",
		(unsigned long long)pp->id);
	if (pp->state != PORT_CLOSED)
		port_last_close(pp);
	port_free(pp);
}

static const struct file_ops port_fops = {
    .name = "port",
    .poll = port_fop_poll,
    .stat = port_fop_stat,
    .release = port_fop_release,
};

struct port *port_of_file(struct file *fp)
{
	return fp->type == FT_PORT && fp->ops == &port_fops ? fp->priv : NULL;
}

int port_getf(int fd, struct file **fpp, struct port **ppp)
{
	int r = port_hold_fd(NULL, fd, ppp);
	if (r == 0)
		*fpp = (*ppp)->fp;
	return r;
}

void port_releasef(struct file *fp, struct port *pp)
{
	KASSERT(pp->kernel_refs > 0, "port %llu: unbalanced releasef", (unsigned long long)pp->id);
	pp->kernel_refs--;
	file_put(fp);
}

int port_hold_fd(struct simk_proc *p, int fd, struct port **ppp)
{
	sim_assert_thread_context(__func__);
	if (p == NULL)
		p = sim_proc_current();
	struct file *fp;
	if (fd_get(p, fd, &fp) != 0)
		return -EBADF;
	struct port *pp = port_of_file(fp);
	if (pp == NULL) {
		file_put(fp);
		return -EBADFD;
	}
	KASSERT(pp->fp == fp, "port %llu: not its file", (unsigned long long)pp->id);
	pp->kernel_refs++;
	*ppp = pp;
	return 0;
}

void port_rele(struct port *pp)
{
	port_releasef(pp->fp, pp);
}

/* ---- creation ------------------------------------------------------------------ */

static struct port *port_new(struct port_run *r, struct simk_proc *p)
{
	struct port *pp = kmem_zalloc(&kmt_port, sizeof(*pp));
	if (pp == NULL)
		return NULL;
	spin_init(&pp->lock, "port");
	pp->id = ++r->next_port_id;
	pp->creator_pid = p->pid;
	pp->uid = p->uid;
	pp->gid = p->gid;
	pp->ctime_ns = (int64_t)sim_now();
	pp->events_max = r->limits.events_max;
	pp->state = PORT_OPEN;
	list_init(&pp->queue);
	list_init(&pp->getlist);
	list_init(&pp->waiters);
	list_init(&pp->slots);
	list_init(&pp->sources);
	list_init(&pp->fd_assocs);
	list_init(&pp->file_watches);
	waitq_init(&pp->get_wq, "port_block");
	waitq_init(&pp->slot_wq, "port_slot");
	waitq_init(&pp->deliver_wq, "port_deliver");
	waitq_init(&pp->close_wq, "port_close");
	poll_head_init(&pp->ph, "port");
	return pp;
}

void port_free(struct port *pp)
{
	struct port_run *r = port_run();
	KASSERT(pp->state == PORT_CLOSED, "port %llu freed before its last close",
		(unsigned long long)pp->id);
	KASSERT(pp->q_nent == 0, "port %llu freed with events queued", (unsigned long long)pp->id);
	KASSERT(pp->g_nent == 0, "port %llu freed with events queued", (unsigned long long)pp->id);
	KASSERT(list_empty(&pp->queue), "port %llu freed with events queued",
		(unsigned long long)pp->id);
	KASSERT(list_empty(&pp->getlist), "port %llu freed with events queued",
		(unsigned long long)pp->id);
	KASSERT(list_empty(&pp->waiters), "port %llu freed with waiters",
		(unsigned long long)pp->id);
	KASSERT(pp->thrcnt == 0, "port %llu freed with waiters", (unsigned long long)pp->id);
	KASSERT(pp->pollwakeups == 0, "port %llu freed with waiters", (unsigned long long)pp->id);
	KASSERT(list_empty(&pp->fd_assocs), "port %llu freed with associations",
		(unsigned long long)pp->id);
	KASSERT(list_empty(&pp->file_watches), "port %llu freed with associations",
		(unsigned long long)pp->id);
	if (pp->nslots != 0) {
		/* A source kept slots past the last close: the run fails in the
		 * leak check; keep the port so the slots stay valid. */
		trace_emit(TR_INFO, "port:leak", (int64_t)pp->id, pp->nslots, 0, 0);
		return;
	}
	port_sources_free(pp);
	poll_head_destroy(&pp->ph);
	waitq_destroy(&pp->get_wq);
	waitq_destroy(&pp->slot_wq);
	waitq_destroy(&pp->deliver_wq);
	waitq_destroy(&pp->close_wq);
	list_del(&pp->link);
	r->st.ports_live--;
	trace_emit(TR_INFO, "port:free", (int64_t)pp->id, 0, 0, 0);
	kmem_free(&kmt_port, pp);
}

int sys_port_create(void)
{
	struct port_run *r = port_run();
	struct simk_proc *p = sim_proc_current();
	if (r->st.ports_live >= r->limits.ports_max)
		return -EAGAIN;
	struct port *pp = port_new(r, p);
	if (pp == NULL)
		return -ENOMEM;
	list_push_back(&r->ports, &pp->link);
	r->st.ports_live++;
	r->st.ports_created++;
	int err = port_add_static_sources(pp);
	int fd = err ? err : fd_alloc(p, 0);
	if (fd < 0) {
		pp->state = PORT_CLOSED;
		port_free(pp);
		return fd;
	}
	struct file *fp = file_alloc(FT_PORT, &port_fops, pp, O_RDWR);
	if (fp == NULL) {
		fd_unreserve(p, fd);
		pp->state = PORT_CLOSED;
		port_free(pp);
		return -ENOMEM;
	}
	pp->fp = fp;
	fd_install(p, fd, fp, 0);
	trace_emit(TR_INFO, "port:create", (int64_t)pp->id, fd, p->pid, 0);
	return fd;
}

int port_queued(int fd)
{
	struct file *fp;
	struct port *pp;
	int r = port_getf(fd, &fp, &pp);
	if (r != 0)
		return r;
	spin_lock(&pp->lock);
	int n = (int)(pp->q_nent + pp->g_nent);
	spin_unlock(&pp->lock);
	port_releasef(fp, pp);
	return n;
}

/* ---- associate / dissociate ------------------------------------------------- */

int sys_port_associate(int port, int source, uint64_t object, int events, uint64_t user)
{
	struct file *fp;
	struct port *pp;
	int r = port_getf(port, &fp, &pp);
	if (r != 0)
		return r;
	switch (source) {
	case PORT_SOURCE_FD:
		r = object > (uint64_t)INT32_MAX ? -EBADF
						 : port_associate_fd(pp, (int)object, events, user);
		break;
	case PORT_SOURCE_FILE:
		r = port_associate_file(pp, object, events, user);
		break;
	default:
		r = -EINVAL;
		break;
	}
	port_releasef(fp, pp);
	return r;
}

int sys_port_dissociate(int port, int source, uint64_t object)
{
	struct file *fp;
	struct port *pp;
	int r = port_getf(port, &fp, &pp);
	if (r != 0)
		return r;
	switch (source) {
	case PORT_SOURCE_FD:
		r = object > (uint64_t)INT32_MAX ? -EBADF : port_dissociate_fd(pp, (int)object);
		break;
	case PORT_SOURCE_FILE:
		r = port_dissociate_file(pp, object);
		break;
	default:
		r = -EINVAL;
		break;
	}
	port_releasef(fp, pp);
	return r;
}

/* ---- poll bits at the illumos boundary ----------------------------------------- */

/* illumos user bits -> our (Linux) bits. POLLWRNORM is POLLOUT on illumos;
 * illumos POLLWRBAND (0x100) is Linux's 0x200. */
unsigned port_poll_to_kernel(int events)
{
	unsigned e = (unsigned)events;
	unsigned k = e & (POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLNVAL | POLLRDNORM |
			  POLLRDBAND);
	if (e & PORT_POLLWRBAND)
		k |= POLLWRBAND;
	return k;
}

int port_poll_from_kernel(unsigned revents)
{
	unsigned u = revents & (POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLNVAL |
				POLLRDNORM | POLLRDBAND);
	if (revents & POLLWRNORM)
		u |= PORT_POLLOUT;
	if (revents & POLLWRBAND)
		u |= PORT_POLLWRBAND;
	return (int)u;
}

/* ---- the subsystem ----------------------------------------------------------- */

static int portfs_create(struct simk *s)
{
	struct port_run *r = sim_zalloc(sizeof(*r));
	if (r == NULL)
		return -1;
	port_limits_default(&r->limits);
	list_init(&r->ports);
	list_init(&r->fd_assocs_all);
	mutex_init(&r->assoc_mutex, "port_assoc");
	s->subsys[port_subsys_slot] = r;
	return 0;
}

/* Every user thread exited: descriptors were closed by the processes'
 * exits, so ports still alive are held by other kernel objects (the VFS
 * releases those files after us). Nothing to do but check. */
static void portfs_end(struct simk *s)
{
	(void)s;
}

static void portfs_destroy(struct simk *s)
{
	struct port_run *r = s->subsys[port_subsys_slot];
	if (r == NULL)
		return;
	port_scn_free(r);
	free(r);
	s->subsys[port_subsys_slot] = NULL;
}

static int portfs_leak_check(struct simk *s, char *msg, size_t len)
{
	struct port_run *r = s->subsys[port_subsys_slot];
	if (r == NULL)
		return 0;
	const struct port_stats *st = &r->st;
	if (st->ports_live != 0 || st->slots_live != 0) {
		snprintf(msg, len, "portfs: %llu ports and %llu event slots still allocated",
			 (unsigned long long)st->ports_live, (unsigned long long)st->slots_live);
		return 1;
	}
	uint64_t ended = st->events_delivered + st->events_discarded + st->events_removed;
	if (ended != st->events_sent) {
		snprintf(msg, len,
			 "portfs: %llu events sent but %llu ended (delivered %llu, discarded "
			 "%llu, removed %llu)",
			 (unsigned long long)st->events_sent, (unsigned long long)ended,
			 (unsigned long long)st->events_delivered,
			 (unsigned long long)st->events_discarded,
			 (unsigned long long)st->events_removed);
		return 1;
	}
	return 0;
}

static const struct sim_subsys portfs_subsys = {
    .name = "portfs",
    .create = portfs_create,
    .end = portfs_end,
    .destroy = portfs_destroy,
    .leak_check = portfs_leak_check,
    .check = port_check,
    .lazy = true, /* made at first use: most runs never touch it */
    .oids = 2,	 /* the mutex and its wait queue */
};

void port_register(void)
{
	port_subsys_slot = sim_subsys_register(&portfs_subsys);
	fd_register_close_observer(port_close_observer);
	port_scn_register();
}
