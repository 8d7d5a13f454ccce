/* Coroutine stacks (sim/ctx.c): slabs of many stacks per mapping, a
 * PROT_NONE guard page below the first CTX_GUARDED_MAX stack slots and a
 * checked, never-written one below the others; freed stacks are reused;
 * more stacks than the host's mapping limit would allow at two mappings
 * each are served. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ctx.h"

#define MANY 40000 /* past ~32,700: two mappings each would hit vm.max_map_count */

Test(ctx_stacks, more_stacks_than_two_mappings_each_would_allow)
{
	struct ctx_stack *st = calloc(MANY, sizeof(*st));
	cr_assert_not_null(st);
	for (int i = 0; i < MANY; i++) {
		cr_assert_eq(ctx_stack_alloc(&st[i], 64 * 1024), 0, "stack %d", i);
		/* the top of each stack is usable, and each is its own */
		*(volatile int *)((char *)st[i].base + st[i].size - sizeof(int)) = i;
	}
	for (int i = 0; i < MANY; i++) {
		cr_assert_eq(*(int *)((char *)st[i].base + st[i].size - sizeof(int)), i);
		cr_assert(ctx_stack_intact(&st[i]), "stack %d", i);
	}
	for (int i = 0; i < MANY; i++)
		ctx_stack_free(&st[i]);
	ctx_stack_pool_drain();
	free(st);
}

Test(ctx_stacks, freed_stacks_are_reused)
{
	struct ctx_stack a, b;
	cr_assert_eq(ctx_stack_alloc(&a, 64 * 1024), 0);
	void *base = a.base;
	ctx_stack_free(&a);
	cr_assert_null(a.base);
	cr_assert_eq(ctx_stack_alloc(&b, 64 * 1024), 0);
	cr_assert_eq(b.base, base, "the freed stack comes back first");
	ctx_stack_free(&b);
	ctx_stack_pool_drain();
}

Test(ctx_stacks, an_overflow_past_an_unguarded_stack_is_seen)
{
	/* the guarded slots of this (fresh) process go first */
	struct ctx_stack *st = calloc(CTX_GUARDED_MAX + 1, sizeof(*st));
	cr_assert_not_null(st);
	for (int i = 0; i <= CTX_GUARDED_MAX; i++)
		cr_assert_eq(ctx_stack_alloc(&st[i], 16 * 1024), 0);
	cr_assert(st[0].guarded);
	struct ctx_stack *u = &st[CTX_GUARDED_MAX];
	cr_assert(!u->guarded, "the budget of PROT_NONE guard pages is spent");
	cr_assert(ctx_stack_intact(u));
	((volatile char *)u->base)[-5] = 1; /* one push too far */
	cr_assert(!ctx_stack_intact(u));
	((volatile char *)u->base)[-5] = 0;
	cr_assert(ctx_stack_intact(u));
	for (int i = 0; i <= CTX_GUARDED_MAX; i++)
		ctx_stack_free(&st[i]);
	free(st);
	ctx_stack_pool_drain();
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifndef UNDER_ASAN /* AddressSanitizer reports the fault and exits instead */
Test(ctx_stacks, a_guard_page_faults, .signal = SIGSEGV)
{
	struct ctx_stack st;
	cr_assert_eq(ctx_stack_alloc(&st, 64 * 1024), 0);
	cr_assert(st.guarded);
	((volatile char *)st.base)[-1] = 1;
}
#endif

/* A shared stack (ctx_stack_share: a forked guest's thread runs on its
 * parent thread's range) goes back to the pool only when its last holder
 * frees it: until then a new stack is another one. */
Test(ctx_stacks, a_shared_stack_is_freed_by_its_last_holder)
{
	struct ctx_stack a, copy, b, c;
	cr_assert_eq(ctx_stack_alloc(&a, 64 * 1024), 0);
	void *base = a.base;
	ctx_stack_share(&a, &copy);
	cr_assert_eq(copy.base, base);
	cr_assert_eq(copy.size, a.size);
	ctx_stack_free(&a);
	cr_assert_null(a.base);
	cr_assert_eq(ctx_stack_alloc(&b, 64 * 1024), 0);
	cr_assert_neq(b.base, base, "a stack still held was handed out again");
	ctx_stack_free(&copy);
	cr_assert_eq(ctx_stack_alloc(&c, 64 * 1024), 0);
	cr_assert_eq(c.base, base, "the last holder's free returns it to its slab");
	ctx_stack_free(&b);
	ctx_stack_free(&c);
	ctx_stack_pool_drain();
}
