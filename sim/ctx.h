/*
 * Coroutine contexts and their stacks.
 *
 * A context is the saved stack pointer of a suspended coroutine. Stacks
 * come from slabs of many stacks per mapping (ctx.c), each with a guard
 * page below it: PROT_NONE for the first few thousand stack slots of the
 * process, so an overflow faults at once; for the others a page nobody
 * writes, checked by ctx_stack_intact() at every switch away from the stack. Freed
 * stacks stay with their slab for the next thread: simulated state never
 * depends on it, and it spares explore() an mmap per thread per run.
 */
#ifndef SIMK_CTX_H
#define SIMK_CTX_H

#include <stddef.h>

#include <stdbool.h>
#include <stdint.h>

/* Stack slots of the process that get a PROT_NONE guard page (each costs
 * a mapping of its own); the others get a checked one (ctx_stack_intact). */
#define CTX_GUARDED_MAX 8192

struct ctx_stack {
	void *base; /* lowest usable address (just above the guard page) */
	size_t size;
	void *slab;    /* the slab it belongs to (ctx.c) */
	unsigned slot; /* its slot there */
	bool guarded;  /* the guard page is PROT_NONE (else: zeros, checked) */
	unsigned vg_id; /* its valgrind stack id (valgrind builds; 0 otherwise) */
};

typedef void (*ctx_entry_fn)(void *arg);

struct ctx {
	void *sp;	/* saved stack pointer (x86-64 switch) */
	void *fallback; /* ucontext_t * on other machines */
	struct ctx_stack stack;
	void *asan_fake; /* ASan fake-stack handle while suspended */
	ctx_entry_fn entry;
	void *arg;
};

int ctx_stack_alloc(struct ctx_stack *st, size_t size);
/* False when a write went below the stack into its guard page (an
 * overflow): a guard page that is not PROT_NONE is never written, so it
 * reads as zeros. Its top words and two further down are checked. */
static inline bool ctx_stack_intact(const struct ctx_stack *st)
{
	if (st->guarded || st->base == NULL)
		return true;
	const uint64_t *top = (const uint64_t *)st->base;
	return (top[-1] | top[-2] | top[-32] | top[-256]) == 0;
}
/* Frees st; a stack shared by ctx_stack_share goes back to the pool when
 * its last holder frees it. */
void ctx_stack_free(struct ctx_stack *st);
/* copy becomes another holder of st's stack (the same range): a forked
 * guest's first thread runs on the stack of the thread that forked. */
void ctx_stack_share(const struct ctx_stack *st, struct ctx_stack *copy);
/* Whether a saved context can be resumed by another coroutine (the
 * assembly switch: the context is the stack pointer alone). */
bool ctx_can_clone(void);
/* Unmaps every slab with no stack in use (process exit, benchmarks). */
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

#ifdef __x86_64__
/* Calls fn(arg) with the stack pointer at sp (aligned down to 16), after
 * storing in *usp the lowest address of the caller's stack still in use;
 * returns fn's result on the caller's stack (sim/ctx_x86_64.S). The engine's
 * kernel stacks and the guest's fixed first frame both use it. */
void *simk_call_on_stack(void *(*fn)(void *), void *arg, void *sp, void **usp);
#endif

#endif
