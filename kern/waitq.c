#include "kern/waitq.h"

#include <errno.h>

#include "sim/access.h"

/* Liveness guard: entries one wake visits; past it the loop is a livelock bug. */
#define WAITQ_WAKE_ENTRIES_MAX 10000000
/* Liveness guard: wake-ups of one waitq_wait before its condition holds; past it the loop is a livelock bug. */
#define WAITQ_WAIT_ROUNDS_MAX 100000000

void waitq_init(struct waitq *wq, const char *name)
{
	list_init(&wq->head);
	wq->name = name;
	wq->nwaiters = 0;
	wq->oid = sim_obj_new();
}

void waitq_destroy(struct waitq *wq)
{
	KASSERT(list_empty(&wq->head), "wait queue %s destroyed with %d waiter(s)", wq->name,
		wq->nwaiters);
}

void waitq_entry_init(struct waitq_entry *e, struct simk_thread *t)
{
	list_init(&e->link);
	e->thread = t;
	e->exclusive = false;
	e->func = waitq_default_wake;
	e->priv = NULL;
}

void waitq_entry_init_func(struct waitq_entry *e, waitq_func fn, void *priv)
{
	list_init(&e->link);
	e->thread = NULL;
	e->exclusive = false;
	e->func = fn;
	e->priv = priv;
}

/* LAB 01 BEGIN: waitq_add */
void waitq_add(struct waitq *wq, struct waitq_entry *e)
{
	KASSERT(list_empty(&e->link), "wait entry added twice to %s", wq->name);
	sim_write(wq->oid);
	e->exclusive = false;
	list_push_front(&wq->head, &e->link);
	wq->nwaiters++;
}

void waitq_add_exclusive(struct waitq *wq, struct waitq_entry *e)
{
	KASSERT(list_empty(&e->link), "wait entry added twice to %s", wq->name);
	sim_write(wq->oid);
	e->exclusive = true;
	list_push_back(&wq->head, &e->link);
	wq->nwaiters++;
}
/* LAB 01 END: waitq_add */

void waitq_remove(struct waitq *wq, struct waitq_entry *e)
{
	if (list_empty(&e->link))
		return;
	sim_write(wq->oid);
	list_del(&e->link);
	wq->nwaiters--;
}

bool waitq_active(const struct waitq *wq)
{
	sim_read(wq->oid);
	return !list_empty(&wq->head);
}

int waitq_default_wake(struct waitq_entry *e, void *key)
{
	(void)key;
	/* The queue's count is fixed by waitq_wake, which knows the queue. */
	return thread_wake(e->thread, 0) ? 1 : 0;
}

/* LAB 01 BEGIN: waitq_wake */
int waitq_wake(struct waitq *wq, int nr_exclusive, void *key)
{
	int woken = 0;
	if (list_empty(&wq->head)) {
		sim_read(wq->oid); /* waking nobody changes nothing: such wakes commute */
		return 0;
	}
	sim_write(wq->oid);
	struct list_node *n = wq->head.next;
	for (int bound = 0; n != &wq->head; bound++) {
		KASSERT(bound < WAITQ_WAKE_ENTRIES_MAX, "wait queue %s loops", wq->name);
		struct list_node *next = n->next;
		struct waitq_entry *e = list_entry(n, struct waitq_entry, link);
		bool excl = e->exclusive;
		bool autoremove = e->func == waitq_default_wake;
		int r = e->func(e, key);
		if (autoremove && r) {
			list_del(&e->link);
			wq->nwaiters--;
		}
		woken += r ? 1 : 0;
		if (r && excl && --nr_exclusive == 0)
			break;
		n = next;
	}
	return woken;
}
/* LAB 01 END: waitq_wake */

/* LAB 01 BEGIN: waitq_wait */
int waitq_wait(struct waitq *wq, bool exclusive, bool interruptible, uint64_t timeout_ns,
	       bool (*cond)(void *arg), void *arg)
{
	struct simk_thread *t = sim_thread_current();
	sim_assert_may_sleep(wq->name);
	uint64_t deadline = sim_time_add(sim_now(), timeout_ns); /* a huge timeout: never */
	struct waitq_entry e;
	waitq_entry_init(&e, t);
	int r = 0;
	for (int bound = 0;; bound++) {
		KASSERT(bound < WAITQ_WAIT_ROUNDS_MAX, "waitq_wait on %s spins", wq->name);
		if (list_empty(&e.link)) {
			if (exclusive)
				waitq_add_exclusive(wq, &e);
			else
				waitq_add(wq, &e);
		}
		thread_prepare_sleep(wq->name, interruptible);
		if (cond(arg)) {
			thread_cancel_sleep();
			r = 0;
			break;
		}
		uint64_t left = SIMK_FOREVER;
		if (deadline != SIMK_FOREVER)
			left = deadline > sim_now() ? deadline - sim_now() : 0;
		r = thread_sleep(left);
		if (r != 0) {
			/* Timeout or signal: the condition may have come true anyway. */
			if (cond(arg))
				r = 0;
			break;
		}
	}
	waitq_remove(wq, &e);
	return r;
}
/* LAB 01 END: waitq_wait */

int waitq_sleep(struct waitq *wq, bool exclusive, bool interruptible, uint64_t timeout_ns)
{
	struct simk_thread *t = sim_thread_current();
	sim_assert_may_sleep(wq->name);
	struct waitq_entry e;
	waitq_entry_init(&e, t);
	if (exclusive)
		waitq_add_exclusive(wq, &e);
	else
		waitq_add(wq, &e);
	thread_prepare_sleep(wq->name, interruptible);
	int r = thread_sleep(timeout_ns);
	waitq_remove(wq, &e);
	return r;
}
