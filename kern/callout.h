/*
 * Callouts: a function run in interrupt context at a virtual time, like
 * BSD's callout(9) / Linux timers. Built on sim events, so they fire in
 * (time, order of arming) order. A callout is owned by its caller; stop it
 * before freeing it.
 *
 * Context: callout_reset/stop any context; the function runs in interrupt
 * context and must not sleep (it may re-arm its own callout).
 */
#ifndef SIMK_CALLOUT_H
#define SIMK_CALLOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/eventq.h"

typedef void (*callout_fn)(void *arg);

struct callout {
	struct sim_event ev;
	callout_fn fn;
	void *arg;
	uint64_t fired; /* number of times it ran */
};

void callout_init(struct callout *c, const char *name);
/* (Re)arms: fn(arg) runs delay_ns from now. */
void callout_reset(struct callout *c, uint64_t delay_ns, callout_fn fn, void *arg);
/* Arms at an absolute virtual time. */
void callout_reset_at(struct callout *c, uint64_t when_ns, callout_fn fn, void *arg);
/* Returns true when the callout was pending and will not run. */
bool callout_stop(struct callout *c);
bool callout_pending(const struct callout *c);

#endif
