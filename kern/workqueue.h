/*
 * Work queues: work items run in thread context by kernel (daemon)
 * threads, in FIFO order. Used for deferred work that may sleep: Linux
 * AIO retries, deferred fput, the buffer-cache flusher, POSIX AIO
 * notification.
 *
 * Context: queue_work from any context (interrupts included); the work
 * function runs on a worker thread (in the kernel process: it has no user
 * memory, use copyout_proc) and may sleep. A work item is owned by its
 * caller and must not be freed while queued (use work_cancel /
 * workqueue_flush). The work function itself may free or re-queue its
 * item: the worker reads nothing of it after the function returns.
 * Names (of queues and items) must outlive the run.
 */
#ifndef SIMK_WORKQUEUE_H
#define SIMK_WORKQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"

struct work;
typedef void (*work_fn)(struct work *w);

struct work {
	struct list_node link;
	work_fn fn;
	void *arg;
	bool queued;          /* on a queue, not yet taken by a worker */
	const char *name;
	uint64_t seq;         /* queueing ticket (for flush); private */
	struct workqueue *wq; /* the queue it is on; private */
};

struct workqueue;

void work_init(struct work *w, const char *name, work_fn fn, void *arg);
/* nthreads kernel threads (>= 1) in the kernel process. NULL on ENOMEM. */
struct workqueue *workqueue_create(const char *name, int nthreads);
/* Waits (thread context) for queued work to finish, stops the workers. */
void workqueue_destroy(struct workqueue *wq);
/* Returns false if w was already queued (not queued twice). */
bool queue_work(struct workqueue *wq, struct work *w);
/* Removes a queued item; returns true if it was queued. Does not wait for a
 * running one. */
bool work_cancel(struct workqueue *wq, struct work *w);
/* True while a worker of wq runs w's function. */
bool work_running(const struct workqueue *wq, const struct work *w);
/* Thread context: waits until every item queued before the call ran. */
void workqueue_flush(struct workqueue *wq);
/* The system work queue (one worker), created with each simulation. */
struct workqueue *system_wq(void);

#endif
