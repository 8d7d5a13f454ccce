/*
 * EVFILT_PROC: what happens to a process: NOTE_EXIT (data = exit status,
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
 * owned by another thread is only asked to reprocess. The one step that
 * sleeps, registering the tracked child, runs afterwards in the forking
 * thread with no knote owned, so it cannot deadlock against a thread that
 * owns the kqueue's registration and waits for the parent's knote.
 */
#include <errno.h>
#include <limits.h>

#include "kern/proc.h"
#include "syscalls/kqueue_priv.h"

/* Takes kn off its process's list without owning it: allowed only for the
 * exit of that process, which nobody else does, and never for a knote
 * being deleted (its owner detaches it). */
static void proc_unlink(struct knote *kn)
{
	KASSERT(!(kn->status & KN_DELETING), "unlinking a deleted proc knote");
	struct klist *kl = kn->onlist;
	KASSERT(kl != NULL && kl->n > 0, "proc knote %llu not listed", (unsigned long long)kn->id);
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
		kn->kev.data = pi->exited ? pi->status : p->exit_status;
		kn->kev.flags |= EV_EOF | EV_NODATA | EV_ONESHOT;
		return 0; /* the register's filter run activates it */
	}
	knote_insert(&pi->procnotes, kn);
	return 0;
}

static void filt_procdetach(struct knote *kn)
{
	/* After NOTE_EXIT the process is gone and we are off its list. */
	if (kn->status & KN_DETACHED)
		return;
	if (kn->onlist != NULL)
		knote_remove(kn);
}

static bool filt_proc(struct knote *kn, long hint)
{
	(void)hint;
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
		if (kn->sfflags & note)
			kn->kev.fflags |= note;
		if (ev == PROC_EV_EXIT)
			proc_record_exit(kn, arg);
		trace_emit(TR_INFO, "kq_proc", (int64_t)kn->kq->id, (int64_t)kn->id, p->pid,
			   (int64_t)note);
		knote_poke(kn);
	}
	/* Whatever is still listed after an exit is being deleted. */
}

/* A tracking knote of parent not yet handled for fork number seq. */
static struct knote *next_tracker(struct kq_pinfo *pi, uint64_t seq)
{
	struct klist *kl = &pi->procnotes;
	for (struct list_node *n = kl->head.next; n != &kl->head; n = n->next) {
		struct knote *kn = list_entry(n, struct knote, link);
		if ((kn->sfflags & NOTE_TRACK) && !(kn->status & KN_DELETING) &&
		    kn->u.proc.fork_seq < seq)
			return kn;
	}
	return NULL;
}

/* Marks the parent's knote (found again by its identity) with NOTE_TRACKERR. */
static void track_error(struct kqueue *kq, int parent_pid, int err)
{
	struct knote *kn = kqueue_lookup(kq, EVFILT_PROC, (uint64_t)parent_pid);
	trace_emit(TR_INFO, "kq_trackerr", (int64_t)kq->id, parent_pid, err, 0);
	if (kn == NULL || (kn->status & KN_DELETING))
		return;
	kn->kev.fflags |= NOTE_TRACKERR;
	knote_poke(kn);
}

/*
 * Thread context of the forking thread, after the observers: registers
 * child_pid on every kqueue that tracks the parent. May sleep (the
 * kqueue's registration lock); the knotes are looked up again after every
 * registration, so one deleted meanwhile is simply not there.
 */
void kq_proc_track_fork(struct simk_proc *parent, int child_pid)
{
	struct kq_state *st = kq_st();
	struct kq_pinfo *pi = kq_pinfo(parent->pid);
	uint64_t seq = ++st->fork_seq;
	for (int loops = 0;; loops++) {
		KASSERT(loops < 100000, "NOTE_TRACK of pid %d does not end", parent->pid);
		struct knote *kn = next_tracker(pi, seq);
		if (kn == NULL)
			break;
		kn->u.proc.fork_seq = seq;
		struct kqueue *kq = kn->kq;
		struct kevent kev;
		uint16_t keep = kn->kev.flags & (EV_ONESHOT | EV_CLEAR | EV_DISPATCH);
		ev_set(&kev, (uint64_t)child_pid, EVFILT_PROC,
		       (uint16_t)(keep | EV_ADD | EV_ENABLE | EV_FLAG1), kn->sfflags, parent->pid,
		       kn->kev.udata);
		file_hold(kq->fp); /* kq stays while we may sleep */
		int err = kqueue_register(kq, &kev);
		if (err != 0)
			track_error(kq, parent->pid, err);
		file_put(kq->fp);
	}
}

const struct filterops kq_proc_filtops = {
	.name = "proc",
	.attach = filt_procattach,
	.detach = filt_procdetach,
	.event = filt_proc,
};
