/*
 * Event ports: the whole-structure consistency check (SQLite-style), run
 * at every system-call exit in the sanitizer build and callable from any
 * test.
 *
 * What it relies on: every field it reads is guarded by a port's spinlock
 * (or by no lock at all), and a spinlock holder never switches away, so
 * from any switch point with no spinlock held the structures are between
 * two complete updates. The one exception is the get list: a retrieving
 * thread owns it (get_busy) across the delivery callbacks, which may
 * sleep, and a stack marker sits in it meanwhile — so the get list is
 * only walked while nobody owns it.
 *
 * Invariants, for every port of the run:
 *  - the queue holds exactly q_nent slots, each QUEUED and of this port;
 *  - nobody retrieving: the get list is empty and g_nent is 0;
 *  - the slot list holds exactly nslots slots, each of this port, never
 *    more than the port's event limit; as many of them are QUEUED as
 *    q_nent says (GETLIST: g_nent, when nobody retrieves);
 *  - the waiters list holds nwaiters threads in ascending nget order;
 * and for the run: the port list holds ports_live ports, the ports' slots
 * add up to slots_live, and no more events ended than were sent.
 */
#include "syscalls/portfs/port_priv.h"

/* One more node of a list walked: a list longer than the count that
 * bounds it (or a cycle) is itself the inconsistency, reported instead of
 * looping. */
static void walk_step(uint64_t walked, uint64_t max, const char *what, uint64_t id)
{
	KASSERT(walked <= max, "port_check: %s (port %llu) longer than its count %llu", what,
		(unsigned long long)id, (unsigned long long)max);
}

static void check_queue(struct port *pp)
{
	uint32_t n = 0;
	for (struct list_node *it = pp->queue.next; it != &pp->queue; it = it->next) {
		walk_step(++n, pp->nslots, "queue", pp->id);
		struct port_kevent *k = list_entry(it, struct port_kevent, link);
		KASSERT(k->port == pp,
			"port_check: slot %llu queued on port %llu belongs elsewhere",
			(unsigned long long)k->id, (unsigned long long)pp->id);
		KASSERT(k->state == KEV_QUEUED, "port_check: slot %llu on the queue in state %d",
			(unsigned long long)k->id, k->state);
	}
	KASSERT(n == pp->q_nent, "port_check: port %llu queue holds %u slots, q_nent %u",
		(unsigned long long)pp->id, n, pp->q_nent);
}

static void check_getlist(struct port *pp)
{
	if (pp->get_busy)
		return; /* owned by the retrieving thread (a marker may sit in it) */
	KASSERT(list_empty(&pp->getlist), "port_check: port %llu get list not empty, unowned",
		(unsigned long long)pp->id);
	KASSERT(pp->g_nent == 0, "port_check: port %llu g_nent %u with no retriever",
		(unsigned long long)pp->id, pp->g_nent);
}

static void check_slots(struct port *pp)
{
	uint32_t n = 0, queued = 0, getlist = 0;
	for (struct list_node *it = pp->slots.next; it != &pp->slots; it = it->next) {
		walk_step(++n, pp->nslots, "slot list", pp->id);
		struct port_kevent *k = list_entry(it, struct port_kevent, all);
		KASSERT(k->port == pp,
			"port_check: slot %llu listed by port %llu belongs elsewhere",
			(unsigned long long)k->id, (unsigned long long)pp->id);
		KASSERT(k->state >= KEV_HELD, "port_check: slot %llu in state %d",
			(unsigned long long)k->id, k->state);
		KASSERT(k->state <= KEV_DELIVERING, "port_check: slot %llu in state %d",
			(unsigned long long)k->id, k->state);
		queued += k->state == KEV_QUEUED;
		getlist += k->state == KEV_GETLIST;
	}
	KASSERT(n == pp->nslots, "port_check: port %llu lists %u slots, nslots %u",
		(unsigned long long)pp->id, n, pp->nslots);
	KASSERT(queued == pp->q_nent, "port_check: port %llu has %u QUEUED slots, q_nent %u",
		(unsigned long long)pp->id, queued, pp->q_nent);
	KASSERT(n <= pp->events_max, "port_check: port %llu holds %u slots, limit %u",
		(unsigned long long)pp->id, n, pp->events_max);
	KASSERT(getlist == pp->g_nent, "port_check: port %llu has %u GETLIST slots, g_nent %u",
		(unsigned long long)pp->id, getlist, pp->g_nent);
}

static void check_waiters(struct port *pp)
{
	int n = 0;
	unsigned nget_prev = 0;
	for (struct list_node *it = pp->waiters.next; it != &pp->waiters; it = it->next) {
		walk_step((uint64_t)++n, (uint64_t)pp->nwaiters, "waiter list", pp->id);
		const struct port_waiter *w = list_entry(it, struct port_waiter, link);
		KASSERT(w->nget >= nget_prev, "port_check: port %llu waiters out of nget order",
			(unsigned long long)pp->id);
		nget_prev = w->nget;
	}
	KASSERT(n == pp->nwaiters, "port_check: port %llu lists %d waiters, nwaiters %d",
		(unsigned long long)pp->id, n, pp->nwaiters);
}

void port_check(struct simk *s)
{
	(void)s;
	struct port_run *r = port_run();
	uint64_t ports = 0, slots = 0;
	for (struct list_node *it = r->ports.next; it != &r->ports; it = it->next) {
		walk_step(++ports, r->st.ports_live, "run's port list", 0);
		struct port *pp = list_entry(it, struct port, link);
		check_queue(pp);
		check_getlist(pp);
		check_slots(pp);
		check_waiters(pp);
		slots += pp->nslots;
	}
	const struct port_stats *st = &r->st;
	KASSERT(ports == st->ports_live, "port_check: %llu ports listed, ports_live %llu",
		(unsigned long long)ports, (unsigned long long)st->ports_live);
	KASSERT(slots == st->slots_live, "port_check: %llu slots listed, slots_live %llu",
		(unsigned long long)slots, (unsigned long long)st->slots_live);
	uint64_t ended = st->events_delivered + st->events_discarded + st->events_removed;
	KASSERT(ended <= st->events_sent, "port_check: %llu events ended of %llu sent",
		(unsigned long long)ended, (unsigned long long)st->events_sent);
}
