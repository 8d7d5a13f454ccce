/*
 * Event ports (illumos portfs): a queue of events, visible as a file
 * descriptor, that user code and kernel subsystems ("event sources") post
 * to and threads retrieve from. The behaviour follows illumos port.c
 * (uts/common/fs/portfs); docs/port.md is our description of it.
 *
 * What it offers
 * --------------
 * - The system calls (Linux-style results: >= 0 or a negative errno; user
 *   pointers are user addresses of the calling process):
 *     sys_port_create, sys_port_associate, sys_port_dissociate,
 *     sys_port_send, sys_port_sendn, sys_port_alert, sys_port_get,
 *     sys_port_getn.
 *   A port is a descriptor of type FT_PORT: close(2) closes it, poll(2)
 *   reports POLLIN while events are queued, fstat(2) works.
 * - The user-memory layouts port_event_t, file_obj_t, port_notify_t and
 *   the constants PORT_SOURCE_*, FILE_*, PORT_ALERT_*.
 * - The kernel API for event sources (PORT_SOURCE_AIO and the sources of
 *   this subsystem are built on it): event slots reserved ahead of time,
 *   sent from any context, retrieved once; callbacks at delivery that may
 *   refuse it; close callbacks; port_dispatch (allocate-and-send, sleeping
 *   for a free slot).
 * - Run settings: ports per system, event slots per port, list maximum.
 *
 * System calls, and the file of each
 * ---------------------------------
 *   port_create                      port.c        (the port as a file, the run)
 *   port_associate, port_dissociate  port.c, then port_fd.c (PORT_SOURCE_FD)
 *                                    or port_file.c (PORT_SOURCE_FILE)
 *   port_send, port_sendn            port_user.c
 *   port_alert                       port_alert.c
 *   port_get, port_getn              port_get.c
 * Behind them: port_queue.c (slots, the queue, delivery and discard),
 * port_aio.c (kernel sources, port_dispatch), port_close.c (close and last
 * close), port_check.c, port_scn.c.
 *
 * What the caller guarantees
 * --------------------------
 * - sys_* run in thread context of a user process and may sleep.
 * - The kernel API states its context at each function. A source never
 *   uses a slot after port_free_event, sends a slot at most once before it
 *   comes back (delivery, removal or discard), and frees every slot it
 *   holds at the latest when its close callback runs with lastclose.
 */
#ifndef SIMK_SYSCALLS_PORTFS_H
#define SIMK_SYSCALLS_PORTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/umem.h"
#include "sim/engine.h"
#include "syscalls/sigevent.h"

/* ---- user-visible constants (illumos values) ---------------------------- */

#define PORT_SOURCE_AIO 1
#define PORT_SOURCE_TIMER 2
#define PORT_SOURCE_USER 3
#define PORT_SOURCE_FD 4
#define PORT_SOURCE_ALERT 5
#define PORT_SOURCE_MQ 6 /* reserved: no message queues in simk (EINVAL) */
#define PORT_SOURCE_FILE 7
#define PORT_SOURCE_MAX 8 /* sources are 1 .. PORT_SOURCE_MAX - 1 */

/* port_alert flags: SET overwrites the alert, UPDATE fails with EBUSY when
 * the port is already in alert mode; both at once is EINVAL. */
#define PORT_ALERT_SET 0x01
#define PORT_ALERT_UPDATE 0x02
#define PORT_ALERT_INVALID (PORT_ALERT_SET | PORT_ALERT_UPDATE)

/* PORT_SOURCE_FD events are poll(2) events, with illumos's values: the
 * same as Linux's except POLLWRNORM (== POLLOUT on illumos) and POLLWRBAND
 * (0x100). Ports translate at their boundary; these are the user values. */
#define PORT_POLLIN 0x0001
#define PORT_POLLPRI 0x0002
#define PORT_POLLOUT 0x0004
#define PORT_POLLRDNORM 0x0040
#define PORT_POLLWRNORM PORT_POLLOUT
#define PORT_POLLRDBAND 0x0080
#define PORT_POLLWRBAND 0x0100
#define PORT_POLLERR 0x0008
#define PORT_POLLHUP 0x0010
#define PORT_POLLNVAL 0x0020

/* PORT_SOURCE_FILE events (illumos values). The first group is asked for
 * in port_associate's events; the exception events are always reported
 * and end the watch. FILE_NOFOLLOW is an association flag: watch a
 * symbolic link itself instead of the file it names. */
#define FILE_ACCESS 0x00000001
#define FILE_MODIFIED 0x00000002
#define FILE_ATTRIB 0x00000004
#define FILE_TRUNC 0x00100000
#define FILE_NOFOLLOW 0x10000000
#define FILE_DELETE 0x00000010
#define FILE_RENAME_TO 0x00000020
#define FILE_RENAME_FROM 0x00000040
#define UNMOUNTED 0x20000000
#define MOUNTEDOVER 0x40000000
#define FILE_EXCEPTION (UNMOUNTED | FILE_DELETE | FILE_RENAME_TO | FILE_RENAME_FROM | MOUNTEDOVER)
#define FILE_EVENTS_VALID (FILE_ACCESS | FILE_MODIFIED | FILE_ATTRIB | FILE_TRUNC | FILE_NOFOLLOW)

/* ---- user-memory layouts ------------------------------------------------ */

/* One retrieved event (24 bytes). object: the fd (FD), the file_obj_t
 * address (FILE), the timer id (TIMER), the aiocb address (AIO), 0 for
 * USER and ALERT. user: the user value given at association or send. */
typedef struct port_event {
	int32_t portev_events;
	uint16_t portev_source;
	uint16_t portev_pad;
	uint64_t portev_object;
	uint64_t portev_user;
} port_event_t;
_Static_assert(sizeof(port_event_t) == 24, "port_event_t layout");

/* A watched file (80 bytes): the stat times the caller saw (an association
 * whose times are already stale fires at once) and the user address of the
 * NUL-terminated absolute path. */
typedef struct file_obj {
	struct simk_timespec fo_atime;
	struct simk_timespec fo_mtime;
	struct simk_timespec fo_ctime;
	uint64_t fo_pad[3];
	uint64_t fo_name;
} file_obj_t;
_Static_assert(sizeof(file_obj_t) == 80, "file_obj_t layout");

/* SIGEV_PORT: sigev_value points to one of these (16 bytes). */
typedef struct port_notify {
	int32_t portnfy_port;
	int32_t portnfy_pad;
	uint64_t portnfy_user;
} port_notify_t;
_Static_assert(sizeof(port_notify_t) == 16, "port_notify_t layout");

/* ---- system calls -------------------------------------------------------- */

/* Returns the new port's descriptor, -EAGAIN (ports per system), -EMFILE,
 * -ENOMEM. */
int sys_port_create(void);
/*
 * PORT_SOURCE_FD: object is a descriptor, events poll events; one-shot
 * (re-associating replaces events and user and re-arms). PORT_SOURCE_FILE:
 * object is the user address of a file_obj_t, events FILE_* bits.
 * Errors: -EBADF (port or fd), -EBADFD (port is not a port, or closing),
 * -EINVAL (bad source or events; FD: the port itself), -EFAULT, -ENOENT
 * (FILE: no such path), -EAGAIN (event limit), -ENOMEM, -ENAMETOOLONG.
 */
int sys_port_associate(int port, int source, uint64_t object, int events, uint64_t user);
/* -ENOENT when object is not associated; -EACCES when another process
 * made the association (FD, after fork); -EBADF (FD: fd not open);
 * -EINVAL (bad source). */
int sys_port_dissociate(int port, int source, uint64_t object);
/* PORT_SOURCE_USER event. -EBADF, -EBADFD (not a port, or closing),
 * -EAGAIN (limit), -ENOMEM. */
int sys_port_send(int port, int events, uint64_t user);
/*
 * ports, errors: user addresses of nent ints. Sends to every valid port.
 * Returns nent when every send worked; otherwise -EIO and errors[i] holds
 * EBADF, EBADFD or EAGAIN (positive) for each failed entry, 0 for the
 * others. -EINVAL for nent 0 or above the list maximum, -EFAULT.
 */
int sys_port_sendn(uaddr_t ports, uaddr_t errors, unsigned nent, int events, uint64_t user);
/* flags PORT_ALERT_SET / PORT_ALERT_UPDATE; events 0 leaves alert mode
 * (flags ignored). -EINVAL (both flags, or neither with events != 0),
 * -EBUSY (UPDATE while alerted). */
int sys_port_alert(int port, int flags, int events, uint64_t user);
/* pe: user address of a port_event_t; timeout: user address of a struct
 * simk_timespec or 0 (wait forever); {0, 0} polls (-ETIME when nothing is
 * there). 0, -ETIME, -EINTR, -EBADFD (port closed while waiting), -EFAULT,
 * -EINVAL (bad timeout, noticed when the call would wait). */
int sys_port_get(int port, uaddr_t pe, uaddr_t timeout);
/*
 * list: user address of max port_event_t; nget: user address of a uint32
 * (in: how many events to wait for, out: how many were returned).
 * max 0: stores the number of queued events in *nget and returns 0
 * without waiting. Otherwise: -EINVAL if *nget > max, -EFAULT for a NULL
 * list; waits until *nget events are available (or alert, timeout,
 * signal, close), then returns up to max (and at most the list maximum).
 * On timeout returns -ETIME with the events it did get stored and counted
 * in *nget; a {0, 0} timeout returns 0 with whatever was there. -EINTR,
 * -EBADFD, -EINVAL (bad timeout, noticed when the call would wait).
 * *nget is written for 0 and -ETIME only. -EFAULT, nothing taken: list
 * (for the events there are) or *nget not writable.
 */
int sys_port_getn(int port, uaddr_t list, unsigned max, uaddr_t nget, uaddr_t timeout);

/* ---- run settings -------------------------------------------------------- */

struct port_limits {
	uint32_t ports_max;  /* ports per system (project.port-max-ids): EAGAIN */
	uint32_t events_max; /* event slots per port (process.port-max-events) */
	uint32_t list_max;   /* sendn nent maximum, getn list cap (port_max_list) */
};
#define PORT_PORTS_MAX_DEFAULT 8192
#define PORT_EVENTS_MAX_DEFAULT 65536
#define PORT_LIST_MAX_DEFAULT 8192

void port_limits_default(struct port_limits *l);
/* Sets the limits of the current run (host context before simk_run, or
 * thread context). A port takes events_max when it is created. -EINVAL for
 * a zero field. */
int port_limits_set(const struct port_limits *l);
void port_limits_get(struct port_limits *l);

/* ---- kernel API for event sources ---------------------------------------- */

struct port;	    /* one event port (opaque) */
struct port_kevent; /* one event slot (opaque) */
struct port_source; /* a source's association with a port (opaque) */

/*
 * Allocation flavours: what happens to a slot after its event was
 * delivered to the application.
 *   DEFAULT  the port frees it.
 *   PRIVATE  never sent: the source's own bookkeeping slot (it counts
 *            against the limit; sending it is a kernel panic).
 *   CACHED   stays with the port's object cache (PORT_SOURCE_FD keeps
 *            one per association); the source re-sends it; the port frees
 *            any CACHED slot still allocated at last close.
 *   SCACHED  source-cached: goes back to the source, which re-sends it
 *            (a timer's one slot) and frees it when done.
 * A slot not freed by the port is always freed by port_free_event.
 * PORT_ALLOC_NOSHARE may be or'ed in: the event is never delivered to
 * another process than its owner, and is discarded when its owner closes
 * the port (non-shareable events: AIO, TIMER, FILE).
 */
#define PORT_ALLOC_DEFAULT 0
#define PORT_ALLOC_PRIVATE 1
#define PORT_ALLOC_CACHED 2
#define PORT_ALLOC_SCACHED 3
#define PORT_ALLOC_FLAVOUR_MASK 0x3
#define PORT_ALLOC_NOSHARE 0x10

/* Why a callback runs. */
#define PORT_CALLBACK_DEFAULT 1	   /* delivery to the calling thread's process */
#define PORT_CALLBACK_CLOSE 2	   /* the port is closing: the event is discarded */
#define PORT_CALLBACK_DISSOCIATE 3 /* the event is discarded by a dissociation */

/*
 * Called once per delivery attempt with PORT_CALLBACK_DEFAULT, in thread
 * context of the retrieving thread (whose process is sim_proc_current()),
 * with no port lock held (the queue keeps accepting events meanwhile). It
 * may update *events (what the application will see), free resources of
 * the event, or refuse the delivery by returning non-zero (e.g. because
 * pid, the event's owner, is not the current process): the event then
 * stays queued, in place, for another thread. It may take sleeping locks
 * but must not wait for anything of this port, nor call
 * port_remove_done_event on this port. With PORT_CALLBACK_CLOSE /
 * DISSOCIATE the return value is ignored and it must not sleep.
 */
typedef int (*port_callback_fn)(void *arg, int *events, int pid, int flag,
				struct port_kevent *pkev);

/*
 * A source's close callback: process pid closes a descriptor of port pp.
 * It must not dissociate its own source from inside the callback (the
 * port frees its associations with the port object).
 * lastclose false: another descriptor remains; free the slots, queued or
 * not, whose events are not shareable and belong to pid. lastclose true:
 * the port is going away; free every slot of this source (now, or later
 * from wherever the slot comes back, e.g. an I/O completion — the close
 * waits until every slot came back). Thread context of the closing thread;
 * may sleep.
 */
typedef void (*port_close_fn)(void *arg, struct port *pp, int pid, bool lastclose);

/* Finds the port behind descriptor fd of process p (NULL: the current
 * process) and holds it (a file reference) until port_rele. 0, -EBADF,
 * -EBADFD (fd is not a port). Thread context. */
int port_hold_fd(struct simk_proc *p, int fd, struct port **ppp);
void port_rele(struct port *pp);

/*
 * Reserves an event slot of pp for an event of source, owned by process
 * owner (NULL: the current process). flags: a flavour | PORT_ALLOC_NOSHARE.
 * Never sleeps; any context. 0, -EAGAIN (events per port), -EBADFD (port
 * closing), -ENOMEM, -EINVAL (bad source or flags). The slot keeps the port
 * object alive (its last close waits for it) — not the descriptor.
 */
int port_alloc_event(struct port *pp, struct simk_proc *owner, int flags, int source,
		     struct port_kevent **pkevp);
/* Same by descriptor, for the calling context of a system call: looks fd
 * up in owner (NULL: current process), -EBADF / -EBADFD as port_hold_fd.
 * Thread context. */
int port_alloc_event_fd(struct simk_proc *owner, int fd, int flags, int source,
			struct port_kevent **pkevp);
/* Same as port_alloc_event, but sleeps (interruptibly) while the port is
 * at its event limit: 0, -EINTR, -EBADFD (closed while waiting), -ENOMEM,
 * -EINVAL. Thread context. */
int port_alloc_event_block(struct port *pp, struct simk_proc *owner, int flags, int source,
			   struct port_kevent **pkevp);

/* Sets the event data (object, user, callback and its arg). Call before
 * the first send; a held (not queued) slot may be re-initialized. Any
 * context. */
void port_init_event(struct port_kevent *pkev, uint64_t object, uint64_t user, port_callback_fn cb,
		     void *arg);
/* Sets the events the application will see (the callback may still
 * change them). Any context; the slot must not be queued. */
void port_set_event(struct port_kevent *pkev, int events);
/* Queues the event at the tail and wakes a waiter. Any context (interrupt
 * included), never sleeps. If the port is past its last close the event
 * is discarded instead (callback with PORT_CALLBACK_CLOSE; a DEFAULT slot
 * is freed, others come back to the source). */
void port_send_event(struct port_kevent *pkev);
/*
 * Takes a sent, not yet retrieved event back: true when it was removed
 * from the queue (the slot is held by the source again), false when it
 * was not queued (already delivered, or never sent). Waits while the event
 * is in the middle of a delivery attempt. Thread context; may sleep.
 */
bool port_remove_done_event(struct port_kevent *pkev);
/* Gives a slot back to the port. A queued event is removed first (never
 * delivered); an event in the middle of a delivery attempt is freed when
 * the attempt ends. Any context. */
void port_free_event(struct port_kevent *pkev);
/* Accessors (any context). */
/* False once the port's last close has begun: a source that attaches
 * through calls with switch points checks it after them (its close
 * callback may have run before the source could be found). */
bool port_is_open(const struct port *pp);
struct port *port_kevent_port(const struct port_kevent *pkev);
int port_kevent_pid(const struct port_kevent *pkev);
bool port_kevent_queued(const struct port_kevent *pkev);

/*
 * Associates a kernel source with one port, with a close callback
 * (close may be NULL for a source that keeps no resources and returns
 * its slots without delay). Associating the same source again counts up.
 * *psp receives the association. 0, -ENOMEM, -EINVAL. Thread context.
 */
int port_associate_ksource(struct port *pp, int source, port_close_fn close, void *closearg,
			   struct port_source **psp);
/* Counts down; the last dissociation removes the callback. 0 or -EINVAL
 * (not this port's association). Thread context, not from a close
 * callback. */
int port_dissociate_ksource(struct port *pp, int source, struct port_source *ps);
/*
 * A source every port is associated with at creation (illumos's static
 * table; POSIX AIO registers PORT_SOURCE_AIO here). Host context, from a
 * subsystem's registration function, before any run; at most 8 entries.
 */
void port_ksource_register(int source, port_close_fn close, void *closearg);

/*
 * port_dispatch: allocate a DEFAULT slot (sleeping while the port is at
 * its event limit), fill it and send it, in one call; what a library-level
 * source (POSIX AIO over worker threads) uses at completion. fd is looked
 * up in owner (NULL: current process), which also owns the event. flags:
 * PORT_DISPATCH_NOSHARE makes the event non-shareable (only owner's
 * threads retrieve it). source: PORT_SOURCE_AIO only (else -EINVAL).
 * 0, -EBADF, -EBADFD, -EINTR, -ENOMEM. Thread context.
 */
#define PORT_DISPATCH_NOSHARE 0x1
int port_dispatch(struct simk_proc *owner, int fd, int flags, int source, int events,
		  uint64_t object, uint64_t user);
/* The callback port_dispatch uses for non-shareable events (refuses
 * delivery to any process but pid); sources may use it too. */
int port_noshare_callback(void *arg, int *events, int pid, int flag, struct port_kevent *pkev);

/* ---- inspection (tests, invariants, scenario checks) -------------------- */

struct port_stats {
	uint64_t ports_created, ports_live;
	uint64_t slots_live;	   /* allocated slots of every port */
	uint64_t events_sent;	   /* port_send_event calls */
	uint64_t events_delivered; /* copied out to an application */
	uint64_t events_refused;   /* delivery attempts a callback refused */
	uint64_t events_discarded; /* dropped by close / dissociation */
	uint64_t events_removed;   /* taken back by their source */
	uint64_t events_resent;	   /* sent again while their delivery was ending */
	uint64_t alerts_delivered;
};
/* Statistics of the current run. Any context. */
void port_stats_get(struct port_stats *st);
/* Events queued on the port behind fd in the current process (the
 * max == 0 answer of port_getn, without waiting), or a negative errno. */
int port_queued(int fd);

void port_register(void);

#endif
