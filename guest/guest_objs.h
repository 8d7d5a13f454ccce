/*
 * The kernel side of a guest's pthread objects (guest_objs.c), found by
 * the address of the guest's object.
 */
#ifndef SIMK_GUEST_OBJS_H
#define SIMK_GUEST_OBJS_H

#include <stdint.h>

#include "kern/waitq.h"

struct guest_run;

enum gobj_kind {
	GOBJ_MUTEX = 1,
	GOBJ_COND,
	GOBJ_RWLOCK,
	GOBJ_BARRIER,
	GOBJ_ONCE,
	GOBJ_SPIN,
};

struct gobj {
	uintptr_t addr;
	enum gobj_kind kind;
	struct waitq wq; /* its sleepers */
	union {
		struct {
			int owner;	/* tid, 0: free */
			int type;	/* PTHREAD_MUTEX_NORMAL / ERRORCHECK / RECURSIVE */
			unsigned count; /* recursive holds */
		} m;
		struct {
			uint64_t seq; /* signals and broadcasts so far */
		} c;
		struct {
			int writer;	  /* tid, 0: none */
			unsigned readers; /* read holds */
		} rw;
		struct {
			unsigned count, arrived;
			uint64_t generation;
		} b;
	} u;
};

/* The object at addr, made (zeroed) on first use; NULL without memory. */
struct gobj *guest_obj_get(struct guest_run *r, const void *addr, enum gobj_kind kind);
/* The object at addr, or NULL. */
struct gobj *guest_obj_find(struct guest_run *r, const void *addr);
void guest_obj_drop(struct guest_run *r, struct gobj *g);
const char *gobj_wchan(enum gobj_kind k);

#endif
