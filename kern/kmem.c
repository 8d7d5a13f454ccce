/*
 * Each block carries a header linking it into the run's list of live
 * blocks, so that a failed run (whose threads never unwound) still returns
 * every byte to the host at teardown, and a passing run can name what it
 * leaked.
 */
#include "kern/kmem.h"

#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/fault.h"

#define KMEM_TYPES_MAX 256
#define KMEM_MAGIC 0x6b6d656d6f6b6179ULL
static int kmem_subsys_slot = -1; /* sim_subsys_register() */

static struct kmem_type *types[KMEM_TYPES_MAX];
static int ntypes;

struct kmem_hdr {
	struct list_node link;
	uint64_t magic;
	int32_t type;
	uint32_t pad;
	size_t size;
	uint64_t pad2;
};

struct kmem_state {
	struct list_node live;
	uint64_t live_by_type[KMEM_TYPES_MAX];
	uint64_t live_bytes_by_type[KMEM_TYPES_MAX];
	uint64_t live_total;
	uint64_t allocs;
};

static struct kmem_state *st(void)
{
	struct kmem_state *ks = sim_subsys_need(sim_cur(), kmem_subsys_slot);
	KASSERT(ks != NULL, "kmem used outside a simulation");
	return ks;
}

static int type_id(struct kmem_type *t)
{
	if (t->id < 0) {
		for (int i = 0; i < ntypes; i++) {
			if (strcmp(types[i]->name, t->name) == 0) {
				t->id = i; /* same name from another file: one counter */
				return i;
			}
		}
		if (ntypes >= KMEM_TYPES_MAX)
			sim_panic("too many kmem types");
		types[ntypes] = t;
		t->id = ntypes++;
		/* a run zeroes the counters of the types known when it starts */
		struct kmem_state *ks = st();
		ks->live_by_type[t->id] = 0;
		ks->live_bytes_by_type[t->id] = 0;
	}
	return t->id;
}

static void *do_alloc(struct kmem_type *t, size_t size, bool may_fail)
{
	struct kmem_state *ks = st();
	int id = type_id(t);
	if (may_fail && sim_fault("kmem/alloc/enomem"))
		return NULL;
	if (size > ((size_t)1 << 40))
		return NULL;
	/* malloc and a memset, not calloc: glibc's calloc skips the per-thread
	 * cache, and requests are allocated and freed at every system call */
	struct kmem_hdr *h = sim_zalloc(sizeof(*h) + size);
	if (h == NULL)
		sim_panic("host out of memory (%zu bytes of %s)", size, t->name);
	h->magic = KMEM_MAGIC;
	h->type = id;
	h->size = size;
	list_push_back(&ks->live, &h->link);
	ks->live_by_type[id]++;
	ks->live_bytes_by_type[id] += size;
	ks->live_total++;
	ks->allocs++;
	return h + 1;
}

void *kmem_alloc(struct kmem_type *t, size_t size)
{
	return do_alloc(t, size, true);
}

void *kmem_zalloc(struct kmem_type *t, size_t size)
{
	return do_alloc(t, size, true); /* calloc'ed already */
}

void *kmem_zalloc_nofail(struct kmem_type *t, size_t size)
{
	return do_alloc(t, size, false);
}

void kmem_free(struct kmem_type *t, void *p)
{
	if (p == NULL)
		return;
	struct kmem_state *ks = st();
	struct kmem_hdr *h = (struct kmem_hdr *)p - 1;
	KASSERT(h->magic == KMEM_MAGIC, "kmem_free of a bad pointer (%s)", t->name);
	KASSERT(h->type == type_id(t), "kmem_free of a %s block as %s", types[h->type]->name,
		t->name);
	h->magic = 0;
	list_del(&h->link);
	ks->live_by_type[h->type]--;
	ks->live_bytes_by_type[h->type] -= h->size;
	ks->live_total--;
	free(h);
}

uint64_t kmem_live(const struct kmem_type *t)
{
	return t->id < 0 ? 0 : st()->live_by_type[t->id];
}

uint64_t kmem_live_bytes(const struct kmem_type *t)
{
	return t->id < 0 ? 0 : st()->live_bytes_by_type[t->id];
}

uint64_t kmem_live_total(void)
{
	return st()->live_total;
}

uint64_t kmem_allocs_total(void)
{
	return st()->allocs;
}

/* The last run's state, for the next (4 KiB: past malloc's fast path). */
static struct kmem_state *ks_spare;

static int kmem_create(struct simk *s)
{
	/* Only the counters of the types registered so far are zeroed (4 KiB
	 * of them would be, per run); type_id zeroes a newcomer's. */
	struct kmem_state *ks = ks_spare != NULL ? ks_spare : malloc(sizeof(*ks));
	ks_spare = NULL;
	if (ks == NULL)
		return -1;
	ks->live_total = 0;
	ks->allocs = 0;
	memset(ks->live_by_type, 0, (size_t)ntypes * sizeof(ks->live_by_type[0]));
	memset(ks->live_bytes_by_type, 0, (size_t)ntypes * sizeof(ks->live_bytes_by_type[0]));
	list_init(&ks->live);
	s->subsys[kmem_subsys_slot] = ks;
	return 0;
}

static void kmem_destroy(struct simk *s)
{
	struct kmem_state *ks = s->subsys[kmem_subsys_slot];
	if (ks == NULL)
		return;
	while (!list_empty(&ks->live)) {
		struct list_node *n = ks->live.next;
		list_del(n);
		free(list_entry(n, struct kmem_hdr, link));
	}
	if (ks_spare == NULL)
		ks_spare = ks;
	else
		free(ks);
	s->subsys[kmem_subsys_slot] = NULL;
}

static int kmem_leak_check(struct simk *s, char *msg, size_t len)
{
	struct kmem_state *ks = s->subsys[kmem_subsys_slot];
	if (ks->live_total == 0)
		return 0;
	size_t off = (size_t)snprintf(msg, len, "kmem leak: %llu block(s):",
				      (unsigned long long)ks->live_total);
	for (int i = 0; i < ntypes && off < len; i++)
		if (ks->live_by_type[i])
			off += (size_t)snprintf(msg + off, len - off, " %s=%llu", types[i]->name,
						(unsigned long long)ks->live_by_type[i]);
	return 1;
}

static const struct sim_subsys kmem_subsys = {
	.name = "kmem",
	.create = kmem_create,
	.destroy = kmem_destroy,
	.leak_check = kmem_leak_check,
	/* made at the first allocation or count (st): a run that allocates
	 * nothing has nothing to check or free */
	.lazy = true,
};

void kmem_register(void)
{
	sim_fault_declare("kmem/alloc/enomem");
	kmem_subsys_slot = sim_subsys_register(&kmem_subsys);
}
