/*
 * Completions (kern/completion.h; Linux kernel/sched/completion.c).
 *
 * The one invariant: a waiter is queued and prepared to sleep before it
 * looks at done (waitq_wait does that), so a complete() that comes at the
 * switch point inside the check finds it on the queue.
 */
#include "kern/completion.h"

#include <errno.h>

void completion_init(struct completion *x, const char *name)
{
	spin_init(&x->lock, name);
	x->done = 0;
	waitq_init(&x->wait, name);
}

void completion_destroy(struct completion *x)
{
	waitq_destroy(&x->wait);
}

/* The waiter's condition: takes one done under the lock. */
static bool take_done(void *arg)
{
	struct completion *x = arg;
	spin_lock(&x->lock);
	bool ok = x->done > 0;
	if (ok && x->done != COMPLETION_ALL)
		x->done--;
	spin_unlock(&x->lock); /* a switch point: complete() may run here */
	return ok;
}

int wait_for_completion_timeout(struct completion *x, uint64_t timeout_ns, bool interruptible)
{
	sim_assert_may_sleep(x->wait.name);
	return waitq_wait(&x->wait, true, interruptible, timeout_ns, take_done, x);
}

bool try_wait_for_completion(struct completion *x)
{
	return take_done(x);
}

void complete(struct completion *x)
{
	spin_lock(&x->lock);
	if (x->done != COMPLETION_ALL)
		x->done++;
	waitq_wake(&x->wait, 1, NULL);
	spin_unlock(&x->lock);
}

void complete_all(struct completion *x)
{
	spin_lock(&x->lock);
	x->done = COMPLETION_ALL;
	waitq_wake_all(&x->wait);
	spin_unlock(&x->lock);
}
