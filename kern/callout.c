/*
 * Callouts over the engine's timed events. Two callouts due at the same
 * virtual instant fire in the order they were (re)armed, because the event
 * queue breaks ties by scheduling order. A callout runs as an interrupt:
 * the engine delivers it at a switch point or when every thread is
 * blocked, with no current thread.
 *
 * One CPU: a callout function never runs concurrently with a thread, so
 * callout_stop needs no "wait for a running handler" (BSD's
 * callout_drain); when it returns the function is not running and will not
 * run unless re-armed.
 */
#include "kern/callout.h"

#include "sim/engine.h"

static void callout_fire(struct sim_event *ev)
{
	struct callout *c = ev->arg;
	KASSERT(sim_in_irq(), "callout %s fired outside interrupt context", ev->name);
	KASSERT(c->fn != NULL, "callout %s fired without a function", ev->name);
	c->fired++;
	c->fn(c->arg);
}

/* name: a string that outlives the run (it is the interrupt's trace name). */
void callout_init(struct callout *c, const char *name)
{
	event_init(&c->ev, name, callout_fire, c);
	c->fn = NULL;
	c->arg = NULL;
	c->fired = 0;
}

/* Any context. Re-arming a pending callout moves it (new time, new tie
 * order). */
void callout_reset(struct callout *c, uint64_t delay_ns, callout_fn fn, void *arg)
{
	KASSERT(fn != NULL, "callout %s armed without a function", c->ev.name);
	c->fn = fn;
	c->arg = arg;
	event_schedule_in(&c->ev, delay_ns);
}

/* Any context. A time in the past fires as soon as possible. */
void callout_reset_at(struct callout *c, uint64_t when_ns, callout_fn fn, void *arg)
{
	KASSERT(fn != NULL, "callout %s armed without a function", c->ev.name);
	c->fn = fn;
	c->arg = arg;
	event_schedule_at(&c->ev, when_ns);
}

/* Any context. */
bool callout_stop(struct callout *c)
{
	return event_cancel(&c->ev);
}

bool callout_pending(const struct callout *c)
{
	return event_queued(&c->ev);
}
