/*
 * Condition variables, Mesa semantics (a woken waiter re-checks its
 * predicate in a loop).
 *
 * No lost wake-up: the waiter queues itself and marks itself sleeping
 * (thread_prepare_sleep) before it drops the mutex. Any cv_signal that
 * follows the unlock finds the entry and wakes the thread; if that happens
 * before the thread actually blocks (the unlock is a preemption point),
 * thread_sleep returns at once.
 *
 * Waiters are exclusive entries in arrival order: cv_signal wakes the
 * oldest waiter still asleep (one that already timed out or was
 * interrupted is skipped, so the signal is not wasted on it).
 */
#include "kern/lock.h"

#include <errno.h>

#include "sim/engine.h"

void cv_init(struct condvar *cv, const char *name)
{
	cv->name = name;
	waitq_init(&cv->wq, name);
}

void cv_destroy(struct condvar *cv)
{
	waitq_destroy(&cv->wq);
}

/*
 * Thread context, m held by the caller; returns with m held again (the
 * re-lock is uninterruptible, as in BSD's cv_wait_sig). timeout_ns is
 * relative virtual time (SIMK_FOREVER: none). 0, -ETIMEDOUT or -EINTR.
 */
int cv_timedwait(struct condvar *cv, struct mutex *m, uint64_t timeout_ns, bool sig)
{
	struct simk_thread *t = sim_thread_current();
	sim_assert_may_sleep(cv->name);
	KASSERT(mutex_held(m), "cv_wait on %s without holding mutex %s", cv->name, m->name);
	struct waitq_entry e;
	waitq_entry_init(&e, t);
	waitq_add_exclusive(&cv->wq, &e);
	thread_prepare_sleep(cv->name, sig);
	struct mutex_site site = m->site; /* the caller's, not this file's */
	mutex_unlock(m);
	int r = thread_sleep(timeout_ns);
	waitq_remove(&cv->wq, &e);
	mutex_lock(m);
	m->site = site;
	return r;
}

void cv_wait(struct condvar *cv, struct mutex *m)
{
	int r = cv_timedwait(cv, m, SIMK_FOREVER, false);
	KASSERT(r == 0, "uninterruptible cv_wait on %s returned %d", cv->name, r);
}

int cv_wait_sig(struct condvar *cv, struct mutex *m)
{
	return cv_timedwait(cv, m, SIMK_FOREVER, true);
}

/* Any context. */
void cv_signal(struct condvar *cv)
{
	waitq_wake(&cv->wq, 1, NULL);
}

/* Any context. */
void cv_broadcast(struct condvar *cv)
{
	waitq_wake(&cv->wq, 0, NULL);
}
