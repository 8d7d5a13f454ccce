/*
 * Coroutine contexts and their stacks.
 *
 * A context is the saved stack pointer of a suspended coroutine. Stacks are
 * mmap'ed with a PROT_NONE guard page below them, so an overflow faults
 * instead of corrupting a neighbour. Freed stacks of the default size are
 * kept in a small host-side pool: simulated state never depends on it, and
 * it spares explore() an mmap/munmap pair per thread per run.
 */
#ifndef SIMK_CTX_H
#define SIMK_CTX_H

#include <stddef.h>

struct ctx_stack {
	void *base; /* lowest usable address (just above the guard page) */
	size_t size;
	unsigned vg_id; /* its valgrind stack id (valgrind builds; 0 otherwise) */
};

typedef void (*ctx_entry_fn)(void *arg);

struct ctx {
	void *sp;          /* saved stack pointer (x86-64 switch) */
	void *fallback;    /* ucontext_t * on other machines */
	struct ctx_stack stack;
	void *asan_fake;   /* ASan fake-stack handle while suspended */
	ctx_entry_fn entry;
	void *arg;
};

int ctx_stack_alloc(struct ctx_stack *st, size_t size);
void ctx_stack_free(struct ctx_stack *st);
/* Releases the host-side stack pool (process exit, leak checkers). */
void ctx_stack_pool_drain(void);

/* Prepares ctx to run entry(arg) on its stack at the first switch to it.
 * entry must never return. */
void ctx_init(struct ctx *c, ctx_entry_fn entry, void *arg);
/* The context of the host thread (no stack of ours). */
void ctx_init_main(struct ctx *c);
/* Saves the running context into from and resumes to. When from_dying is
 * set, the running coroutine never runs again (lets ASan drop its stack). */
void ctx_switch(struct ctx *from, struct ctx *to, int from_dying);
void ctx_release(struct ctx *c);

#endif
