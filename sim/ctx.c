/*
 * Coroutine stacks and context switches. On x86-64 the switch is the
 * hand-written simk_ctx_swap (ctx_x86_64.S); elsewhere ucontext is the
 * portable fallback. Under AddressSanitizer every switch is announced with
 * __sanitizer_start/finish_switch_fiber so ASan tracks the right stack.
 * When valgrind's header is there at build time, every coroutine stack is
 * registered with VALGRIND_STACK_REGISTER while a thread owns it: memcheck
 * then sees a switch as a switch, not as a frame of gigabytes that makes
 * the other stacks' contents undefined (docs/determinism.md, "Valgrind").
 * The requests cost a few instructions outside valgrind.
 */
#include "sim/ctx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <pthread.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIMK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIMK_ASAN 1
#endif
#endif

#ifdef SIMK_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* SIMK_CTX_UCONTEXT forces the portable fallback (tested on x86-64 too). */
#if defined(__x86_64__) && !defined(SIMK_CTX_UCONTEXT)
#define SIMK_CTX_ASM 1
#endif

#ifndef SIMK_CTX_ASM
#include <ucontext.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>) && !defined(SIMK_ASAN)
#include <valgrind/valgrind.h>
#define SIMK_VALGRIND 1
#endif
#endif

/* Tells valgrind (when it runs us) that st is a stack from now on / no more. */
static void vg_register(struct ctx_stack *st)
{
#ifdef SIMK_VALGRIND
	st->vg_id = VALGRIND_STACK_REGISTER(st->base, (char *)st->base + st->size);
#else
	st->vg_id = 0;
#endif
}

static void vg_deregister(struct ctx_stack *st)
{
#ifdef SIMK_VALGRIND
	VALGRIND_STACK_DEREGISTER(st->vg_id);
#endif
	st->vg_id = 0;
}


/*
 * Stacks come from slabs: one mapping holds CTX_SLAB_STACKS stacks, each
 * with a guard page below it, so a hundred thousand threads take about two
 * thousand mappings instead of two hundred thousand (vm.max_map_count is
 * 65530 by default; it is the host's limit, never ours). A PROT_NONE guard
 * page splits the mapping, so only the first CTX_GUARDED_MAX stack slots of
 * the process get one; the others keep their guard page mapped but never
 * write it: it reads as zeros, costs no memory, and ctx_stack_intact()
 * checks a few of its words when the thread switches away (an overflow is
 * then a panic at the next switch instead of a fault at once). Freed stacks return to their slab; a
 * slab whose stacks are all free is unmapped once more than CTX_SLABS_IDLE_MAX are idle, so a run
 * with many threads does not keep their memory after it.
 *
 * None of this is visible to a simulation: addresses never reach it.
 */
#define CTX_SLAB_STACKS 64
#define CTX_SLABS_IDLE_MAX 4

struct ctx_slab {
	char *map;
	size_t map_len;
	size_t size;			/* usable bytes of each stack */
	size_t stride;			/* guard page + stack */
	struct ctx_slab *prev, *next;	/* every slab */
	struct ctx_slab *pprev, *pnext; /* slabs of this size with a free stack */
	uint64_t guarded;		/* slots with a PROT_NONE guard page */
	uint64_t ready;			/* slots whose guard page is set up */
	uint32_t nfree;
	uint8_t free[CTX_SLAB_STACKS]; /* free slot numbers, a stack */
	uint16_t shares[CTX_SLAB_STACKS]; /* holders of a slot beyond the first (ctx_stack_share) */
};

static struct ctx_slab *slabs;	 /* every slab */
static struct ctx_slab *partial; /* slabs with a free stack (any size) */
static size_t guarded_slots, idle_slabs;

static size_t page_size(void)
{
	static size_t ps;
	if (ps == 0)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

static void partial_add(struct ctx_slab *sl)
{
	sl->pprev = NULL;
	sl->pnext = partial;
	if (partial != NULL)
		partial->pprev = sl;
	partial = sl;
}

static void partial_del(struct ctx_slab *sl)
{
	if (sl->pprev != NULL)
		sl->pprev->pnext = sl->pnext;
	else
		partial = sl->pnext;
	if (sl->pnext != NULL)
		sl->pnext->pprev = sl->pprev;
	sl->pprev = sl->pnext = NULL;
}

/* Cold, out of line: a run's stacks come from slabs made before, and the
 * allocation and free paths (a few a thread) stay short. */
#define CTX_COLD __attribute__((noinline, cold))

static CTX_COLD struct ctx_slab *slab_new(size_t size)
{
	size_t ps = page_size();
	struct ctx_slab *sl = calloc(1, sizeof(*sl));
	if (sl == NULL)
		return NULL;
	sl->size = size;
	sl->stride = size + ps;
	sl->map_len = sl->stride * CTX_SLAB_STACKS;
	void *map = mmap(NULL, sl->map_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		free(sl);
		return NULL;
	}
	sl->map = map;
	for (int i = 0; i < CTX_SLAB_STACKS; i++) /* slot 0 on top: used first */
		sl->free[i] = (uint8_t)(CTX_SLAB_STACKS - 1 - i);
	sl->nfree = CTX_SLAB_STACKS;
	sl->next = slabs;
	if (slabs != NULL)
		slabs->prev = sl;
	slabs = sl;
	partial_add(sl);
	idle_slabs++;
	return sl;
}

static CTX_COLD void slab_unmap(struct ctx_slab *sl)
{
	partial_del(sl);
	if (sl->prev != NULL)
		sl->prev->next = sl->next;
	else
		slabs = sl->next;
	if (sl->next != NULL)
		sl->next->prev = sl->prev;
	for (uint64_t g = sl->guarded; g != 0; g &= g - 1)
		guarded_slots--; /* one per set bit (no libgcc popcount helper) */
	idle_slabs--;
	munmap(sl->map, sl->map_len);
	free(sl);
}

/* A fresh slot's guard page: PROT_NONE while the budget lasts, else left
 * as the mapping made it, zeros (the canary). */
static CTX_COLD void guard_setup(struct ctx_slab *sl, unsigned slot)
{
	char *guard = sl->map + (size_t)slot * sl->stride;
	if (guarded_slots < CTX_GUARDED_MAX && mprotect(guard, page_size(), PROT_NONE) == 0) {
		sl->guarded |= 1ull << slot;
		guarded_slots++;
	}
	sl->ready |= 1ull << slot;
}

/*
 * The stacks freed last, kept whole (still in use for their slabs, still
 * registered with valgrind) for the next requests of their size: a run's
 * threads are few and short (explore_small's three: each one's stack goes
 * at its exit and the next run's spawns ask for them again), and handing
 * one back skips the slab's bookkeeping both ways. A free that finds the
 * spares full, and ctx_stack_pool_drain, return a stack to its slab.
 */
#define CTX_SPARES 4
static struct ctx_stack spares[CTX_SPARES];
static int nspares;

/* A stack of size (whole pages) from a slab of that size. */
static __attribute__((noinline)) int slab_take(struct ctx_stack *st, size_t size)
{
	size_t ps = page_size();
	struct ctx_slab *sl = partial;
	while (sl != NULL && sl->size != size)
		sl = sl->pnext;
	if (sl == NULL && (sl = slab_new(size)) == NULL)
		return -1;
	if (sl->nfree == CTX_SLAB_STACKS)
		idle_slabs--;
	unsigned slot = sl->free[--sl->nfree];
	if (sl->nfree == 0)
		partial_del(sl);
	if (!(sl->ready & (1ull << slot)))
		guard_setup(sl, slot);
	st->base = sl->map + (size_t)slot * sl->stride + ps;
	st->size = size;
	st->slab = sl;
	st->slot = slot;
	st->guarded = (sl->guarded >> slot) & 1;
	vg_register(st);
	return 0;
}

int ctx_stack_alloc(struct ctx_stack *st, size_t size)
{
	size_t ps = page_size();
	size = (size + ps - 1) & ~(ps - 1); /* a page is a power of two */
	if (nspares > 0 && spares[nspares - 1].size == size) {
		*st = spares[--nspares];
		return 0;
	}
	return slab_take(st, size);
}

void ctx_stack_share(const struct ctx_stack *st, struct ctx_stack *copy)
{
	struct ctx_slab *sl = st->slab;
	sl->shares[st->slot]++;
	*copy = *st;
}

bool ctx_can_clone(void)
{
#ifdef SIMK_CTX_ASM
	return true;
#else
	return false;
#endif
}

/* Returns st's stack to its slab. */
static __attribute__((noinline)) void slab_give(struct ctx_stack *st)
{
	struct ctx_slab *sl = st->slab;
	vg_deregister(st);
	if (sl->nfree == 0)
		partial_add(sl);
	sl->free[sl->nfree++] = (uint8_t)st->slot;
	if (sl->nfree == CTX_SLAB_STACKS && ++idle_slabs > CTX_SLABS_IDLE_MAX)
		slab_unmap(sl);
}

void ctx_stack_free(struct ctx_stack *st)
{
	if (st->base == NULL)
		return;
	struct ctx_slab *sl = st->slab;
	if (sl->shares[st->slot] > 0) { /* another holder keeps it (a forked guest) */
		sl->shares[st->slot]--;
		st->base = NULL;
		st->size = 0;
		st->slab = NULL;
		return;
	}
#ifdef SIMK_ASAN
	/* A dead coroutine may leave poisoned frames behind. */
	ASAN_UNPOISON_MEMORY_REGION(st->base, st->size);
#endif
	if (nspares < CTX_SPARES)
		spares[nspares++] = *st;
	else
		slab_give(st);
	st->base = NULL;
	st->size = 0;
	st->slab = NULL;
}

void ctx_stack_pool_drain(void)
{
	while (nspares > 0)
		slab_give(&spares[--nspares]);
	struct ctx_slab *sl = slabs;
	while (sl != NULL) {
		struct ctx_slab *next = sl->next;
		if (sl->nfree == CTX_SLAB_STACKS)
			slab_unmap(sl);
		sl = next;
	}
}

#ifdef SIMK_ASAN
/* Bounds of the host stack, learnt the first time we leave it. */
static const void *main_bottom;
static size_t main_size;
#endif

#ifdef SIMK_ASAN
static void learn_main_stack(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			main_bottom = addr;
			main_size = size;
		}
		pthread_attr_destroy(&attr);
	}
}
#endif

static void ctx_boot(void *p)
{
	struct ctx *c = p;
#ifdef SIMK_ASAN
	const void *bottom;
	size_t size;
	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
#endif
	c->entry(c->arg);
	abort(); /* entry must never return */
}

#ifdef SIMK_CTX_ASM
void simk_ctx_swap(void **save_sp, void *new_sp);
void simk_ctx_start(void);

void ctx_init(struct ctx *c, ctx_entry_fn entry, void *arg)
{
	c->entry = entry;
	c->arg = arg;
	c->asan_fake = NULL;
	uintptr_t top = ((uintptr_t)c->stack.base + c->stack.size) & ~(uintptr_t)15;
	/* Frame popped by simk_ctx_swap: r15 r14 r13 r12 rbx rbp, then the
	 * return address; after the ret, rsp must be 16-byte aligned so the
	 * call in simk_ctx_start enters entry with the ABI's alignment. */
	uint64_t *sp = (uint64_t *)(top - 72);
	memset(sp, 0, 72);
	sp[0] = 0;				     /* r15 */
	sp[1] = 0;				     /* r14 */
	sp[2] = (uint64_t)(uintptr_t)ctx_boot;	     /* r13: entry */
	sp[3] = (uint64_t)(uintptr_t)c;		     /* r12: argument */
	sp[4] = 0;				     /* rbx */
	sp[5] = 0;				     /* rbp */
	sp[6] = (uint64_t)(uintptr_t)simk_ctx_start; /* return address */
	c->sp = sp;
	c->fallback = NULL;
}

void ctx_init_main(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
}

void ctx_release(struct ctx *c)
{
	(void)c;
}

static inline void raw_switch(struct ctx *from, struct ctx *to)
{
	simk_ctx_swap(&from->sp, to->sp);
}
#else
static void ucontext_boot(unsigned int hi, unsigned int lo)
{
	uintptr_t p = ((uintptr_t)hi << 32) | (uintptr_t)lo;
	ctx_boot((void *)p);
}

void ctx_init(struct ctx *c, ctx_entry_fn entry, void *arg)
{
	c->entry = entry;
	c->arg = arg;
	c->asan_fake = NULL;
	ucontext_t *uc = calloc(1, sizeof(*uc));
	if (uc == NULL)
		abort();
	getcontext(uc);
	uc->uc_stack.ss_sp = c->stack.base;
	uc->uc_stack.ss_size = c->stack.size;
	uc->uc_link = NULL;
	uintptr_t p = (uintptr_t)c;
	makecontext(uc, (void (*)(void))ucontext_boot, 2, (unsigned int)(p >> 32),
		    (unsigned int)(p & 0xffffffffu));
	c->fallback = uc;
}

void ctx_init_main(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fallback = calloc(1, sizeof(ucontext_t));
	if (c->fallback == NULL)
		abort();
}

void ctx_release(struct ctx *c)
{
	free(c->fallback);
	c->fallback = NULL;
}

static inline void raw_switch(struct ctx *from, struct ctx *to)
{
	swapcontext(from->fallback, to->fallback);
}
#endif

void ctx_switch(struct ctx *from, struct ctx *to, int from_dying)
{
#ifdef SIMK_ASAN
	const void *bottom = to->stack.base;
	size_t size = to->stack.size;
	if (bottom == NULL && main_bottom == NULL)
		learn_main_stack();
	if (bottom == NULL) {
		bottom = main_bottom;
		size = main_size;
	}
	__sanitizer_start_switch_fiber(from_dying ? NULL : &from->asan_fake, bottom, size);
	raw_switch(from, to);
	const void *ob;
	size_t os;
	__sanitizer_finish_switch_fiber(from->asan_fake, &ob, &os);
#else
	(void)from_dying;
	raw_switch(from, to);
#endif
}
