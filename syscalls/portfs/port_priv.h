/*
 * Event ports, internal: the port object, event slots, waiters, and what
 * the files of syscalls/portfs/ share. Nothing outside syscalls/portfs/
 * includes this; other subsystems use port.h.
 *
 * Locking (one CPU: a spinlock holder never switches away)
 * ---------------------------------------------------------
 * - pp->lock (spinlock) protects the queue, the get list, the waiters, the
 *   alert, the slot list and counters, the state, and every kevent's state
 *   fields. Taken in any context (sources send from interrupts). Never held
 *   across a callback, a sleep, pollwakeup() or a call into the VFS.
 * - pp->get_busy ("the block", illumos's port_block) is a sleeping
 *   ownership of the get list: one retrieving thread at a time moves the
 *   queue to the get list and walks it with pp->lock dropped around each
 *   source callback, so sources keep sending meanwhile.
 * - run->assoc_mutex (sleeping) serializes associations of every port
 *   (PORT_SOURCE_FD and FILE), their dissociation, descriptor close and
 *   the dissociation steps of a port's close.
 */
#ifndef SIMK_SYSCALLS_PORTFS_IMPL_H
#define SIMK_SYSCALLS_PORTFS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/callout.h"
#include "kern/lock.h"
#include "kern/waitq.h"
#include "sim/engine.h"
#include "syscalls/portfs/port.h"
#include "vfs/file.h"
#include "vfs/poll.h"

/* ---- event slots ---- */

enum kev_state {
	KEV_HELD = 1,	/* allocated, owned by its source, not queued */
	KEV_QUEUED,	/* on pp->queue */
	KEV_GETLIST,	/* on pp->getlist, owned by the retrieving thread */
	KEV_DELIVERING, /* off every list: a retrieving thread runs its callback */
};

struct port_kevent {
	struct list_node link; /* pp->queue or pp->getlist */
	struct list_node all;  /* pp->slots */
	struct port *port;
	enum kev_state state;
	int flags;  /* PORT_ALLOC_* as allocated */
	int source; /* PORT_SOURCE_* */
	int pid;    /* owner process */
	int events;
	uint64_t object, user;
	port_callback_fn cb;
	void *cb_arg;
	bool free_pending;   /* freed while DELIVERING: free when the attempt ends */
	bool resend_pending; /* sent while DELIVERING: queue again after delivery */
	uint64_t id;	     /* slot number in the run (traces) */
};

static inline int kev_flavour(const struct port_kevent *k)
{
	return k->flags & PORT_ALLOC_FLAVOUR_MASK;
}
static inline bool kev_noshare(const struct port_kevent *k)
{
	return (k->flags & PORT_ALLOC_NOSHARE) != 0;
}

/* ---- waiters (illumos portget_t) ---- */

struct port_waiter {
	struct list_node link; /* pp->waiters, ascending nget, FIFO among equals */
	struct simk_thread *thread;
	unsigned nget;
	bool alerted;
	int alert_events;
	uint64_t alert_user;
};

/* ---- sources associated with a port ---- */

struct port_source {
	struct list_node link; /* pp->sources */
	int source;
	int count;
	port_close_fn close;
	void *closearg;
};

enum port_state {
	PORT_OPEN = 0,
	PORT_CLOSING, /* last close runs: waiters leave with EBADFD, no new slots */
	PORT_CLOSED,  /* last close done: sends are discarded; freed at release */
};

struct port {
	struct spinlock lock;
	struct file *fp; /* our file (not a counted reference) */
	uint64_t id;	 /* creation number in this run */
	int creator_pid;
	int uid, gid;
	int64_t ctime_ns;
	uint32_t events_max;
	enum port_state state;
	struct list_node link; /* run->ports */

	/* the queue */
	struct list_node queue;
	uint32_t q_nent;
	struct list_node getlist;
	uint32_t g_nent;
	bool get_busy;	     /* a thread owns the get list */
	struct waitq get_wq; /* threads waiting for get_busy */
	int getn_active;     /* threads retrieving (illumos portq_getn) */
	int thrcnt;	     /* threads inside port_getn (portq_thrcnt) */
	uint64_t send_seq;   /* number of sends, for "new events since my scan" */
	struct list_node waiters;
	int nwaiters;

	/* alert mode */
	bool alert;
	int alert_events;
	uint64_t alert_user;
	int alert_pid;

	/* slots */
	struct list_node slots;
	uint32_t nslots;
	struct waitq slot_wq;	 /* port_alloc_event_block sleepers */
	struct waitq deliver_wq; /* waiting for a delivery attempt to end */
	struct waitq close_wq;	 /* the closer waits for threads and slots */

	struct list_node sources;

	/* associations (run->assoc_mutex) */
	struct list_node fd_assocs;
	struct list_node file_watches;

	struct poll_head ph;
	int pollwakeups; /* pollwakeup calls in progress (keep the port alive) */
	int kernel_refs; /* file references held by our own calls (port_getf) */
};

/* Moves every node of from, in order, to the front (or the back) of to;
 * from ends empty. (Whole-list moves in one step: a node-by-node loop over
 * a list head it keeps rewriting was miscompiled by gcc 12 -O2.) */
static inline void port_list_splice(struct list_node *from, struct list_node *to, bool front)
{
	if (list_empty(from))
		return;
	struct list_node *first = from->next, *last = from->prev;
	struct list_node *before = front ? to : to->prev;
	struct list_node *after = before->next;
	before->next = first;
	first->prev = before;
	last->next = after;
	after->prev = last;
	list_init(from);
}

/* ---- per-run state ---- */

struct port_run {
	struct port_limits limits;
	struct list_node ports;
	struct port_stats st;
	uint64_t next_port_id;
	uint64_t next_kev_id;
	struct mutex assoc_mutex;
	struct list_node fd_assocs_all; /* every FD association, for fd close */
	struct port_scn_run *scn; /* scenario operations' state (port_scn.c) */
};

struct port_run *port_run(void);

/* ---- port.c ---- */
/* Looks fd up in the current process: 0 with a held file, -EBADF,
 * -EBADFD. Counts the reference in pp->kernel_refs (close detection). */
int port_getf(int fd, struct file **fpp, struct port **ppp);
void port_releasef(struct file *fp, struct port *pp);
struct port *port_of_file(struct file *fp); /* NULL when not a port */
int port_cur_pid(void);
/* Readiness of the port now (POLLIN | POLLRDNORM while events are queued). */
unsigned port_readiness(struct port *pp);
/* Called with pp->lock held: drops it and tells the port's poll listeners
 * its readiness. The port stays valid during the call (a last close waits
 * for it), and is not touched after it. */
void port_unlock_pollwakeup(struct port *pp);
void port_free(struct port *pp);

/* ---- port_queue.c ---- */
/* With pp->lock held: queues k (HELD) at the tail, wakes the head waiter
 * when it can be satisfied. Returns true (the caller pollwakeups after
 * unlocking). */
bool port_enqueue_locked(struct port *pp, struct port_kevent *k);
/* With pp->lock held: wake the first waiter when enough events are queued
 * and nobody retrieves. */
void port_wake_waiter_locked(struct port *pp);
/* With pp->lock held: frees slot k (off every list). Wakes slot waiters. */
void port_kevent_free_locked(struct port *pp, struct port_kevent *k);
/* Discards a queued event k (QUEUED or GETLIST, pp->lock held): off the
 * list, callback with flag (lock dropped around it, so it may re-take),
 * DEFAULT slots freed, others back to HELD. */
void port_discard_locked(struct port *pp, struct port_kevent *k, int flag);
int port_alloc_common(struct port *pp, struct simk_proc *owner, int flags, int source,
		      struct port_kevent **pkevp, bool block);

/* ---- port_get.c ---- */
int port_getn_common(int port, uaddr_t list, unsigned max, unsigned *nget, uaddr_t timeout,
		     bool one);

/* ---- port_alert.c ---- */
/* Fills the port_event_t of an alert. */
void port_alert_event(port_event_t *ev, int events, uint64_t user);

/* ---- port_fd.c ---- */
int port_associate_fd(struct port *pp, int fd, int events, uint64_t user);
int port_dissociate_fd(struct port *pp, int fd);
/* With run->assoc_mutex held: dissociates every FD association of pp
 * owned by pid (pid 0: every one). */
void port_fd_close_port(struct port *pp, int pid);
/* fd close observer part: associations whose (owner, fd, file) match. */
void port_fd_closed(struct simk_proc *p, int fd, struct file *fp);

/* ---- port_file.c ---- */
int port_associate_file(struct port *pp, uaddr_t fobj, int events, uint64_t user);
int port_dissociate_file(struct port *pp, uaddr_t fobj);
void port_file_close_port(struct port *pp, int pid);

/* ---- port_close.c ---- */
void port_close_observer(struct simk_proc *p, int fd, struct file *fp);
/* The last close: waiters leave, associations and sources are told,
 * queued events are discarded, every slot comes back. Thread context
 * (sleeps) unless nothing is outstanding. */
void port_last_close(struct port *pp);

/* ---- port_aio.c ---- */
/* Associates every source of the static table with a new port. */
int port_add_static_sources(struct port *pp);
void port_sources_close(struct port *pp, int pid, bool lastclose);
void port_sources_free(struct port *pp);

/* ---- port_check.c ---- */
/* KASSERTs every invariant of every port of the run (the subsystem's
 * check callback). Any context with no port lock held; never sleeps. */
void port_check(struct simk *s);

/* ---- port_scn.c ---- */
void port_scn_register(void);
void port_scn_free(struct port_run *r);

/* Poll-bit translation at the illumos boundary. */
unsigned port_poll_to_kernel(int events);
int port_poll_from_kernel(unsigned revents);

#endif
