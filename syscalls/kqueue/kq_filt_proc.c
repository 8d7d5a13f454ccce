/*
 * EVFILT_PROC: what happens to a process: NOTE_EXIT (data = its wait(2)
 * status, as in FreeBSD and DragonFly: WEXITSTATUS / WTERMSIG decode it,
 * with EV_EOF | EV_NODATA | EV_ONESHOT: the knote detaches from the dead
 * process and goes after retrieval), NOTE_FORK, NOTE_EXEC, and NOTE_TRACK:
 * on fork, a knote with the same fflags is registered on the child, whose
 * first event carries NOTE_CHILD and data = the parent's pid; when that
 * registration fails the parent's knote reports NOTE_TRACKERR. A process
 * that already exited but is still a zombie fires NOTE_EXIT at once.
 * EV_CLEAR is implied.
 *
 * The knotes of a process hang on kqueue's per-pid record, which lives as
 * long as the run, so a knote never points at freed memory even while its
 * deletion races the exit. The observers never sleep (exec may come from
 * any context): an event is recorded in the knote directly, and a knote
 * owned by another thread is only asked to reprocess.
 *
 * NOTE_TRACK is the exception, as in the reference: the fork is handed to
 * the tracking knote's filter (hint NOTE_FORK | child pid), which records
 * NOTE_FORK and registers the child on the same kqueue recursively, while
 * the parent's knote is owned. That registration needs the kqueue's
 * registration lock, and a registering thread may hold that lock while it
 * waits for the parent's knote (modifying or deleting it). So the fork
 * takes the locks in the registering threads' order: first the
 * registration lock (owning no knote, so nobody who holds the lock can be
 * waiting for us), then the parent's knote; the filter's registration is
 * then a recursion of the lock's owner and never waits for the lock. The
 * reverse order (own the knote, then wait for the lock, as the reference's
 * knote() does) deadlocks against such a registrar:
 * scenarios/kq/track-fork-vs-register.scn.
 */
#include <errno.h>
#include <limits.h>

#include "kern/proc.h"
#include "syscalls/kqueue/kq_priv.h"

/* Liveness guard: knotes one NOTE_TRACK fork copies; past it the loop is a livelock bug. */
#define KQ_TRACK_KNOTES_MAX 100000

/* Takes kn off its process's list without owning it: allowed only for the
 * exit of that process, which nobody else does, and never for a knote
 * being deleted (its owner detaches it). */
static void proc_unlink(struct knote *kn)
{
	KASSERT(!(kn->status & KN_DELETING), "unlinking a deleted proc knote");
	struct klist *kl = kn->onlist;
	KASSERT(kl != NULL, "proc knote %llu not listed", (unsigned long long)kn->id);
	KASSERT(kl->n > 0, "proc knote %llu not listed", (unsigned long long)kn->id);
	list_del(&kn->link);
	kn->onlist = NULL;
	kl->n--;
}

static void proc_record_exit(struct knote *kn, int status)
{
	if (!(kn->status & KN_DETACHED)) {
		if (kn->onlist != NULL)
			proc_unlink(kn);
		kn->status |= KN_DETACHED;
		kn->kev.data = status;
	}
	kn->kev.flags |= EV_EOF | EV_NODATA | EV_ONESHOT;
}

static int filt_procattach(struct knote *kn)
{
	if (kn->kev.ident == 0 || kn->kev.ident > INT_MAX)
		return -ESRCH;
	int pid = (int)kn->kev.ident;
	struct simk_proc *p = sim_proc_by_pid(pid);
	if (p == NULL)
		return -ESRCH;
	struct kq_pinfo *pi = kq_pinfo(pid);
	bool dead = pi->exited || p->exited;
	bool immediate = false;
	if (dead) {
		/* Only a zombie can still be watched, and only for its exit. */
		if (!(kn->sfflags & NOTE_EXIT) || !proc_is_zombie(p))
			return -ESRCH;
		immediate = true;
	}
	kn->u.proc.pid = pid;
	kn->u.proc.fork_seq = kq_st()->fork_seq;
	kn->kev.flags |= EV_CLEAR;
	if (kn->kev.flags & EV_FLAG1) {
		/* Registered by NOTE_TRACK for a child. */
		kn->kev.data = kn->sdata; /* the parent's pid */
		kn->kev.fflags = NOTE_CHILD;
		kn->kev.flags &= (uint16_t)~EV_FLAG1;
	}
	if (immediate) {
		kn->kev.fflags |= NOTE_EXIT;
		kn->status |= KN_DETACHED;
		kn->kev.data = pi->exited ? pi->status : proc_wait_status(p);
		kn->kev.flags |= EV_EOF | EV_NODATA | EV_ONESHOT;
		return 0; /* the register's filter run activates it */
	}
	kq_knote_insert(&pi->procnotes, kn);
	return 0;
}

static void filt_procdetach(struct knote *kn)
{
	/* After NOTE_EXIT the process is gone and we are off its list. */
	if (kn->status & KN_DETACHED)
		return;
	if (kn->onlist != NULL)
		kq_knote_remove(kn);
}

/*
 * Registers the child a tracking knote follows, from inside its filter:
 * a recursive registration (the forking thread owns the kqueue's
 * registration lock, taken by kq_proc_track_fork before the knote). On
 * failure the parent's knote reports NOTE_TRACKERR. Thread context; may
 * sleep only for the child's knote, which no registrar can own (we hold
 * the lock) and whose other owners (scans, closes, sources) never sleep
 * while owning one.
 */
static void track_child(struct knote *kn, int child_pid)
{
	sim_assert_thread_context(__func__);
	struct kqueue *kq = kn->kq;
	KASSERT(kq->regtd == sim_thread_current(),
		"NOTE_TRACK registration without the kqueue's registration lock");
	struct kevent kev;
	uint16_t keep = kn->kev.flags & (EV_ONESHOT | EV_CLEAR | EV_DISPATCH);
	ev_set(&kev, (uint64_t)child_pid, EVFILT_PROC,
	       (uint16_t)(keep | EV_ADD | EV_ENABLE | EV_FLAG1), kn->sfflags, kn->u.proc.pid,
	       kn->kev.udata);
	int err = kqueue_register(kq, &kev); /* recursive: we own the lock */
	if (err != 0) {
		trace_emit(TR_INFO, "kq:trackerr", (int64_t)kq->id, kn->u.proc.pid, err, 0);
		kn->kev.fflags |= NOTE_TRACKERR;
		return;
	}
	kq_st()->stats.track_registered++;
}

/* hint: 0 (re-evaluate), or NOTE_FORK | child pid from kq_proc_track_fork
 * (thread context, the kqueue's registration lock held: may sleep). */
static bool filt_proc(struct knote *kn, long hint)
{
	uint32_t event = (uint32_t)hint & NOTE_PCTRLMASK;
	if (event == NOTE_FORK && !(kn->status & KN_DETACHED)) {
		if (kn->sfflags & NOTE_FORK)
			kn->kev.fflags |= NOTE_FORK;
		if (kn->sfflags & NOTE_TRACK)
			track_child(kn, (int)((uint32_t)hint & NOTE_PDATAMASK));
	}
	/* An exit always fires, even when NOTE_EXIT was not asked for. */
	return kn->kev.fflags != 0 || (kn->status & KN_DETACHED);
}

static uint32_t event_note(enum proc_event ev)
{
	switch (ev) {
	case PROC_EV_FORK:
		return NOTE_FORK;
	case PROC_EV_EXEC:
		return NOTE_EXEC;
	case PROC_EV_EXIT:
		return NOTE_EXIT;
	}
	return 0;
}

/* Any context; never sleeps. */
void kq_proc_observer(struct simk_proc *p, enum proc_event ev, int arg)
{
	struct kq_pinfo *pi = kq_pinfo(p->pid);
	uint32_t note = event_note(ev);
	if (ev == PROC_EV_EXIT) {
		pi->exited = true;
		pi->status = arg;
	}
	struct klist *kl = &pi->procnotes;
	int bound = kl->n + 1;
	struct list_node *n = kl->head.next;
	while (n != &kl->head) {
		KASSERT(bound-- > 0, "proc klist of pid %d loops", p->pid);
		struct list_node *next = n->next;
		struct knote *kn = list_entry(n, struct knote, link);
		n = next;
		if (kn->status & KN_DELETING)
			continue; /* its owner drops it */
		if (ev == PROC_EV_FORK && (kn->sfflags & NOTE_TRACK))
			continue; /* kq_proc_track_fork hands it to the filter */
		if (kn->sfflags & note)
			kn->kev.fflags |= note;
		if (ev == PROC_EV_EXIT)
			proc_record_exit(kn, arg);
		trace_emit(TR_INFO, "kq:proc", (int64_t)kn->kq->id, (int64_t)kn->id, p->pid,
			   (int64_t)note);
		kq_knote_poke(kn);
	}
	/* Whatever is still listed after an exit is being deleted. */
}

/* A tracking knote of the parent not yet handled for fork number seq. */
static struct knote *next_tracker(struct kq_pinfo *pi, uint64_t seq)
{
	struct klist *kl = &pi->procnotes;
	for (struct list_node *n = kl->head.next; n != &kl->head; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, link);
		if ((kn->sfflags & NOTE_TRACK) && !(kn->status & KN_DELETING) &&
		    !kn->kq->terminating && kn->u.proc.fork_seq < seq)
			return kn;
	}
	return NULL;
}

/*
 * One tracking knote (found again by its identity and serial: it may have
 * gone, or been replaced by a knote registered after the fork, while we
 * slept). The caller holds kq's registration lock; we take the knote and
 * run its filter with the fork hint, which registers the child.
 */
static void track_one(struct kqueue *kq, int parent_pid, uint64_t kn_id, int child_pid)
{
	struct knote *kn;
	for (int loops = 0;; loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "NOTE_TRACK lookup does not settle");
		kn = kqueue_lookup(kq, EVFILT_PROC, (uint64_t)parent_pid);
		if (kn == NULL || kn->id != kn_id || (kn->status & KN_DELETING))
			return; /* deleted meanwhile: nothing to track */
		if (kq_knote_acquire(kn))
			break;
	}
	preempt_point(); /* owned: sources defer, scans and closes wait */
	if (!(kn->status & (KN_DELETING | KN_DETACHED)) &&
	    kq_filter_event(kn, (long)(NOTE_FORK | ((uint32_t)child_pid & NOTE_PDATAMASK))))
		kq_knote_activate(kn);
	kq_knote_release(kn);
}

/*
 * Thread context of the forking thread, after the observers: for every
 * kqueue with a knote tracking the parent, registration lock first (we own
 * no knote while we may sleep for it), then the knote (track_one). The
 * knotes are looked up again after every step, so one deleted meanwhile is
 * simply not there.
 */
void kq_proc_track_fork(struct simk_proc *parent, int child_pid)
{
	sim_assert_may_sleep(__func__);
	struct kq_state *st = kq_st();
	struct kq_pinfo *pi = kq_pinfo(parent->pid);
	uint64_t seq = ++st->fork_seq;
	KASSERT((uint32_t)child_pid <= NOTE_PDATAMASK, "pid %d does not fit a fork hint",
		child_pid);
	for (int loops = 0;; loops++) {
		KASSERT(loops < KQ_TRACK_KNOTES_MAX, "NOTE_TRACK of pid %d does not end", parent->pid);
		struct knote *kn = next_tracker(pi, seq);
		if (kn == NULL)
			break;
		kn->u.proc.fork_seq = seq;
		struct kqueue *kq = kn->kq;
		uint64_t kn_id = kn->id;
		file_hold(kq->fp); /* kq stays while we may sleep */
		if (kq->regtd != NULL && kq->regtd != sim_thread_current()) {
			st->stats.track_lock_waits++;
			trace_emit(TR_INFO, "kq:track_wait", (int64_t)kq->id, parent->pid, child_pid,
				   0);
		}
		kq_reg_lock(kq);
		track_one(kq, parent->pid, kn_id, child_pid);
		kq_reg_unlock(kq);
		file_put(kq->fp);
	}
}

const struct filterops kq_proc_filtops = {
    .name = "proc",
    .attach = filt_procattach,
    .detach = filt_procdetach,
    .event = filt_proc,
};
