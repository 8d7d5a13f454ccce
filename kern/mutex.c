/*
 * Sleeping mutexes with FIFO hand-off.
 *
 * Invariant: a mutex with waiters is never free. mutex_unlock does not
 * release the lock to whoever asks next; it hands ownership directly to
 * the oldest waiter that can still take it (m->owner = that thread, then
 * wakes it). So waiters acquire in arrival order and a thread that keeps
 * relocking cannot starve them. A waiter that was interrupted (or woken by
 * anything but the hand-off) is skipped by the hand-off, because
 * thread_wake() refuses a thread that is no longer sleeping; it removes its
 * own entry before it returns.
 *
 * Switch points: blocking on a held mutex, and a preempt_point() right
 * after unlock (another CPU could take the lock there).
 *
 * dfs: every look at the owner is an access to the mutex's object id; the
 * steps that lock and unlock one mutex are dependent, others are not.
 */
#include "kern/lock.h"

#include <errno.h>

#include "sim/access.h"
#include "sim/engine.h"

/* Liveness guard: wake-ups of one waiter before it owns the mutex; past it the loop is a livelock bug. */
#define MUTEX_WAIT_ROUNDS_MAX 1000000

void mutex_init(struct mutex *m, const char *name)
{
	m->name = name;
	m->owner = NULL;
	list_init(&m->held);
	waitq_init(&m->waiters, name);
	m->contended = 0;
	m->oid = sim_obj_new();
}

/* m becomes t's (the caller holds no other claim on it). */
static void take(struct mutex *m, struct simk_thread *t)
{
	KASSERT(m->owner == NULL, "mutex %s taken while held", m->name);
	m->owner = t;
	list_push_back(&t->mutexes_held, &m->held);
}

static void record_site(struct mutex *m, struct simk_thread *t, const char *file, int line)
{
	m->site.c_file = file;
	m->site.c_line = line;
	if (!sim_thread_site(t, &m->site.scn))
		m->site.scn.file = NULL;
}

void mutex_check_exit(struct simk_thread *t)
{
	if (list_empty(&t->mutexes_held))
		return;
	struct mutex *m = list_entry(t->mutexes_held.next, struct mutex, held);
	const struct mutex_site *w = &m->site;
	if (w->scn.file != NULL)
		sim_panic("thread %s (tid %d) exited holding mutex %s (acquired at %s:%d:%d)",
			  t->name, t->tid, m->name, w->scn.file, w->scn.line, w->scn.col);
	sim_panic("thread %s (tid %d) exited holding mutex %s (acquired at %s:%d)", t->name,
		  t->tid, m->name, w->c_file, w->c_line);
}

void mutex_destroy(struct mutex *m)
{
	KASSERT(m->owner == NULL, "mutex %s destroyed while held by %s", m->name,
		m->owner ? m->owner->name : "?");
	waitq_destroy(&m->waiters);
}

/* Hand-off wake function: called by waitq_wake from mutex_unlock with the
 * mutex as key. Gives the mutex to e's thread if it still sleeps. */
static int mutex_handoff(struct waitq_entry *e, void *key)
{
	struct mutex *m = key;
	KASSERT(m->owner == NULL, "hand-off of held mutex %s", m->name);
	if (!thread_wake(e->thread, 0))
		return 0; /* interrupted; it removes itself */
	take(m, e->thread); /* its site is recorded when it resumes */
	waitq_remove(&m->waiters, e);
	return 1;
}

static int lock_common(struct mutex *m, bool interruptible, const char *file, int line)
{
	struct simk_thread *t = sim_thread_current();
	sim_assert_may_sleep(m->name); /* even uncontended: catches bugs early */
	KASSERT(m->owner != t, "mutex %s locked recursively by %s", m->name, t->name);
	sim_write(m->oid);
	if (m->owner == NULL) {
		take(m, t);
		record_site(m, t, file, line);
		return 0;
	}
	m->contended++;
	struct waitq_entry e;
	waitq_entry_init_func(&e, mutex_handoff, m);
	e.thread = t;
	waitq_add_exclusive(&m->waiters, &e);
	int r = 0;
	for (int bound = 0;; bound++) {
		KASSERT(bound < MUTEX_WAIT_ROUNDS_MAX, "mutex %s: waiter %s spins", m->name, t->name);
		thread_prepare_sleep(m->name, interruptible);
		if (m->owner == t) {
			thread_cancel_sleep();
			break;
		}
		r = thread_sleep(SIMK_FOREVER);
		sim_write(m->oid); /* a new step: the hand-off is looked at again */
		if (m->owner == t) {
			r = 0;
			break;
		}
		if (r == -EINTR)
			break;
		/* woken by someone else: still queued, sleep again */
	}
	waitq_remove(&m->waiters, &e);
	KASSERT(r == 0 ? m->owner == t : m->owner != t, "mutex %s: bad hand-off state", m->name);
	if (r == 0)
		record_site(m, t, file, line);
	return r;
}

/* Thread context; may sleep. */
void mutex_lock_at(struct mutex *m, const char *file, int line)
{
	int r = lock_common(m, false, file, line);
	KASSERT(r == 0, "uninterruptible mutex_lock of %s returned %d", m->name, r);
}

/* Thread context; may sleep. 0 or -EINTR. */
int mutex_lock_interruptible_at(struct mutex *m, const char *file, int line)
{
	return lock_common(m, true, file, line);
}

/* Thread context; never sleeps. */
bool mutex_trylock_at(struct mutex *m, const char *file, int line)
{
	struct simk_thread *t = sim_thread_current();
	KASSERT(t != NULL, "mutex_trylock of %s outside thread context", m->name);
	KASSERT(!sim_in_irq(), "mutex_trylock of %s outside thread context", m->name);
	sim_write(m->oid);
	if (m->owner != NULL)
		return false;
	take(m, t);
	record_site(m, t, file, line);
	return true;
}

/* Thread context, by the owner. Hands the mutex to the oldest waiter. */
void mutex_unlock(struct mutex *m)
{
	struct simk_thread *t = sim_thread_current();
	KASSERT(t != NULL, "mutex_unlock of %s outside thread context", m->name);
	KASSERT(!sim_in_irq(), "mutex_unlock of %s outside thread context", m->name);
	KASSERT(m->owner == t, "mutex %s unlocked by non-owner %s (owner %s)", m->name, t->name,
		m->owner ? m->owner->name : "none");
	sim_write(m->oid);
	m->owner = NULL;
	list_del(&m->held);
	waitq_wake(&m->waiters, 1, m);
	preempt_point();
}

bool mutex_held(const struct mutex *m)
{
	struct simk_thread *t = sim_thread_current();
	sim_read(m->oid);
	return t != NULL && m->owner == t;
}
