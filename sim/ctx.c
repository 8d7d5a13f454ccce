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

#define CTX_POOL_MAX 4096

struct pool_entry {
	void *map;
	size_t map_len;
};

static struct pool_entry pool[CTX_POOL_MAX];
static size_t pool_len;

static size_t page_size(void)
{
	static size_t ps;
	if (ps == 0)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

int ctx_stack_alloc(struct ctx_stack *st, size_t size)
{
	size_t ps = page_size();
	size = (size + ps - 1) / ps * ps;
	size_t map_len = size + ps;
	for (size_t i = pool_len; i > 0; i--) {
		if (pool[i - 1].map_len == map_len) {
			void *map = pool[i - 1].map;
			pool[i - 1] = pool[--pool_len];
			st->base = (char *)map + ps;
			st->size = size;
			vg_register(st);
			return 0;
		}
	}
	void *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	if (mprotect(map, ps, PROT_NONE) != 0) { /* guard page below */
		munmap(map, map_len);
		return -1;
	}
	st->base = (char *)map + ps;
	st->size = size;
	vg_register(st);
	return 0;
}

void ctx_stack_free(struct ctx_stack *st)
{
	if (st->base == NULL)
		return;
	size_t ps = page_size();
	void *map = (char *)st->base - ps;
	size_t map_len = st->size + ps;
	vg_deregister(st);
#ifdef SIMK_ASAN
	/* A dead coroutine may leave poisoned frames behind. */
	ASAN_UNPOISON_MEMORY_REGION(st->base, st->size);
#endif
	if (pool_len < CTX_POOL_MAX) {
		pool[pool_len].map = map;
		pool[pool_len].map_len = map_len;
		pool_len++;
	} else {
		munmap(map, map_len);
	}
	st->base = NULL;
	st->size = 0;
}

void ctx_stack_pool_drain(void)
{
	while (pool_len > 0) {
		pool_len--;
		munmap(pool[pool_len].map, pool[pool_len].map_len);
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
	sp[0] = 0;                                /* r15 */
	sp[1] = 0;                                /* r14 */
	sp[2] = (uint64_t)(uintptr_t)ctx_boot;    /* r13: entry */
	sp[3] = (uint64_t)(uintptr_t)c;           /* r12: argument */
	sp[4] = 0;                                /* rbx */
	sp[5] = 0;                                /* rbp */
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
