/*
 * kqueue's plug-in to the engine and to the layers beneath: per-run state,
 * what it remembers per pid, the close observer (closing a descriptor
 * drops its knotes in every kqueue of the process), the fork hook (a
 * kqueue is not inherited by a child, as on FreeBSD), the process and
 * signal observers, and the end-of-run invariants.
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kern/proc.h"
#include "kern/signal.h"
#include "syscalls/kqueue/kq_priv.h"

/* Liveness guard: kqueues one process exit walks; past it the loop is a livelock bug. */
#define KQ_PER_PROC_MAX 100000

static int kq_subsys_slot = -1; /* sim_subsys_register() */

struct kq_state *kq_st(void)
{
	struct kq_state *st = sim_subsys_need(sim_cur(), kq_subsys_slot);
	KASSERT(st != NULL, "kqueue used outside a simulation");
	return st;
}

/* Host memory, like kern's tables: one record per pid ever seen, kept for
 * the whole run (knotes may point at the lists inside). */
struct kq_pinfo *kq_pinfo(int pid)
{
	struct kq_state *st = kq_st();
	KASSERT(pid >= 1, "bad pid %d", pid);
	KASSERT(pid <= SIM_MAX_PROCS, "bad pid %d", pid);
	if (pid > st->pinfo_cap) {
		int ncap = st->pinfo_cap ? st->pinfo_cap : 16;
		while (ncap < pid)
			ncap *= 2;
		struct kq_pinfo **na = realloc(st->pinfo, (size_t)ncap * sizeof(*na));
		if (na == NULL)
			sim_panic("host out of memory (kqueue tables)");
		for (int i = st->pinfo_cap; i < ncap; i++)
			na[i] = NULL;
		st->pinfo = na;
		st->pinfo_cap = ncap;
	}
	struct kq_pinfo *pi = st->pinfo[pid - 1];
	if (pi == NULL) {
		pi = sim_zalloc(sizeof(*pi));
		if (pi == NULL)
			sim_panic("host out of memory (kqueue tables)");
		kq_klist_init(&pi->procnotes);
		kq_klist_init(&pi->signotes);
		list_init(&pi->kqueues);
		pi->init = true;
		st->pinfo[pid - 1] = pi;
	}
	return pi;
}

int kqueue_set_timer_max(int max)
{
	struct kq_state *st = kq_st();
	int old = st->timer_max;
	KASSERT(max >= 0, "negative kqueue timer limit");
	st->timer_max = max;
	return old;
}

int kqueue_knotes_live(void)
{
	return kq_st()->knotes_live;
}

int kqueue_timers_live(void)
{
	return kq_st()->timers_live;
}

int kqueue_stat(const char *name, uint64_t *out)
{
	const struct kq_stats *k = &kq_st()->stats;
	static const struct {
		const char *name;
		size_t off;
	} stats[] = {
	    {"reg_recursive", offsetof(struct kq_stats, reg_recursive)},
	    {"track_registered", offsetof(struct kq_stats, track_registered)},
	    {"track_lock_waits", offsetof(struct kq_stats, track_lock_waits)},
	    {"reactivated_during_scan", offsetof(struct kq_stats, reactivated_during_scan)},
	    {"reactivated_returned_later", offsetof(struct kq_stats, reactivated_returned_later)},
	    {"attach_closed_drops", offsetof(struct kq_stats, attach_closed_drops)},
	    {"fdclose_drops", offsetof(struct kq_stats, fdclose_drops)},
	    {"lookup_steps", offsetof(struct kq_stats, lookup_steps)},
	    {"check_steps", offsetof(struct kq_stats, check_steps)},
	};
	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		if (strcmp(name, stats[i].name) == 0) {
			*out = *(const uint64_t *)(const void *)((const char *)k + stats[i].off);
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- descriptors ----------------------------------------------------------- */

/* Drops the knotes of kq on (fd, fp). Thread context; may sleep. */
static void kq_fdclose_one(struct kqueue *kq, int fd, struct file *fp)
{
	sim_assert_may_sleep(__func__);
	for (int loops = 0;; loops++) {
		KASSERT(loops < KQ_SCAN_LOOPS_MAX, "fd close on kqueue does not settle");
		/* fd's bucket, not every knote: closing any descriptor walked
		 * all knotes of all the process's kqueues (as many L2 misses
		 * as knotes once they outgrow the cache) */
		struct knote *found = kqueue_lookup_fd(kq, fd, fp);
		if (found == NULL)
			return;
		if (kq_knote_acquire(found)) {
			trace_emit(TR_INFO, "kq:fdclose", (int64_t)kq->id, (int64_t)found->id, fd,
				   0);
			kq_st()->stats.fdclose_drops++;
			kq_knote_detach_and_drop(found);
		}
		preempt_point();
	}
}

/*
 * Close observer: fd of p was closed (its slot is already free, fp is
 * still valid). Every knote on it, in every kqueue of p, goes. We hold a
 * reference on each kqueue while we work on it (we may sleep), and on the
 * next one before letting go of the current one.
 */
static void kq_fd_closed(struct simk_proc *p, int fd, struct file *fp)
{
	sim_assert_may_sleep(__func__);
	struct simk *s = sim_cur();
	if (sim_subsys_state(s, kq_subsys_slot) == NULL)
		return;
	struct kq_pinfo *pi = kq_pinfo(p->pid);
	struct list_node *n = pi->kqueues.next;
	if (n == &pi->kqueues)
		return;
	struct kqueue *kq = list_entry(n, struct kqueue, plink);
	file_hold(kq->fp);
	for (int bound = 0; kq != NULL; bound++) {
		KASSERT(bound < KQ_PER_PROC_MAX, "kqueue list of pid %d loops", p->pid);
		kq_fdclose_one(kq, fd, fp);
		struct kqueue *next = NULL;
		/* kq is still listed: only its release unlinks it, and we hold it. */
		if (kq->plink.next != &pi->kqueues) {
			next = list_entry(kq->plink.next, struct kqueue, plink);
			file_hold(next->fp);
		}
		file_put(kq->fp);
		kq = next;
	}
}

/* Fork hook: the child gets the parent's descriptors except kqueues. */
static int kq_fork_hook(struct simk_proc *parent, struct simk_proc *child)
{
	(void)parent;
	for (int fd = 0; fd < FD_MAX; fd++) {
		struct file *fp;
		if (fd_get(child, fd, &fp) != 0)
			continue;
		bool kq = kqueue_is_kqueue_file(fp);
		file_put(fp);
		if (kq)
			(void)fd_close(child, fd);
	}
	return 0;
}

/* ---- process and signal observers -------------------------------------------- */

static void kq_proc_event(struct simk_proc *p, enum proc_event ev, int arg)
{
	struct simk *s = sim_cur();
	if (sim_subsys_state(s, kq_subsys_slot) == NULL)
		return;
	kq_proc_observer(p, ev, arg);
	if (ev == PROC_EV_FORK)
		kq_proc_track_fork(p, arg);
}

static void kq_signal_event(struct simk_proc *p, int signo)
{
	struct simk *s = sim_cur();
	if (sim_subsys_state(s, kq_subsys_slot) == NULL)
		return;
	kq_sig_observer(p, signo);
}

/* ---- the engine plug-in ------------------------------------------------------- */

/*
 * At the first use of kqueue in the run (any context; lazy, see
 * sim_subsys_need). Until then nothing could watch a process, so the
 * observers above did nothing, except that an EVFILT_PROC knote on a pid
 * that is already gone reads its exit from our record of the pid: the
 * records of the exits so far come from the kernel's.
 */
static int kq_create(struct simk *s)
{
	struct kq_state *st = sim_zalloc(sizeof(*st));
	if (st == NULL)
		return -1;
	waitq_init(&st->knwq, "kqknote");
	st->timer_max = KQ_TIMER_MAX_DEFAULT;
	s->subsys[kq_subsys_slot] = st;
	for (int pid = 1; pid <= s->nprocs; pid++) {
		int status;
		if (proc_exit_told(pid, &status)) {
			struct kq_pinfo *pi = kq_pinfo(pid);
			pi->exited = true;
			pi->status = status;
		}
	}
	return 0;
}

static void kq_destroy(struct simk *s)
{
	struct kq_state *st = s->subsys[kq_subsys_slot];
	if (st == NULL)
		return;
	for (int i = 0; i < st->pinfo_cap; i++)
		free(st->pinfo[i]);
	free(st->pinfo);
	kq_scn_free(st);
	free(st);
	s->subsys[kq_subsys_slot] = NULL;
}

static int kq_leak_check(struct simk *s, char *msg, size_t len)
{
	struct kq_state *st = s->subsys[kq_subsys_slot];
	if (st == NULL)
		return 0;
	if (st->knotes_live != 0 || st->kqueues_live != 0 || st->timers_live != 0) {
		snprintf(msg, len,
			 "kqueue: %d knotes, %d kqueues, %d timers left at the end of the run",
			 st->knotes_live, st->kqueues_live, st->timers_live);
		return 1;
	}
	if (st->knwq.nwaiters != 0) {
		snprintf(msg, len, "kqueue: %d threads still wait for a knote", st->knwq.nwaiters);
		return 1;
	}
	for (int i = 0; i < st->pinfo_cap; i++) {
		struct kq_pinfo *pi = st->pinfo[i];
		if (pi == NULL)
			continue;
		if (pi->procnotes.n != 0 || pi->signotes.n != 0 || !list_empty(&pi->kqueues)) {
			snprintf(msg, len, "kqueue: pid %d still has %d proc / %d signal knotes%s",
				 i + 1, pi->procnotes.n, pi->signotes.n,
				 list_empty(&pi->kqueues) ? "" : " and open kqueues");
			return 1;
		}
	}
	return 0;
}

static const struct sim_subsys kq_subsys = {
    .name = "kqueue",
    .create = kq_create,
    .destroy = kq_destroy,
    .check = kq_check,
    .leak_check = kq_leak_check,
    .lazy = true, /* made at first use: most runs never touch it */
    .oids = 1,	  /* its knote wait queue */
};

void kq_scn_register(void);

void kq_register(void)
{
	kq_subsys_slot = sim_subsys_register(&kq_subsys);
	fd_register_close_observer(kq_fd_closed);
	proc_register_fork_hook(kq_fork_hook);
	proc_register_observer(kq_proc_event);
	sig_register_observer(kq_signal_event);
	kq_scn_register();
}
