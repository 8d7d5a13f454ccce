/*
 * Helpers shared by the event-port unit tests (test_port_*.c): the VFS
 * test harness (vfs_test.h: simulation, device, mount, user memory, VEQ /
 * VCHECK inside threads) plus port calls with host-side arguments.
 */
#ifndef SIMK_PORT_TEST_H
#define SIMK_PORT_TEST_H

#include "vfs_test.h"

#include "kern/callout.h"
#include "syscalls/portfs/port.h"
#include "syscalls/ptimer/ptimer.h"

/* port_getn with host buffers: evs gets the events (may be NULL when max
 * is 0), *nget is in/out; to NULL waits forever. */
static inline int pt_getn(int port, port_event_t *evs, unsigned max, unsigned *nget,
			  const struct simk_timespec *to)
{
	uaddr_t list = vt_ubuf((max ? max : 1) * sizeof(port_event_t));
	uint32_t n = *nget;
	uaddr_t ng = vt_ubytes(&n, sizeof(n));
	uaddr_t t = to ? vt_ubytes(to, sizeof(*to)) : 0;
	int r = simk_port_getn(port, list, max, ng, t);
	vt_uget(ng, &n, sizeof(n));
	*nget = n;
	if (evs != NULL && max > 0 && (r == 0 || r == -ETIME))
		vt_uget(list, evs, (size_t)(n < max ? n : max) * sizeof(port_event_t));
	return r;
}

static inline int pt_get(int port, port_event_t *ev, const struct simk_timespec *to)
{
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	uaddr_t t = to ? vt_ubytes(to, sizeof(*to)) : 0;
	int r = simk_port_get(port, pe, t);
	if (r == 0 && ev != NULL)
		vt_uget(pe, ev, sizeof(*ev));
	return r;
}

static const struct simk_timespec pt_poll = {0, 0};

static inline struct simk_timespec pt_ms(int64_t ms)
{
	return (struct simk_timespec){ms / 1000, (ms % 1000) * 1000000};
}

/* Number of queued events (port_getn with max 0). */
static inline int pt_count(int port)
{
	unsigned n = 0;
	int r = pt_getn(port, NULL, 0, &n, NULL);
	return r == 0 ? (int)n : r;
}

static inline struct port_stats pt_stats(void)
{
	struct port_stats st;
	port_stats_get(&st);
	return st;
}

/* A simulation with the filesystem mounted by the first thread (the body
 * calls vt_setup() itself when it needs files). */
static inline struct simk *pt_sim(uint64_t seed, enum simk_policy pol)
{
	vt_config_default();
	return vt_sim_policy(seed, pol);
}

/* Runs one thread body in a fresh process and checks the run passed. */
static inline void pt_run1(simk_thread_fn fn, void *arg)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "main", fn, arg);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

#endif
