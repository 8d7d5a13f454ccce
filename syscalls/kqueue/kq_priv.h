/*
 * Private to syscalls/kqueue/: the kqueue object, the knote and its state
 * machine, the filter-operations vector, the per-run state.
 *
 * Concurrency model. The simulation runs one thread at a time and switches
 * only at switch points, so the reference's tokens become "no switch point
 * inside this step". What remains of its locking is the knote's
 * KN_PROCESSING bit, which is held across switch points (sleeps in
 * register/scan, the preempt_point() windows we place where a real kernel
 * could be interleaved), and the per-kqueue registration owner. Event
 * sources (poll listeners, fnotify watchers, callouts, process and signal
 * observers) run in any context and never sleep: when the knote is being
 * processed they record their state change in the knote and set
 * KN_REPROCESS, and the owner re-runs the filter when it releases the
 * knote (kq_knote_release). Every function here says which context it needs.
 */
#ifndef SIMK_SYSCALLS_KQUEUE_PRIV_H
#define SIMK_SYSCALLS_KQUEUE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/callout.h"
#include "kern/proc.h"
#include "kern/umem.h"
#include "kern/waitq.h"
#include "sim/engine.h"
#include "scn/scn.h"
#include "syscalls/kqueue/kq.h"
#include "vfs/file.h"
#include "vfs/fnotify.h"
#include "vfs/poll.h"

#define KQ_NEVENTS 32		  /* changes / events moved per batch */
#define KQ_HASH_SIZE 64		  /* lookup buckets of a new kqueue (then doubled as knotes come) */
#define KQ_HASH_LOAD_MAX 2	  /* knotes per bucket before the table doubles */
#define KQ_CHECK_FULL_MAX 64	  /* kqueue_check walks every knote up to this many */
#define KQ_SCAN_LOOPS_MAX 1000000 /* kern.kq_checkloop */

/* Knote status bits (kn->status). */
#define KN_ACTIVE 0x0001     /* the event condition holds (or held: EV_CLEAR) */
#define KN_QUEUED 0x0002     /* on kq->pending */
#define KN_DISABLED 0x0004   /* EV_DISABLE / EV_DISPATCH: not returned */
#define KN_DETACHED 0x0008   /* the source is gone (process exited) */
#define KN_REPROCESS 0x0010  /* re-run the filter (or drop) when released */
#define KN_DELETING 0x0020   /* drop when released */
#define KN_PROCESSING 0x0040 /* owned by one thread/handler; others wait */
#define KN_WAITING 0x0080    /* someone sleeps until PROCESSING clears */
#define KN_MARKER 0x0100     /* a scan marker, not a knote */

/* A list of knotes hanging on an event source (a process, a kqueue, an AIO
 * request, a socket...). */
struct klist {
	struct list_node head; /* of knote.link */
	int n;
};

struct knote;

/* Filter operations. Errors are negative errnos. */
#define FILTEROP_ISFD 0x1 /* ident is a descriptor of the kqueue's process */
struct filterops {
	const char *name;
	unsigned flags;
	/* Attaches kn to its source. Thread context; kn is PROCESSING. May
	 * set kev.flags (EV_CLEAR, EV_ONESHOT). */
	int (*attach)(struct knote *kn);
	/* Detaches. Thread or interrupt context; kn is PROCESSING. */
	void (*detach)(struct knote *kn);
	/* Updates kev.data/fflags/flags from the source; true when the event
	 * should be reported. hint: source specific (0: re-evaluate). Any
	 * context, never sleeps, kn is PROCESSING. Exception: EVFILT_PROC with
	 * the hint NOTE_FORK | pid registers the tracked child (thread
	 * context, the kqueue's registration lock held; may sleep). */
	bool (*event)(struct knote *kn, long hint);
	/* Optional: a change on an existing knote (EV_ADD/modify): updates the
	 * knote from kev instead of the generic sfflags/sdata/udata copy.
	 * 0, or -errno with the knote unchanged. */
	int (*touch_register)(struct knote *kn, const struct kevent *kev);
	/* Optional: fills the event returned by a scan (default: kn->kev). */
	void (*touch_process)(struct knote *kn, struct kevent *out);
};

struct kqueue;

struct knote {
	struct list_node link;	 /* on its source's klist (kn_next) */
	struct list_node kqlink; /* kq->knotes */
	struct list_node tqe;	 /* kq->pending while KN_QUEUED (or a marker) */
	struct klist *onlist;	 /* the klist link is on, or NULL */
	struct kqueue *kq;
	struct file *fp; /* FILTEROP_ISFD: a reference */
	const struct filterops *fop;
	/* kq->hash[] bucket (lookup by ident). Right before kev: a lookup
	 * compares kev.filter and kev.ident of each knote it steps through,
	 * usually in the same cache line as the link it followed (once the
	 * knotes outgrow the cache, a miss saved per knote compared). */
	struct list_node idlink;
	struct kevent kev; /* what a scan returns (fflags/data filled by the filter) */
	uint32_t sfflags;  /* fflags the user asked for */
	int64_t sdata;	   /* data the user gave */
	unsigned status;   /* KN_* */
	uint64_t id;	   /* serial number in the run (traces) */
	/* The kevent() call (its end marker's id) that last returned this
	 * knote, and the one during which it was re-activated after that
	 * (statistics and the never-twice-in-one-call assertion). */
	uint64_t posted_call;
	uint64_t reactivated_call;
	/* filter-private */
	union {
		struct { /* READ / WRITE / EXCEPT over poll (+ fnotify for regular files) */
			struct poll_listener pl;
			struct fnotify_watcher fw;
			bool head_gone; /* POLLFREE seen */
		} rw;
		struct { /* VNODE */
			struct fnotify_watcher fw;
		} vn;
		struct { /* PROC */
			int pid;
			uint64_t fork_seq; /* last fork handled for NOTE_TRACK */
		} proc;
		struct { /* TIMER */
			struct callout co;
			uint64_t period_ns;
		} timer;
		struct { /* USER */
			bool triggered;
		} user;
		struct { /* FS */
			struct fs_watcher w;
		} fs;
		struct { /* AIO */
			struct kq_aio_hook *hook;
		} aio;
	} u;
};

struct kqueue {
	struct file *fp;	  /* our file (no reference: it owns us) */
	struct simk_proc *proc;	  /* the process whose fd table we live in */
	struct list_node pending; /* queued knotes and scan markers (tqe) */
	struct list_node calls;	  /* end markers of kevent() calls collecting (kqlink) */
	int count;		  /* queued knotes (markers not counted) */
	struct list_node knotes;  /* every knote (kqlink) */
	int nknotes;
	struct list_node *hash;		     /* idlink, by ident: hash0 or a kmem table */
	unsigned hash_mask;		     /* buckets - 1 (a power of two minus one) */
	struct list_node hash0[KQ_HASH_SIZE]; /* the first table, inline */
	struct klist kqnotes;		     /* knotes of kqueues watching this one */
	struct poll_head ph;		     /* poll(2), event ports watching this one */
	struct waitq wq;		     /* threads in kevent waiting for events */
	struct simk_thread *regtd;	     /* the thread registering now */
	int regdepth;			     /* its nesting (recursive registration) */
	struct waitq regwq;		     /* threads waiting to register */
	bool async;			     /* FIOASYNC */
	int sigio_pid;			     /* FIOSETOWN (0: none) */
	struct list_node plink;		     /* the owner process's kqueues */
	uint64_t id;
	bool terminating;
};

/* What kqueue remembers per pid (per run, host memory). */
struct kq_pinfo {
	struct klist procnotes;	  /* EVFILT_PROC knotes watching this process */
	struct klist signotes;	  /* EVFILT_SIGNAL knotes of this process */
	struct list_node kqueues; /* its kqueues (kqueue.plink) */
	bool exited;		  /* PROC_EV_EXIT seen */
	int status;		  /* its exit status */
	bool init;
};

/* Counters of paths the races take (kqueue_stat(), scenario op kq_stat). */
struct kq_stats {
	uint64_t reg_recursive;		     /* kq_reg_lock taken again by its owner */
	uint64_t track_registered;	     /* NOTE_TRACK children registered (recursively) */
	uint64_t track_lock_waits;	     /* a fork's NOTE_TRACK step slept for kqreg */
	uint64_t reactivated_during_scan;    /* returned, then re-activated in the same call */
	uint64_t reactivated_returned_later; /* such a knote returned by a later call */
	uint64_t attach_closed_drops;	     /* EV_ADD's fd_is check dropped the new knote */
	uint64_t fdclose_drops;		     /* the close observer dropped a knote */
	uint64_t lookup_steps;		     /* knotes compared by kqueue_lookup (its cost) */
	uint64_t check_steps;		     /* entries kqueue_check walked (its cost) */
};

/* Per-run state (s->subsys[] at kqueue's slot). */
struct kq_state {
	struct waitq knwq; /* threads waiting for a PROCESSING knote */
	int knotes_live;
	int kqueues_live;
	int timers_live;
	int timer_max;
	uint64_t next_kq_id, next_kn_id;
	uint64_t fork_seq;
	struct kq_pinfo **pinfo; /* by pid - 1 (stable addresses) */
	int pinfo_cap;
	uint64_t events_posted; /* events returned by scans */
	uint64_t next_call_id;	/* kevent() calls that collect (end marker ids) */
	struct kq_stats stats;
	/* scenario operations: each thread's last kevent results */
	struct scn_thread_table scn_events; /* struct kq_scn_events */
};

#define KQ_SCN_EVENTS_MAX 16
/* kevent changes=: values per change (ident filter flags fflags data udata) */
#define KQ_SCN_CHANGE_VALUES 6
struct kq_scn_events {
	int n;
	struct kevent ev[KQ_SCN_EVENTS_MAX];
};

struct kq_state *kq_st(void);
/* kq_check.c: one kqueue's invariants (after every kevent() call), and
 * every kqueue's plus the run's counts (the subsystem's check callback).
 * Any context; never sleep. */
void kqueue_check(struct kqueue *kq);
void kq_check(struct simk *s);
/* kq_scn.c: frees the scenario operations' per-run state of st. */
void kq_scn_free(struct kq_state *st);
struct kq_pinfo *kq_pinfo(int pid);

/* ---- klists ---- */
void kq_klist_init(struct klist *kl);
/* kn must be PROCESSING (called from filter attach/detach). */
void kq_knote_insert(struct klist *kl, struct knote *kn);
void kq_knote_remove(struct knote *kn);

/* ---- the knote state machine (kq_knote.c) ---- */
const struct filterops *kq_filterops(int16_t filter);
/* Thread context. True: kn is now PROCESSING and ours. False: we slept
 * while another owner held it; kn may be gone, restart the lookup. */
bool kq_knote_acquire(struct knote *kn);
/* Any context. Handles KN_REPROCESS (re-run the filter, or drop when
 * DELETING) and clears PROCESSING. True when kn was dropped or detached. */
bool kq_knote_release(struct knote *kn);
/* Sets ACTIVE and queues unless queued or disabled. kn PROCESSING. */
void kq_knote_activate(struct knote *kn);
void kq_knote_enqueue(struct knote *kn);
void kq_knote_dequeue(struct knote *kn);
/* Links a new knote into its kqueue. kn PROCESSING. */
void kq_knote_attach(struct knote *kn);
/* Unlinks and frees kn (and its file reference). kn PROCESSING+DELETING. */
void kq_knote_drop(struct knote *kn);
/* Filter detach, then drop. kn PROCESSING. */
void kq_knote_detach_and_drop(struct knote *kn);
bool kq_filter_event(struct knote *kn, long hint);
/* A source tells kn its state may have changed (hint 0). Any context,
 * never sleeps: when kn is being processed it only asks for reprocessing. */
void kq_knote_poke(struct knote *kn);
/* kq_knote_poke on every knote of a list. */
void kq_knote_list(struct klist *kl);
struct knote *kq_knote_alloc(void);
void kq_knote_free(struct knote *kn);
/* Wakes threads in kevent and whoever watches the kqueue. */
void kqueue_wakeup(struct kqueue *kq);

/* ---- registration and scan (kq.c) ---- */
/* The registration lock: one thread registers on a kqueue at a time (the
 * others sleep); its owner may take it again (recursive registration).
 * Thread context. */
void kq_reg_lock(struct kqueue *kq);
void kq_reg_unlock(struct kqueue *kq);
/* Applies one change. Thread context; may sleep. Returns 0 or -errno.
 * kev may be modified (as the reference does). */
int kqueue_register(struct kqueue *kq, struct kevent *kev);
/* True while the kevent() call whose end marker has id `call` collects on
 * kq. Any context. */
bool kqueue_call_running(struct kqueue *kq, uint64_t call);
/* Finds the knote (filter, ident) of kq, or NULL. */
struct knote *kqueue_lookup(struct kqueue *kq, int16_t filter, uint64_t ident);
/* The most recently attached FILTEROP_ISFD knote of kq on descriptor fd
 * whose file is fp, or NULL (what closing fd drops next). */
struct knote *kqueue_lookup_fd(struct kqueue *kq, int fd, const struct file *fp);
/* Frees a grown lookup table (the kqueue is being freed). */
void kqueue_hash_free(struct kqueue *kq);
/* The kqueue behind a descriptor of p (a reference on its file in *fpp),
 * or NULL (not open / not a kqueue). */
struct kqueue *kqueue_from_fd(struct simk_proc *p, int fd, struct file **fpp);
bool kqueue_is_kqueue_file(const struct file *fp);
/* EVFILT_READ on a kqueue descriptor. */
int kqueue_kqfilter(struct file *fp, struct knote *kn);

/* ---- filters (one file each) ---- */
extern const struct filterops kq_file_filtops;	 /* READ/WRITE/EXCEPT/VNODE by fd */
extern const struct filterops kq_rw_filtops;	 /* generic READ/WRITE over poll */
extern const struct filterops kq_except_filtops; /* EXCEPT over poll */
extern const struct filterops kq_vnode_filtops;
extern const struct filterops kq_kqread_filtops;
extern const struct filterops kq_aio_filtops;
extern const struct filterops kq_proc_filtops;
extern const struct filterops kq_sig_filtops;
extern const struct filterops kq_timer_filtops;
extern const struct filterops kq_user_filtops;
extern const struct filterops kq_fs_filtops;

/* Generic READ/WRITE/EXCEPT attach over poll (for kq_file_filtops). */
int kq_rw_attach(struct knote *kn);
int kq_except_attach(struct knote *kn);
int kq_vnode_attach(struct knote *kn);

/* Observers registered once (kq_subsys.c calls these). */
void kq_proc_observer(struct simk_proc *p, enum proc_event ev, int arg);
void kq_sig_observer(struct simk_proc *p, int signo);
/* NOTE_TRACK after a fork: on every kqueue with a knote tracking parent,
 * takes the registration lock, then that knote, and runs its filter with
 * the fork hint, which registers the child recursively (thread context of
 * the forking thread; may sleep). */
void kq_proc_track_fork(struct simk_proc *parent, int child_pid);

/* A knote's ident as traces show it: an EVFILT_AIO ident is a user
 * address (the aiocb), a host address for a guest program, which differs
 * from run to run; its deterministic alias is recorded (kern/umem.h). */
static inline int64_t kq_trace_ident(const struct kqueue *kq, const struct knote *kn)
{
	if (kn->kev.filter != EVFILT_AIO)
		return (int64_t)kn->kev.ident;
	return (int64_t)umem_trace_addr(kq->proc, (uaddr_t)kn->kev.ident);
}

#endif
