/*
 * Access annotations: what a step touched, for the dfs search's
 * partial-order reduction (docs/exploration.md).
 *
 * A step is what one thread (or the interrupt "thread", id 0) does between
 * two switch points. Two steps are dependent when they access a common
 * object and at least one of them writes it (or one adds to it — a
 * commutative update, such as a count — and the other reads it);
 * dependent steps are the only
 * ones whose order the search has to vary. Code that guards a switch point
 * says what it touches: sim_read(oid) / sim_write(oid) on the object's id.
 *
 * Sound by default: a step is "global" — dependent with every other step —
 * unless everything it ran was annotated. Threads start unannotated (a C
 * thread's memory accesses are invisible to the engine); the scenario
 * interpreter marks its threads annotated (sim_annotated); kernel code
 * that is not annotated runs inside sim_opaque_enter/leave, which makes
 * every step it spans global; an interrupt handler is global unless its
 * event was marked annotated (event_set_annotated).
 *
 * Object ids are deterministic, never addresses: a dynamic object's id is
 * (creator, sequence number within the creator), where the creator is the
 * thread that ran sim_obj_new (0: host setup and interrupts). The same
 * program and decisions give the same ids; objects made by independent
 * threads keep their ids whatever the interleaving.
 *
 * Outside a dfs run the annotations cost one load and a branch.
 */
#ifndef SIMK_ACCESS_H
#define SIMK_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

enum sim_acc_mode {
	SIM_ACC_READ = 1,
	SIM_ACC_WRITE = 2,
	SIM_ACC_ADD = 4, /* a commutative update: two ADDs never conflict */
};

/* Fixed object-id spaces (the top byte of an id). */
#define SIM_OID_DYN 0x01ULL	 /* sim_obj_new: creator << 32 | sequence */
#define SIM_OID_THREAD 0x02ULL	 /* a thread's sleep and signal state: | tid */
#define SIM_OID_PROC 0x03ULL	 /* a process's bookkeeping: | pid */
#define SIM_OID_SCN_VAR 0x04ULL	 /* a scenario shared variable: | index */
#define SIM_OID_ENGINE 0x05ULL	 /* engine singletons, below */
#define SIM_OID_FAULT 0x06ULL	 /* a fault point's hit counter: | index */
#define SIM_OID_USER 0x07ULL	 /* simk_access() from C programs: | the caller's id */
#define SIM_OID_PROC_LIVE 0x08ULL /* a process's live-thread count: | pid */
#define SIM_OID_TEXIT 0x09ULL	  /* a thread's exit record (exited, code, joined): | tid */
#define SIM_OID_PROC_SIG 0x0aULL  /* a process's signal state: | pid */
#define SIM_OID_SCN_DECL 0x0bULL  /* a scenario declaration's per-run record: | index */

#define SIM_OID(space, n) (((space) << 56) | ((uint64_t)(n) & 0x00ffffffffffffffULL))
#define SIM_OID_EVENTQ SIM_OID(SIM_OID_ENGINE, 1)  /* the timed-event queue */
#define SIM_OID_CLOCK SIM_OID(SIM_OID_ENGINE, 2)   /* the virtual clock */
#define SIM_OID_THREADS SIM_OID(SIM_OID_ENGINE, 3) /* thread ids handed out in spawn order */
#define SIM_OID_YIELD SIM_OID(SIM_OID_ENGINE, 4)   /* who yielded last and may not run yet */
#define SIM_OID_PROCS SIM_OID(SIM_OID_ENGINE, 5)   /* process ids handed out in order */

struct dpor_rec;
/* The recorder of the current run, NULL unless the policy is dfs. */
extern struct dpor_rec *sim_rec_active;

void sim_access_slow(uint64_t oid, enum sim_acc_mode mode);

static inline void sim_access(uint64_t oid, enum sim_acc_mode mode)
{
	if (__builtin_expect(sim_rec_active != 0, 0))
		sim_access_slow(oid, mode);
}
static inline void sim_read(uint64_t oid)
{
	sim_access(oid, SIM_ACC_READ);
}
static inline void sim_write(uint64_t oid)
{
	sim_access(oid, SIM_ACC_WRITE);
}

/* The current step depends on every other step. */
void sim_access_global(void);

/* A fresh deterministic object id (any context, also outside a run). */
uint64_t sim_obj_new(void);

/* The calling thread's accesses are annotated from now on (on) or not. */
void sim_annotated(bool on);

/* Code between these is not annotated: each step it spans is global.
 * They nest; thread context (no-ops elsewhere). */
void sim_opaque_enter(void);
void sim_opaque_leave(void);

/*
 * The recorder's notes on the engine's own steps. Like sim_access, each
 * is a test of sim_rec_active inline and the work (sim/dpor_rec.c) only
 * when the dfs policy records: every spawn, wake-up and exit of the other
 * policies' runs passes here.
 */
void sim_rec_enable_slow(int tid);
void sim_rec_exit_slow(int tid, int pid, bool user);
void sim_rec_reaper_begin_slow(int pid);
void sim_rec_mute_slow(bool on);
void sim_rec_join_users_slow(int tid);

/* The thread whose id is tid becomes runnable because of the current step
 * (a wake-up, a spawn): its next step comes after this one. */
static inline void sim_rec_enable(int tid)
{
	if (__builtin_expect(sim_rec_active != 0, 0))
		sim_rec_enable_slow(tid);
}

/*
 * Thread exit (sim/sched.c). Exits commute, but the last thread of a
 * process also tears the process down: that work is recorded as a step of
 * its own ("the reaper of pid"), which comes after the exit of every
 * thread of the process, so it does not matter for the search which
 * thread happened to be last.
 */
static inline void sim_rec_exit(int tid, int pid, bool user)
{
	if (__builtin_expect(sim_rec_active != 0, 0))
		sim_rec_exit_slow(tid, pid, user);
}
static inline void sim_rec_reaper_begin(int pid)
{
	if (__builtin_expect(sim_rec_active != 0, 0))
		sim_rec_reaper_begin_slow(pid);
}
/* Accesses are not recorded while muted (the engine's own bookkeeping
 * done on a step's behalf, such as starting the finally block). */
static inline void sim_rec_mute(bool on)
{
	if (__builtin_expect(sim_rec_active != 0, 0))
		sim_rec_mute_slow(on);
}
/* The next step of tid comes after the exit of every user thread (the
 * finally block starts when they are all gone). */
static inline void sim_rec_join_users(int tid)
{
	if (__builtin_expect(sim_rec_active != 0, 0))
		sim_rec_join_users_slow(tid);
}

/* The rule for state no annotation covers: a precise step may write it
 * only if every step that reads it is global, and read it only if every
 * step that writes it is global. Unannotated subsystems satisfy it by
 * making every step of their calls and hooks global. */

#endif
