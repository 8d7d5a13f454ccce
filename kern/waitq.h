/*
 * Wait queues, in the shape of Linux's: a queue of entries, each with a
 * wake function. Non-exclusive entries go to the head, exclusive ones to
 * the tail; waitq_wake(wq, nr_exclusive) calls every non-exclusive entry
 * and stops after nr_exclusive exclusive entries that reported a wake-up.
 * The default wake function removes the entry and wakes its thread
 * ("autoremove"); a custom function (Linux AIO's retry kick, a poll
 * callback) may do anything that does not sleep.
 *
 * Waking order is the queue order, which depends only on the order of
 * waitq_add calls: deterministic.
 *
 * Context: waitq_wake may be called from interrupt context. Sleeping
 * helpers need thread context.
 *
 * dfs: every operation that reads or changes the queue is an access to
 * its object id (sim/access.h); the sleeping helpers' own sleep and the
 * wake-up of a thread are accesses to that thread (sim/sched.c).
 */
#ifndef SIMK_WAITQ_H
#define SIMK_WAITQ_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"

struct waitq_entry;
/* Returns non-zero when it woke something (counts against nr_exclusive). */
typedef int (*waitq_func)(struct waitq_entry *e, void *key);

struct waitq_entry {
	struct list_node link;
	struct simk_thread *thread;
	bool exclusive;
	waitq_func func;
	void *priv;
};

struct waitq {
	struct list_node head;
	const char *name; /* the wait channel shown in deadlock reports */
	int nwaiters;
	uint64_t oid; /* dfs: its object id (sim/access.h) */
};

void waitq_init(struct waitq *wq, const char *name);
/* Panics if entries remain (a sleeper would be lost). */
void waitq_destroy(struct waitq *wq);
void waitq_entry_init(struct waitq_entry *e, struct simk_thread *t);
void waitq_entry_init_func(struct waitq_entry *e, waitq_func fn, void *priv);
void waitq_add(struct waitq *wq, struct waitq_entry *e);
void waitq_add_exclusive(struct waitq *wq, struct waitq_entry *e);
/* Safe when e was already removed by an autoremove wake. */
void waitq_remove(struct waitq *wq, struct waitq_entry *e);
bool waitq_active(const struct waitq *wq);
int waitq_wake(struct waitq *wq, int nr_exclusive, void *key);
static inline int waitq_wake_one(struct waitq *wq)
{
	return waitq_wake(wq, 1, NULL);
}
static inline int waitq_wake_all(struct waitq *wq)
{
	return waitq_wake(wq, 0, NULL);
}
/* The default wake function (autoremove + wake the thread). */
int waitq_default_wake(struct waitq_entry *e, void *key);

/*
 * Sleeps until cond(arg) is true, a timeout (relative ns, SIMK_FOREVER for
 * none) or, when interruptible, a signal. The condition is checked after
 * the thread is queued and prepared, so a wake-up between the check and the
 * sleep is never lost. Returns 0, -ETIMEDOUT or -EINTR.
 */
int waitq_wait(struct waitq *wq, bool exclusive, bool interruptible, uint64_t timeout_ns,
	       bool (*cond)(void *arg), void *arg);
/* Sleeps once on wq with no condition (the naive sleep of textbooks, used by
 * the lost-wakeup demo). Returns 0, -ETIMEDOUT or -EINTR. */
int waitq_sleep(struct waitq *wq, bool exclusive, bool interruptible, uint64_t timeout_ns);

#endif
