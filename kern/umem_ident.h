/*
 * Identity regions of user memory (internal to kern/umem*.c; the API is in
 * kern/umem.h). An identity region is host memory that a process owns at
 * its own host address — a guest program's globals, stacks and heap — so
 * that the user address the guest passes is the pointer it holds.
 *
 * The table is a per-process array sorted by host start address (regions
 * never overlap), searched by bisection: a guest has a few segments, one
 * stack and one scratch block per thread and one heap arena.
 */
#ifndef SIMK_UMEM_IDENT_H
#define SIMK_UMEM_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kern/umem.h"

struct umem_ident_region {
	uintptr_t start;
	size_t len;
	int prot;		 /* UMEM_PROT_* for the whole region */
	uint64_t alias;		 /* deterministic address of start in the trace */
	umem_ident_check_fn check; /* NULL: every byte of the region is usable */
	void *check_arg;
	const char *label; /* "globals", "stack", "heap"... (lives as long as the run) */
};

struct umem_ident {
	struct umem_ident_region *r; /* by start */
	int n, cap;
	uint32_t seq; /* registrations so far: the next region's alias slot */
	umem_ident_view_fn view; /* NULL: the bytes are always at their addresses */
	void *view_arg;
};

/* The host view of [addr, addr + len) when it lies in an identity region
 * and its protection has need (0: ownership only); *hit tells whether addr
 * lies in an identity region at all (then NULL means -EFAULT, not "look in
 * the simulated regions"). */
void *umem_ident_map(const struct umem_ident *id, uaddr_t addr, size_t len, int need, bool *hit);
/* A copy of id for a forked child (NULL: no memory). */
struct umem_ident *umem_ident_copy(const struct umem_ident *id);
/* Frees the table (process exit). */
void umem_ident_free(struct umem_ident *id);

#endif
