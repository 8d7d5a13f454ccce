/*
 * Event ports: the kernel-source API beyond slots (PORT_SOURCE_AIO and any
 * other kernel source) — associating a source with a port so that it hears
 * about close, the static table of sources every port starts with, and
 * port_dispatch, the allocate-fill-send call of library-level sources.
 *
 * A source that keeps slots of a port across calls must be associated
 * with it (or be in the static table): close tells it, and waits for
 * every slot to come back — the source's close callback is its one chance
 * to give back slots it would otherwise keep forever. The callbacks run in
 * association order; the list is only changed in thread context and read
 * by close in thread context, never from interrupts.
 */
#include <errno.h>

#include "kern/kmem.h"
#include "syscalls/portfs/port_priv.h"

/* Liveness guard: sources one close walks; past it the loop is a livelock bug. */
#define PORT_SOURCES_MAX 100000

static KMEM_TYPE(kmt_source, "port.source");

#define KSOURCE_TAB_MAX 8

struct ksource_entry {
	int source;
	port_close_fn close;
	void *closearg;
};

/* Per host process, filled by registration functions before any run. */
static struct ksource_entry ksource_tab[KSOURCE_TAB_MAX];
static int nksource_tab;

void port_ksource_register(int source, port_close_fn close, void *closearg)
{
	for (int i = 0; i < nksource_tab; i++)
		if (ksource_tab[i].source == source && ksource_tab[i].close == close)
			return;
	KASSERT(nksource_tab < KSOURCE_TAB_MAX, "too many static port sources");
	KASSERT(source >= 1, "bad port source %d", source);
	KASSERT(source < PORT_SOURCE_MAX, "bad port source %d", source);
	ksource_tab[nksource_tab++] = (struct ksource_entry){source, close, closearg};
}

static struct port_source *source_find(struct port *pp, int source, port_close_fn close)
{
	for (struct list_node *n = pp->sources.next; n != &pp->sources; n = n->next) {
		struct port_source *ps = list_entry(n, struct port_source, link);
		if (ps->source == source && ps->close == close)
			return ps;
	}
	return NULL;
}

int port_associate_ksource(struct port *pp, int source, port_close_fn close, void *closearg,
			   struct port_source **psp)
{
	sim_assert_thread_context(__func__);
	if (source < 1 || source >= PORT_SOURCE_MAX)
		return -EINVAL;
	if (pp->state != PORT_OPEN)
		return -EBADFD;
	struct port_source *ps = source_find(pp, source, close);
	if (ps != NULL) {
		ps->count++;
	} else {
		ps = kmem_zalloc(&kmt_source, sizeof(*ps));
		if (ps == NULL)
			return -ENOMEM;
		ps->source = source;
		ps->close = close;
		ps->closearg = closearg;
		ps->count = 1;
		list_push_back(&pp->sources, &ps->link);
	}
	if (psp)
		*psp = ps;
	return 0;
}

int port_dissociate_ksource(struct port *pp, int source, struct port_source *ps)
{
	sim_assert_thread_context(__func__);
	if (ps == NULL || ps->source != source || source_find(pp, source, ps->close) != ps)
		return -EINVAL;
	KASSERT(ps->count > 0, "port source count underflow");
	if (--ps->count == 0) {
		list_del(&ps->link);
		kmem_free(&kmt_source, ps);
	}
	return 0;
}

int port_add_static_sources(struct port *pp)
{
	for (int i = 0; i < nksource_tab; i++) {
		int r = port_associate_ksource(pp, ksource_tab[i].source, ksource_tab[i].close,
					       ksource_tab[i].closearg, NULL);
		if (r != 0)
			return r;
	}
	return 0;
}

void port_sources_close(struct port *pp, int pid, bool lastclose)
{
	/* Callbacks may sleep, and other threads may associate meanwhile:
	 * walk by position, finding the i-th entry again after each call.
	 * A close callback must not dissociate its own source (the port
	 * frees its associations with the port object). */
	for (int i = 0;; i++) {
		KASSERT(i < PORT_SOURCES_MAX, "source close loop does not end");
		struct list_node *n = pp->sources.next;
		for (int j = 0; j < i && n != &pp->sources; j++)
			n = n->next;
		if (n == &pp->sources)
			break;
		struct port_source *ps = list_entry(n, struct port_source, link);
		if (ps->close != NULL)
			ps->close(ps->closearg, pp, pid, lastclose);
	}
}

void port_sources_free(struct port *pp)
{
	while (!list_empty(&pp->sources)) {
		struct port_source *ps = list_entry(pp->sources.next, struct port_source, link);
		list_del(&ps->link);
		kmem_free(&kmt_source, ps);
	}
}

int port_noshare_callback(void *arg, int *events, int pid, int flag, struct port_kevent *pkev)
{
	(void)arg;
	(void)events;
	(void)pkev;
	if (flag == PORT_CALLBACK_DEFAULT && port_cur_pid() != pid)
		return EACCES;
	return 0;
}

int port_dispatch(struct simk_proc *owner, int fd, int flags, int source, int events,
		  uint64_t object, uint64_t user)
{
	sim_assert_may_sleep(__func__);
	if (source != PORT_SOURCE_AIO || (flags & ~PORT_DISPATCH_NOSHARE))
		return -EINVAL;
	if (owner == NULL)
		owner = sim_proc_current();
	struct port *pp;
	int r = port_hold_fd(owner, fd, &pp);
	if (r != 0)
		return r;
	bool noshare = (flags & PORT_DISPATCH_NOSHARE) != 0;
	struct port_kevent *k;
	r = port_alloc_event_block(
	    pp, owner, PORT_ALLOC_DEFAULT | (noshare ? PORT_ALLOC_NOSHARE : 0), source, &k);
	if (r == 0) {
		port_init_event(k, object, user, noshare ? port_noshare_callback : NULL, NULL);
		port_set_event(k, events);
		port_send_event(k);
	}
	port_rele(pp);
	return r;
}
