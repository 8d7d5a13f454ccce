/*
 * Timed events in virtual time: a binary min-heap ordered by (time, order
 * of scheduling), so two events due at the same instant fire in the order
 * they were scheduled — never by address. Events are intrusive: the owner
 * embeds a struct sim_event and keeps it alive while it is queued.
 *
 * A due event is an "interrupt": the scheduler delivers it at a switch
 * point (a policy choice) or when nothing can run. Its handler runs in
 * interrupt context and must not sleep.
 */
#ifndef SIMK_EVENTQ_H
#define SIMK_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_event;
typedef void (*sim_event_fn)(struct sim_event *ev);

struct sim_event {
	uint64_t when_ns;
	uint64_t seq;
	int64_t heap_idx; /* -1 while not queued */
	sim_event_fn fn;
	const char *name; /* static string, shown in the trace */
	void *arg;
	/* dfs: the step that armed it, and whether its handler is annotated */
	int32_t rec_armed_by;
	bool annotated;
};

struct eventq {
	struct sim_event **heap;
	size_t len, cap;
	uint64_t next_seq;
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
void eventq_push(struct eventq *q, struct sim_event *ev);
bool eventq_remove(struct eventq *q, struct sim_event *ev);
/* The earliest event, or NULL (inline: every switch point asks). */
static inline struct sim_event *eventq_peek(const struct eventq *q)
{
	return q->len ? q->heap[0] : NULL;
}
struct sim_event *eventq_pop(struct eventq *q);

/* Engine-level helpers on the current simulation's queue. */
void event_init(struct sim_event *ev, const char *name, sim_event_fn fn, void *arg);
/* Schedules ev at absolute virtual time when_ns (>= now). Re-schedules a
 * queued event. */
void event_schedule_at(struct sim_event *ev, uint64_t when_ns);
void event_schedule_in(struct sim_event *ev, uint64_t delay_ns);
/* Returns true if ev was queued and is now removed. */
bool event_cancel(struct sim_event *ev);
/* The handler annotates its accesses (sim/access.h): its interrupt step is
 * not global. Set after event_init. */
static inline void event_set_annotated(struct sim_event *ev)
{
	ev->annotated = true;
}
static inline bool event_queued(const struct sim_event *ev)
{
	return ev->heap_idx >= 0;
}

#endif
