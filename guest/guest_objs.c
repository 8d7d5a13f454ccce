/*
 * The kernel side of the guest's pthread objects: a per-run table from a
 * guest object's address (a pthread_mutex_t, a condition variable, a
 * pthread_once_t...) to the state simk keeps for it — owner, counts, wait
 * queue. Like Linux's futex keys, the guest's bytes only name the object;
 * the state lives here, made on first use, dropped by *_destroy or at the
 * end of the run. The table is host memory (not kmem): the guest's
 * objects are not the kernel's, and a failed run may leave sleepers in
 * their queues.
 *
 * Open addressing with linear probing; the addresses of one run are
 * deterministic, the table's layout is not observable.
 */
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "guest/guest_objs.h"

#define OBJS_MIN 64

struct guest_objs {
	struct gobj **slot;
	size_t cap, n, tombs;
};

static struct gobj tomb; /* a removed entry: probing goes on past it */

int guest_objs_init(struct guest_run *r)
{
	struct guest_objs *o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -1;
	o->slot = calloc(OBJS_MIN, sizeof(*o->slot));
	if (o->slot == NULL) {
		free(o);
		return -1;
	}
	o->cap = OBJS_MIN;
	r->objs = o;
	return 0;
}

void guest_objs_free(struct guest_run *r)
{
	struct guest_objs *o = r->objs;
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->cap; i++)
		if (o->slot[i] != NULL && o->slot[i] != &tomb)
			free(o->slot[i]);
	free(o->slot);
	free(o);
	r->objs = NULL;
}

static size_t hash(uintptr_t a, size_t cap)
{
	return (size_t)((a >> 3) * 0x9e3779b97f4a7c15ULL) & (cap - 1);
}

static int grow(struct guest_objs *o)
{
	size_t ncap = o->cap * 2;
	struct gobj **ns = calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (size_t i = 0; i < o->cap; i++) {
		struct gobj *g = o->slot[i];
		if (g == NULL || g == &tomb)
			continue;
		size_t j = hash(g->addr, ncap);
		while (ns[j] != NULL)
			j = (j + 1) & (ncap - 1);
		ns[j] = g;
	}
	free(o->slot);
	o->slot = ns;
	o->cap = ncap;
	o->tombs = 0;
	return 0;
}

struct gobj *guest_obj_find(struct guest_run *r, const void *addr)
{
	struct guest_objs *o = r->objs;
	uintptr_t a = (uintptr_t)addr;
	for (size_t j = hash(a, o->cap), k = 0; k < o->cap; j = (j + 1) & (o->cap - 1), k++) {
		struct gobj *g = o->slot[j];
		if (g == NULL)
			return NULL;
		if (g != &tomb && g->addr == a)
			return g;
	}
	return NULL;
}

struct gobj *guest_obj_get(struct guest_run *r, const void *addr, enum gobj_kind kind)
{
	struct gobj *g = guest_obj_find(r, addr);
	if (g != NULL) {
		if (g->kind != kind) /* the memory was reused for another kind of object */
			memset(&g->u, 0, sizeof(g->u));
		g->kind = kind;
		return g;
	}
	struct guest_objs *o = r->objs;
	if ((o->n + o->tombs + 1) * 2 > o->cap && grow(o) != 0)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->addr = (uintptr_t)addr;
	g->kind = kind;
	waitq_init(&g->wq, gobj_wchan(kind));
	size_t j = hash(g->addr, o->cap);
	while (o->slot[j] != NULL && o->slot[j] != &tomb)
		j = (j + 1) & (o->cap - 1);
	if (o->slot[j] == &tomb)
		o->tombs--;
	o->slot[j] = g;
	o->n++;
	return g;
}

void guest_obj_drop(struct guest_run *r, struct gobj *g)
{
	struct guest_objs *o = r->objs;
	for (size_t j = hash(g->addr, o->cap), k = 0; k < o->cap; j = (j + 1) & (o->cap - 1), k++) {
		if (o->slot[j] == g) {
			o->slot[j] = &tomb;
			o->tombs++;
			o->n--;
			free(g);
			return;
		}
		if (o->slot[j] == NULL)
			break;
	}
	KASSERT(false, "guest object %#lx is not in the table", (unsigned long)g->addr);
}

const char *gobj_wchan(enum gobj_kind k)
{
	switch (k) {
	case GOBJ_MUTEX:
		return "pthread_mutex";
	case GOBJ_COND:
		return "pthread_cond";
	case GOBJ_RWLOCK:
		return "pthread_rwlock";
	case GOBJ_BARRIER:
		return "pthread_barrier";
	case GOBJ_ONCE:
		return "pthread_once";
	case GOBJ_SPIN:
		return "pthread_spin";
	}
	return "?";
}
