#include "sim/eventq.h"

#include <stdlib.h>

#include "sim/dpor.h"
#include "sim/engine.h"

static bool ev_less(const struct sim_event *a, const struct sim_event *b)
{
	if (a->when_ns != b->when_ns)
		return a->when_ns < b->when_ns;
	return a->seq < b->seq;
}

void eventq_init(struct eventq *q)
{
	q->heap = NULL;
	q->len = 0;
	q->cap = 0;
	q->next_seq = 0;
}

void eventq_free(struct eventq *q)
{
	for (size_t i = 0; i < q->len; i++)
		q->heap[i]->heap_idx = -1;
	free(q->heap);
	eventq_init(q);
}

static void set_at(struct eventq *q, size_t i, struct sim_event *ev)
{
	q->heap[i] = ev;
	ev->heap_idx = (int64_t)i;
}

static void sift_up(struct eventq *q, size_t i)
{
	struct sim_event *ev = q->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!ev_less(ev, q->heap[parent]))
			break;
		set_at(q, i, q->heap[parent]);
		i = parent;
	}
	set_at(q, i, ev);
}

static void sift_down(struct eventq *q, size_t i)
{
	struct sim_event *ev = q->heap[i];
	for (;;) {
		size_t l = 2 * i + 1;
		if (l >= q->len)
			break;
		size_t m = l;
		if (l + 1 < q->len && ev_less(q->heap[l + 1], q->heap[l]))
			m = l + 1;
		if (!ev_less(q->heap[m], ev))
			break;
		set_at(q, i, q->heap[m]);
		i = m;
	}
	set_at(q, i, ev);
}

void eventq_push(struct eventq *q, struct sim_event *ev)
{
	KASSERT(ev->heap_idx < 0, "event %s queued twice", ev->name);
	if (q->len == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		struct sim_event **nh = realloc(q->heap, ncap * sizeof(*nh));
		if (nh == NULL)
			sim_panic("out of host memory for the event queue");
		q->heap = nh;
		q->cap = ncap;
	}
	/* dfs: the queue's order is shared state, and the step that armed
	 * the event makes its interrupt possible */
	sim_write(SIM_OID_EVENTQ);
	sim_read(SIM_OID_CLOCK);
	ev->rec_armed_by = rec_open_step();
	ev->seq = q->next_seq++;
	q->heap[q->len] = ev;
	ev->heap_idx = (int64_t)q->len;
	q->len++;
	sift_up(q, q->len - 1);
}

static bool remove_at(struct eventq *q, struct sim_event *ev)
{
	if (ev->heap_idx < 0)
		return false;
	size_t i = (size_t)ev->heap_idx;
	KASSERT(i < q->len, "event %s not in its queue", ev->name);
	KASSERT(q->heap[i] == ev, "event %s not in its queue", ev->name);
	sim_write(SIM_OID_EVENTQ);
	ev->heap_idx = -1;
	q->len--;
	if (i != q->len) {
		struct sim_event *moved = q->heap[q->len];
		set_at(q, i, moved);
		sift_down(q, i);
		if (moved->heap_idx == (int64_t)i)
			sift_up(q, i);
	}
	return true;
}

bool eventq_remove(struct eventq *q, struct sim_event *ev)
{
	/* dfs: a due event taken away is an interrupt that could have been
	 * delivered before this step and now never will */
	struct simk *s = sim_cur();
	if (ev->heap_idx >= 0 && s != NULL && ev->when_ns <= s->now_ns)
		rec_irq_disabled(s);
	return remove_at(q, ev);
}

struct sim_event *eventq_pop(struct eventq *q)
{
	if (q->len == 0)
		return NULL;
	struct sim_event *top = q->heap[0];
	remove_at(q, top);
	return top;
}

void event_init(struct sim_event *ev, const char *name, sim_event_fn fn, void *arg)
{
	ev->when_ns = 0;
	ev->seq = 0;
	ev->heap_idx = -1;
	ev->fn = fn;
	ev->name = name;
	ev->arg = arg;
	ev->rec_armed_by = -1;
	ev->annotated = false;
}

void event_schedule_at(struct sim_event *ev, uint64_t when_ns)
{
	struct simk *s = sim_cur();
	if (when_ns < s->now_ns)
		when_ns = s->now_ns;
	eventq_remove(&s->eq, ev);
	ev->when_ns = when_ns;
	eventq_push(&s->eq, ev);
}

void event_schedule_in(struct sim_event *ev, uint64_t delay_ns)
{
	struct simk *s = sim_cur();
	event_schedule_at(ev, sim_time_add(s->now_ns, delay_ns)); /* saturates: never */
}

bool event_cancel(struct sim_event *ev)
{
	return eventq_remove(&sim_cur()->eq, ev);
}
