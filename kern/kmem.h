/*
 * kmem: counted, failable kernel allocation. Every allocation names a type;
 * live counts per type are kept per run, and a run that ends with any live
 * allocation fails with a leak report listing the types. Every call can be
 * made to fail through the fault point "kmem/alloc/enomem" (returns NULL;
 * the caller must turn that into -ENOMEM or its documented errno).
 *
 * Type names: "<prefix>.<object>[.<part>]" — the subsystem's prefix (kern,
 * blk, vfs, laio, port, kq, paio, ptimer, eventfd), a dot, what the block
 * holds ("laio.kiocb", "vfs.vnode.map", "kern.workqueue"): the leak report
 * then names the subsystem that leaked.
 *
 * Context: any (thread or interrupt); never sleeps.
 */
#ifndef SIMK_KMEM_H
#define SIMK_KMEM_H

#include <stddef.h>
#include <stdint.h>

struct kmem_type {
	const char *name;
	int id; /* assigned on first use; -1 before */
};

#define KMEM_TYPE(var, tname) struct kmem_type var = { tname, -1 }

void *kmem_alloc(struct kmem_type *t, size_t size);
void *kmem_zalloc(struct kmem_type *t, size_t size);
/* Same, but never injects a fault (for allocations a real kernel makes
 * from reserved pools, e.g. in teardown paths). */
void *kmem_zalloc_nofail(struct kmem_type *t, size_t size);
void kmem_free(struct kmem_type *t, void *p);
uint64_t kmem_live(const struct kmem_type *t);
/* Bytes of live blocks of type t in the current run. */
uint64_t kmem_live_bytes(const struct kmem_type *t);
uint64_t kmem_live_total(void);
uint64_t kmem_allocs_total(void);
void kmem_register(void);

#endif
