/*
 * Locks and condition variables.
 *
 * spinlock: the holder cannot be switched away from (switch points are
 *   ignored while any spinlock is held) and must not sleep: sleeping with
 *   one held is a simulated panic. Taking a held spinlock can never
 *   succeed on one CPU, so it panics ("spinlock deadlock"). Dropping the
 *   last spinlock held is a preemption point. spin_lock_irq additionally keeps
 *   interrupts from being delivered... which, in this single-CPU model,
 *   already holds while no switch point runs; the _irq variants exist so
 *   code reads like a kernel's and so a handler that takes a lock its
 *   interrupted thread holds is caught (panic: "spinlock deadlock").
 * mutex: sleeping lock; contention is a switch point; the owner may
 *   sleep; unlocking by a non-owner, recursive locking and destroying a held
 *   mutex are panics. Waiters are woken in FIFO order (exclusive wake-one)
 *   and the mutex is handed to the woken waiter (no barging); unlock is
 *   a preemption point.
 * condvar: Mesa semantics; cv_wait drops the mutex and sleeps atomically
 *   with respect to cv_signal/cv_broadcast (no lost wake-up).
 *
 * Context: spin_* any context; mutex_* and cv_wait* thread context only;
 * cv_signal/cv_broadcast any context.
 */
#ifndef SIMK_LOCK_H
#define SIMK_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/waitq.h"
#include "sim/engine.h" /* KASSERT */

struct spinlock {
	const char *name;
	int holder_tid; /* 0 = free, -1 = held by interrupt context */
	bool held;
};

void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
/* Held by the caller: its thread, or (in interrupt or host context) a
 * holder outside any thread. */
bool spin_held(const struct spinlock *l);
/* One CPU, interrupts only at switch points: the _irq forms are the plain
 * ones (they exist so code reads like a kernel's). */
static inline void spin_lock_irq(struct spinlock *l)
{
	spin_lock(l);
}
static inline void spin_unlock_irq(struct spinlock *l)
{
	spin_unlock(l);
}

/* Where the owner took a mutex: the C call site, and the scenario
 * statement when the owner is a scenario thread (sim_thread_site). */
struct mutex_site {
	const char *c_file;
	int c_line;
	struct sim_site scn; /* scn.file NULL: not a scenario thread */
};

struct mutex {
	const char *name;
	struct simk_thread *owner;
	struct list_node held; /* on owner->mutexes_held while owned */
	struct mutex_site site; /* valid while owned */
	struct waitq waiters;
	uint64_t contended; /* statistics: times a locker had to wait */
	uint64_t oid;	    /* dfs: its object id (sim/access.h) */
};

void mutex_init(struct mutex *m, const char *name);
void mutex_destroy(struct mutex *m);
/* The _at forms take the caller's site (the macros below pass it). */
void mutex_lock_at(struct mutex *m, const char *file, int line);
/* Returns 0 or -EINTR (a signal arrived while waiting). */
int mutex_lock_interruptible_at(struct mutex *m, const char *file, int line);
bool mutex_trylock_at(struct mutex *m, const char *file, int line);
#define mutex_lock(m) mutex_lock_at((m), __FILE__, __LINE__)
#define mutex_lock_interruptible(m) mutex_lock_interruptible_at((m), __FILE__, __LINE__)
#define mutex_trylock(m) mutex_trylock_at((m), __FILE__, __LINE__)
void mutex_unlock(struct mutex *m);
bool mutex_held(const struct mutex *m); /* by the current thread */
/* Thread-exit check (kern's thread_exit hook): a thread must not end
 * owning a mutex (nobody could ever unlock it). Panics naming the first
 * such mutex and where it was taken. */
void mutex_check_exit(struct simk_thread *t);

/* Contract checks: a comment "l held" or "m held" is one of these. */
#define spin_assert_held(l) KASSERT(spin_held(l), "spinlock %s not held by the caller", (l)->name)
#define mutex_assert_held(m) KASSERT(mutex_held(m), "mutex %s not held by the caller", (m)->name)
/* "lock not held": the caller must not hold it (it is about to sleep, or
 * to take it). */
#define spin_assert_not_held(l) KASSERT(!spin_held(l), "spinlock %s held by the caller", (l)->name)

struct condvar {
	const char *name;
	struct waitq wq;
};

void cv_init(struct condvar *cv, const char *name);
void cv_destroy(struct condvar *cv);
void cv_wait(struct condvar *cv, struct mutex *m);
/* Returns 0, -ETIMEDOUT (relative timeout in ns) or -EINTR (when sig). */
int cv_timedwait(struct condvar *cv, struct mutex *m, uint64_t timeout_ns, bool sig);
int cv_wait_sig(struct condvar *cv, struct mutex *m);
void cv_signal(struct condvar *cv);
void cv_broadcast(struct condvar *cv);

#endif
