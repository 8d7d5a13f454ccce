/*
 * kqueue / kevent: BSD's event notification, after the DragonFly
 * kern_event.c (FreeBSD's kqueue(2) manual where it is
 * silent). docs/kq.md has the whole story: the knote state machine,
 * the marker scan and the races.
 *
 * What it offers
 * --------------
 * - sys_kqueue(): a new kqueue, as a file descriptor (FT_KQUEUE). close
 *   drops every knote; fstat gives st_size = pending events, st_blksize =
 *   sizeof(struct kevent), S_IFIFO; ioctl FIOASYNC / FIOSETOWN send SIGIO
 *   to the owner when the first event is queued; read/write give -ENXIO;
 *   EVFILT_READ on a kqueue fd fires while it has pending events.
 * - sys_kevent(): applies a change list, then collects events. Every
 *   filter of the reference: READ, WRITE, EXCEPT, AIO, VNODE, PROC,
 *   SIGNAL, TIMER, USER, FS.
 * - struct kevent, EVFILT_*, EV_*, NOTE_* with FreeBSD's values (EXCEPT,
 *   which FreeBSD lacks, and EV_NODATA take DragonFly's / Darwin's, see
 *   each define).
 * - The EVFILT_AIO attachment point used by POSIX AIO for SIGEV_KEVENT
 *   (kq_aio_*, at the end).
 *
 * System calls, and the file of each
 * ---------------------------------
 *   kqueue, kevent   kq.c   (registration, the marker scan)
 * Behind them: kq_knote.c (the knote state machine), kq_filt_*.c (one file
 * per filter: rw, except, aio, vnode, proc, signal, timer, user, fs),
 * kq_subsys.c (per-run state, fd close, fork, exit), kq_check.c,
 * kq_scn.c.
 *
 * What the caller guarantees
 * --------------------------
 * - sys_* run in thread context of a user process and may sleep.
 * - changelist / eventlist / timeout are user addresses (kern/umem.h) of
 *   the calling process; a bad one gives -EFAULT.
 */
#ifndef SIMK_SYSCALLS_KQUEUE_H
#define SIMK_SYSCALLS_KQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/umem.h"
#include "sim/engine.h"

/* ---- struct kevent (layout in simulated user memory: 32 bytes) ---- */

struct kevent {
	uint64_t ident;	 /* identifier: fd, pid, signal, timer id, aiocb... */
	int16_t filter;	 /* EVFILT_* */
	uint16_t flags;	 /* EV_* */
	uint32_t fflags; /* filter flags (NOTE_*) */
	int64_t data;	 /* filter data */
	uint64_t udata;	 /* opaque user value, returned unchanged */
};
_Static_assert(sizeof(struct kevent) == 32, "struct kevent layout");

/* Timeout of sys_kevent in user memory (16 bytes). */
struct kq_timespec {
	int64_t tv_sec;
	int64_t tv_nsec; /* [0, 1e9) else -EINVAL */
};

static inline void ev_set(struct kevent *kev, uint64_t ident, int16_t filter, uint16_t flags,
			  uint32_t fflags, int64_t data, uint64_t udata)
{
	kev->ident = ident;
	kev->filter = filter;
	kev->flags = flags;
	kev->fflags = fflags;
	kev->data = data;
	kev->udata = udata;
}

/* ---- filters (FreeBSD numbers; EXCEPT is Darwin's, FreeBSD has none) ---- */
#define EVFILT_READ (-1)   /* ident fd: data = bytes readable */
#define EVFILT_WRITE (-2)  /* ident fd: data = space writable */
#define EVFILT_AIO (-3)	   /* ident aiocb: kernel attached (kq_aio_attach) */
#define EVFILT_VNODE (-4)  /* ident fd of a filesystem file: NOTE_* changes */
#define EVFILT_PROC (-5)   /* ident pid: NOTE_EXIT/FORK/EXEC/TRACK */
#define EVFILT_SIGNAL (-6) /* ident signo: data = deliveries since retrieval */
#define EVFILT_TIMER (-7)  /* ident any: data = period (ms by default) */
/* -8 EVFILT_PROCDESC: not in the reference, -EINVAL */
#define EVFILT_FS (-9) /* filesystem-wide events: fflags = VQ_* */
/* -10 EVFILT_LIO: not in the reference, -EINVAL */
#define EVFILT_USER (-11) /* ident any: NOTE_TRIGGER + fflags control */
/* -12 EVFILT_SENDFILE, -13 EVFILT_EMPTY: not in the reference, -EINVAL */
#define EVFILT_EXCEPT (-15) /* ident fd: NOTE_OOB (out-of-band data) */
#define EVFILT_SYSCOUNT 15  /* filters are -1 .. -EVFILT_SYSCOUNT */

/* ---- flags ---- */
#define EV_ADD 0x0001	   /* add the knote, or modify it when it exists */
#define EV_DELETE 0x0002   /* remove it */
#define EV_ENABLE 0x0004   /* enable (queue at once when active) */
#define EV_DISABLE 0x0008  /* disable (stays active, not returned) */
#define EV_ONESHOT 0x0010  /* delete after the first retrieval */
#define EV_CLEAR 0x0020	   /* reset state after retrieval (edge-triggered) */
#define EV_RECEIPT 0x0040  /* echo the change as EV_ERROR with data 0 */
#define EV_DISPATCH 0x0080 /* disable after each retrieval */
#define EV_SYSFLAGS 0xF800 /* reserved for the kernel: stripped from changes */
#define EV_HUP 0x0800	   /* with EV_EOF: completely disconnected (DragonFly's) */
#define EV_NODATA 0x1000   /* EOF with no data left (DragonFly's value) */
#define EV_FLAG1 0x2000	   /* kernel-internal registration (NOTE_TRACK, AIO) */
#define EV_ERROR 0x4000	   /* change failed: data = errno (positive) */
#define EV_EOF 0x8000	   /* end of file / the watched object went away */

/* ---- EVFILT_READ / EVFILT_WRITE ---- */
#define NOTE_LOWAT 0x0001 /* data is the low-water mark (bytes) */

/* ---- EVFILT_EXCEPT (DragonFly's value) ---- */
#define NOTE_OOB 0x0001 /* out-of-band byte pending */

/* ---- EVFILT_USER ---- */
#define NOTE_FFNOP 0x00000000  /* leave fflags alone */
#define NOTE_FFAND 0x40000000  /* fflags &= given */
#define NOTE_FFOR 0x80000000   /* fflags |= given */
#define NOTE_FFCOPY 0xc0000000 /* fflags = given */
#define NOTE_FFCTRLMASK 0xc0000000
#define NOTE_FFLAGSMASK 0x00ffffff
#define NOTE_TRIGGER 0x01000000 /* trigger the event */

/* ---- EVFILT_VNODE ---- */
#define NOTE_DELETE 0x0001 /* last link removed */
#define NOTE_WRITE 0x0002  /* contents changed */
#define NOTE_EXTEND 0x0004 /* size grew (write past the end, truncate up) */
#define NOTE_ATTRIB 0x0008 /* attributes changed */
#define NOTE_LINK 0x0010   /* link count changed */
#define NOTE_RENAME 0x0020 /* renamed */
#define NOTE_REVOKE 0x0040 /* access revoked (or its filesystem unmounted) */
#define NOTE_READ 0x0400   /* read from (FreeBSD) */
#define NOTE_VNODE_ALL                                                                             \
	(NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB | NOTE_LINK | NOTE_RENAME |          \
	 NOTE_REVOKE | NOTE_READ)

/* ---- EVFILT_PROC ---- */
#define NOTE_EXIT 0x80000000 /* exited: data = exit status */
#define NOTE_FORK 0x40000000 /* forked */
#define NOTE_EXEC 0x20000000 /* exec'ed */
#define NOTE_PCTRLMASK 0xf0000000
#define NOTE_PDATAMASK 0x000fffff
#define NOTE_TRACK 0x00000001	 /* follow across fork */
#define NOTE_TRACKERR 0x00000002 /* could not attach to a child */
#define NOTE_CHILD 0x00000004	 /* event of a tracked child: data = parent pid */

/* ---- EVFILT_TIMER (FreeBSD units; default milliseconds) ---- */
#define NOTE_SECONDS 0x00000001
#define NOTE_MSECONDS 0x00000002
#define NOTE_USECONDS 0x00000004
#define NOTE_NSECONDS 0x00000008
#define NOTE_TIMER_UNITS (NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS)
#define KQ_TIMER_MAX_DEFAULT 4096 /* timers in the whole run (kern.kq_calloutmax) */

/* ---- EVFILT_FS: fflags are the VQ_* values of vfs/fnotify.h (FSEV_*) ---- */

/* ---- system calls ---- */

/* A new kqueue descriptor, or -EMFILE / -ENOMEM. */
int sys_kqueue(void);

/*
 * Applies nchanges changes from changelist (user address of struct
 * kevent[]), in order, then returns up to nevents events into eventlist.
 * timeout: user address of a struct kq_timespec, or 0 to wait forever;
 * {0, 0} polls. Returns the number of events placed (0 on timeout), or
 * -EBADF (kq is not a kqueue), -EINVAL (nevents or nchanges < 0, bad
 * timeout), -EFAULT, -EINTR (a signal while waiting), or the errno of a
 * change that failed when the event list had no room for its EV_ERROR.
 */
int sys_kevent(int kq, uaddr_t changelist, int nchanges, uaddr_t eventlist, int nevents,
	       uaddr_t timeout);

/* Sets the run-wide limit on kqueue timers (EVFILT_TIMER knotes); past it,
 * EV_ADD fails with ENOMEM. Returns the previous limit. Host or thread
 * context of a running simulation. */
int kqueue_set_timer_max(int max);
/* Live knotes / armed kqueue timers in the run (tests, leak checks). */
int kqueue_knotes_live(void);
int kqueue_timers_live(void);
/* A counter of the run, by name: how often a race path was taken (tests;
 * the scenario op kq_stat). "reg_recursive" (registration lock taken
 * again by its owner), "track_registered" (children registered by
 * NOTE_TRACK from inside the parent knote's filter), "track_lock_waits"
 * (a fork's NOTE_TRACK step slept for the registration lock),
 * "reactivated_during_scan" (a knote re-activated while the kevent() call
 * that returned it is still running), "reactivated_returned_later" (such a
 * knote returned by a later call), "attach_closed_drops" (EV_ADD found its
 * descriptor closed after attaching and dropped the knote),
 * "fdclose_drops" (the close observer dropped a knote), "lookup_steps"
 * (knotes compared by lookups by identity: their cost), "check_steps"
 * (queue and knote entries the consistency check walked). 0 and the value in
 * *out, or -EINVAL for an unknown name. */
int kqueue_stat(const char *name, uint64_t *out);

/* ---- EVFILT_AIO: the attachment point of POSIX AIO's SIGEV_KEVENT ----
 *
 * The AIO code embeds a struct kq_aio_hook in its request. At submission
 * it calls kq_aio_attach(), which registers on kqueue `kqfd` of process p
 * a knote { ident = aiocb (user address), filter = EVFILT_AIO, flags =
 * EV_ADD | EV_ENABLE | EV_ONESHOT, udata = the sigev value }. When the
 * request ends, kq_aio_complete() fires it: the event is returned once,
 * with EV_EOF set and data = the request's error status (0 or the
 * positive errno aio_error() gives), and the knote is then deleted
 * (EV_ONESHOT), as FreeBSD does. Users cannot add EVFILT_AIO knotes
 * themselves (EV_ADD from kevent gives EPERM).
 *
 * A hook may also lose its knote before completion, when the kqueue is
 * closed; then completion posts nothing. kq_aio_detach() must be called
 * before the hook's memory is freed (aio_return, process exit): it drops
 * a knote whose event was not retrieved yet (FreeBSD's aio_free_entry
 * does the same).
 */
struct kq_aio_hook {
	struct list_node knotes; /* knotes attached to this request (kqueue's) */
	bool completed;		 /* kq_aio_complete ran */
	int error;		 /* its error status */
};

void kq_aio_hook_init(struct kq_aio_hook *h);
/* Thread context of a thread of p; may sleep (the kqueue's registration
 * lock). Returns 0, -EBADF (kqfd is not an open kqueue of p) or -ENOMEM.
 * If the hook already completed, the event is queued at once. */
int kq_aio_attach(struct simk_proc *p, int kqfd, uaddr_t aiocb, uint64_t udata,
		  struct kq_aio_hook *h);
/* Any context (interrupt included), never sleeps. Called at most once per
 * request. error: 0 or a positive errno. */
void kq_aio_complete(struct kq_aio_hook *h, int error);
/* Thread context; may sleep. Drops the knote(s) still attached. Afterwards
 * the hook may be freed or re-initialized. */
void kq_aio_detach(struct kq_aio_hook *h);

/* Registered once from syscalls/builtin.c. */
void kq_register(void);

#endif
