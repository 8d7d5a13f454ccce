/*
 * Private to kern/: the per-run state of the kernel services and the hooks
 * kern.c calls into the service files. Nothing outside kern/ includes this.
 *
 * Everything here lives in s->subsys[kern_subsys_slot] and is created with each
 * simulation and freed with it, so thousands of runs in one host process
 * (simk explore) start from the same state. Registries of observers and
 * fork hooks are per host process (they hold function pointers registered
 * once, in a fixed order, like the subsystems themselves).
 */
#ifndef SIMK_KERN_PRIV_H
#define SIMK_KERN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/rlimit.h"
#include "kern/waitq.h"
#include "sim/engine.h"

/* kern's slot: its per-run state (struct kern_state) and its per-process
 * state (the signal queue, struct sigq). */
extern int kern_subsys_slot;

struct workqueue;

/* What kern/proc.c remembers about a process (indexed by pid - 1). */
struct kproc_info {
	bool dead;		  /* its last thread passed the proc_exit hook */
	bool reaped;		  /* waited for by its parent, or nobody will */
	bool exiting;		  /* proc_exit() was called: its status is the exit code */
	bool exit_told;		  /* the observers were told of its exit (PROC_EV_EXIT) */
	int termsig;		  /* killed by this signal (0: it exited) */
	int status;		  /* wait(2) status recorded at death (SIMK_W_*) */
	bool fsize_set;		  /* false: RLIMIT_FSIZE is infinite */
	struct simk_rlimit fsize; /* kern/rlimit.c */
};

#define KERN_TABLE_MIN 16 /* the per-tid and per-pid tables' first size */

struct kern_state {
	struct simk_proc *kproc; /* "kernel": home of worker threads; lazy */
	struct workqueue *syswq; /* the system work queue; created with kproc */
	bool creating_kproc;	 /* guards the lazy creation against re-entry */
	uint64_t work_seq_last;	 /* last work ticket of the run, of any queue */
	/* Joiners and proc_exit() callers wait here for any thread exit. */
	struct waitq thread_exit_wq;
	/* proc_wait() callers wait here for any process death. */
	struct waitq child_wq;
	/* exited[tid - 1]: the thread passed its thread_exit hook. */
	uint8_t *exited;
	int exited_cap;
	struct kproc_info *pinfo;
	int pinfo_cap;
	/* The tables' first KERN_TABLE_MIN entries, in the state's own block
	 * (one block a run instead of three); a table that grows past them
	 * moves to the host heap. */
	uint8_t exited_first[KERN_TABLE_MIN];
	struct kproc_info pinfo_first[KERN_TABLE_MIN];
};

/* The current run's state (panics outside a simulation). Inline, with
 * the tables' look-ups below: every thread's and process's exit asks for
 * them a few times. */
static inline struct kern_state *kern_st(void)
{
	struct kern_state *ks = sim_subsys_state(sim_cur(), kern_subsys_slot);
	KASSERT(ks != NULL, "kern used outside a simulation");
	return ks;
}
/* Grows a table (its first entries in first, in the state's block) so
 * that index n - 1 exists (kern.c). */
void *kern_table_grow(void *arr, void *first, int *cap, int n, size_t elem);
/* Grows the per-tid / per-pid tables so that index id - 1 exists. */
static inline uint8_t *kern_thread_exited_slot(int tid)
{
	struct kern_state *ks = kern_st();
	KASSERT(tid >= 1, "bad tid %d", tid);
	KASSERT(tid <= SIM_MAX_THREADS, "bad tid %d", tid);
	if (tid > ks->exited_cap) /* past the first table: a run with many threads */
		ks->exited = kern_table_grow(ks->exited, ks->exited_first, &ks->exited_cap, tid,
					     sizeof(*ks->exited));
	return &ks->exited[tid - 1];
}
static inline struct kproc_info *kern_pinfo(int pid)
{
	struct kern_state *ks = kern_st();
	KASSERT(pid >= 1, "bad pid %d", pid);
	KASSERT(pid <= SIM_MAX_PROCS, "bad pid %d", pid);
	if (pid > ks->pinfo_cap)
		ks->pinfo = kern_table_grow(ks->pinfo, ks->pinfo_first, &ks->pinfo_cap, pid,
					    sizeof(*ks->pinfo));
	return &ks->pinfo[pid - 1];
}

/* Hooks from kern.c into the service files. */
void kproc_thread_exit(struct simk_thread *t);
void kproc_proc_exit(struct simk_proc *p);
void ksig_proc_exit(struct simk_proc *p);
void ksig_end(struct simk *s);
void kwq_end(struct simk *s);
struct workqueue *kwq_create_system(void);

#endif
