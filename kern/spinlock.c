/*
 * Spinlocks on one simulated CPU.
 *
 * The invariant that makes them correct: while a thread holds a spinlock,
 * nothing else runs — switch points are ignored (the engine checks
 * t->spinlocks_held) and interrupts are only delivered at switch points or
 * when every thread is blocked, and a holder may not block (sleeping with a
 * spinlock held panics in sim_assert_may_sleep). So a lock found held at
 * spin_lock time can never be released by spinning: it is a deadlock
 * (recursion, a lock an interrupt handler leaked, or an interrupt handler
 * taking a lock that host-context code holds) and a simulated panic.
 *
 * Holders: a thread (holder_tid = its tid) or "no thread" (interrupt or
 * host context, holder_tid = -1).
 */
#include "kern/lock.h"

#include "sim/engine.h"

void spin_init(struct spinlock *l, const char *name)
{
	l->name = name;
	l->holder_tid = 0;
	l->held = false;
}

static int self_tid(void)
{
	struct simk *s = sim_cur();
	if (s->in_irq || s->current == NULL)
		return -1;
	return s->current->tid;
}

static void take(struct spinlock *l, int tid)
{
	l->held = true;
	l->holder_tid = tid;
	struct simk_thread *t = sim_cur()->in_irq ? NULL : sim_cur()->current;
	if (t != NULL)
		t->spinlocks_held++;
}

/* Any context. */
void spin_lock(struct spinlock *l)
{
	int tid = self_tid();
	if (l->held) {
		if (sim_in_irq())
			sim_panic("spinlock deadlock: interrupt handler takes %s held by %s%d",
				  l->name, l->holder_tid > 0 ? "thread " : "context ",
				  l->holder_tid);
		sim_panic("spinlock deadlock: %s taken again (holder %d, taker %d)", l->name,
			  l->holder_tid, tid);
	}
	take(l, tid);
}

/* Any context. Never spins: false when the lock is held. */
bool spin_trylock(struct spinlock *l)
{
	if (l->held)
		return false;
	take(l, self_tid());
	return true;
}

/*
 * Any context. In thread context, dropping the last spinlock is a
 * preemption point: on a real machine another CPU (or a pending interrupt)
 * could run right here.
 */
void spin_unlock(struct spinlock *l)
{
	int tid = self_tid();
	KASSERT(l->held, "spin_unlock of free spinlock %s", l->name);
	KASSERT(l->holder_tid == tid, "spinlock %s held by %d, released by %d", l->name,
		l->holder_tid, tid);
	l->held = false;
	l->holder_tid = 0;
	if (tid > 0) {
		struct simk_thread *t = sim_cur()->current;
		KASSERT(t->spinlocks_held > 0, "spinlock count of %s underflows", t->name);
		t->spinlocks_held--;
		if (t->spinlocks_held == 0)
			preempt_point();
	}
}

/* Any context: held by the caller's context (its thread, or interrupt or
 * host context for a lock taken there). */
bool spin_held(const struct spinlock *l)
{
	return l->held && l->holder_tid == self_tid();
}
