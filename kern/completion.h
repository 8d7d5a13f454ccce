/*
 * Completions, in the shape of Linux's (kernel/sched/completion.c): a
 * count of "done" events guarded by a spinlock, and a wait queue of
 * exclusive waiters. complete() adds one and wakes one waiter;
 * complete_all() makes every present and future wait succeed; a wait
 * consumes one.
 *
 * The waiter's condition takes the completion's lock, and dropping it is a
 * switch point: a complete() can run between the waiter's check and its
 * sleep. waitq_wait's prepare/check/sleep order is what keeps that wake-up
 * from being lost (labs/kernel/01-waitq).
 *
 * Context: wait_for_completion* thread context; complete* any context.
 */
#ifndef SIMK_COMPLETION_H
#define SIMK_COMPLETION_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/lock.h"
#include "kern/waitq.h"

#define COMPLETION_ALL UINT32_MAX /* done after complete_all: never consumed */

struct completion {
	struct spinlock lock; /* guards done */
	uint32_t done;
	struct waitq wait;
};

void completion_init(struct completion *x, const char *name);
/* Panics if a waiter is left. */
void completion_destroy(struct completion *x);
/* 0, -ETIMEDOUT (timeout_ns relative; SIMK_FOREVER for none) or -EINTR. */
int wait_for_completion_timeout(struct completion *x, uint64_t timeout_ns, bool interruptible);
/* Consumes one done without sleeping: true when there was one. */
bool try_wait_for_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);

#endif
