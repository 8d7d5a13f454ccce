/*
 * The compiler's hooks in guest code (simk-cc builds every guest with
 * -fsanitize=thread -fsanitize-coverage=trace-pc; docs/guest.md, "Races
 * on plain memory"). ThreadSanitizer's instrumentation calls a function
 * at every function entry and exit, every load and store, and every
 * <stdatomic.h> operation; coverage calls one at every basic block. simk
 * defines those functions itself — no ThreadSanitizer runtime is loaded —
 * and gives them the simulation's meaning:
 *
 *  - atomics (__tsan_atomic*): always a switch point, then the operation
 *    (one host thread: the operation itself needs no hardware atomicity);
 *  - plain loads and stores (__tsan_read*, __tsan_write*): a switch point
 *    when the guest was built with simk-cc --race and the address is not
 *    on the calling thread's own stack; otherwise nothing;
 *  - function entry and exit: a shadow stack of return addresses, for the
 *    crash report's backtrace and the stack's high-water mark;
 *  - basic blocks (__sanitizer_cov_trace_pc): the spin budget — a thread
 *    that runs GUEST_SPIN_BUDGET_DEFAULT blocks without passing a single
 *    switch point (anywhere) fails the run, naming the line it spins on.
 *
 * Every access that is a switch point is also a trace event
 * (guest:access: the address's alias, the size, read or write), so a
 * failing run shows which accesses raced.
 *
 * These run on every instruction-level event of the guest: the fast
 * paths are a load and a compare.
 */
#include <stdint.h>
#include <string.h>

#include "guest/guest.h"
#include "kern/umem.h"
#include "sim/access.h"

/* The guest thread running now, cached by simulated thread (the engine
 * switches without telling the runtime). */
static const struct simk_thread *cached_t;
static struct guest_thread *cached_gt;

bool guest_race_on; /* the current run's program was built with --race */
uint64_t guest_spin_budget = GUEST_SPIN_BUDGET_DEFAULT;

void guest_hooks_reset(void)
{
	cached_t = NULL;
	cached_gt = NULL;
	guest_race_on = false;
	guest_spin_reset();
}

/* The running guest thread in user mode, or NULL (load time, kernel
 * mode, a kernel thread). */
static inline struct guest_thread *user_thread(void)
{
	struct simk *s = sim_cur();
	if (s == NULL || s->current == NULL)
		return NULL;
	if (s->current != cached_t) {
		struct guest_run *r = s->subsys[guest_subsys_slot];
		cached_gt = r != NULL ? guest_thread_of(r, s->current->tid) : NULL;
		cached_t = s->current;
	}
	return cached_gt != NULL && cached_gt->kernel == 0 ? cached_gt : NULL;
}

struct guest_thread *guest_thread_in_user_mode(void)
{
	return user_thread();
}

struct guest_thread *guest_current(void)
{
	struct simk *s = sim_cur();
	struct guest_run *r = s != NULL ? s->subsys[guest_subsys_slot] : NULL;
	return r != NULL && s->current != NULL ? guest_thread_of(r, s->current->tid) : NULL;
}

/* ---- shared accesses ------------------------------------------------------------------- */

static bool own_stack(const struct guest_thread *gt, uintptr_t a)
{
	return a - (uintptr_t)gt->stack_lo < gt->stack_len;
}

/* The thread's own memory: its stack and its thread-local block. */
static bool private_to(const struct guest_thread *gt, uintptr_t a)
{
	if (own_stack(gt, a))
		return true;
	const struct guest_prog *g = guest_prog_current();
	return gt->tls != NULL && a - (uintptr_t)gt->tls < g->tls_memsz;
}

enum { ACC_READ = 1, ACC_WRITE = 2, ACC_ATOMIC = 4 };

/* The return address of the hook: the guest instruction after the access
 * (the hooks pass it down: at -O0 nothing is inlined). */
#define RA ((uintptr_t)__builtin_return_address(0))

/* A switch point before the access, traced; the access is the thread's
 * site while it waits to go on (reports, shrink's explanations). */
static void access_point(struct guest_thread *gt, const volatile void *addr, int size, int mode,
			 uintptr_t ra)
{
	struct guest_run *r = guest_run_current();
	gt->site = ra;
	gt->call = (mode & ACC_ATOMIC) ? "atomic" : (mode & ACC_WRITE) ? "store" : "load";
	uint64_t alias = umem_trace_addr(r->proc, (uaddr_t)(uintptr_t)addr);
	gt->kernel++;
	trace_emit(TR_INFO, "guest:access", (int64_t)alias, size, mode, 0);
	preempt_point();
	gt->kernel--; /* signals wait for the next call (no known guest stack pointer here) */
}

static inline void plain_access(const volatile void *addr, int size, int mode, uintptr_t ra)
{
	if (__builtin_expect(!guest_race_on, 1))
		return;
	struct guest_thread *gt = user_thread();
	if (gt == NULL || private_to(gt, (uintptr_t)addr))
		return;
	access_point(gt, addr, size, mode, ra);
}

#define PLAIN(n)                                                                                   \
	void __tsan_read##n(void *a)                                                               \
	{                                                                                          \
		plain_access(a, n, ACC_READ, RA);                                                  \
	}                                                                                          \
	void __tsan_write##n(void *a)                                                              \
	{                                                                                          \
		plain_access(a, n, ACC_WRITE, RA);                                                 \
	}                                                                                          \
	void __tsan_unaligned_read##n(void *a)                                                     \
	{                                                                                          \
		plain_access(a, n, ACC_READ, RA);                                                  \
	}                                                                                          \
	void __tsan_unaligned_write##n(void *a)                                                    \
	{                                                                                          \
		plain_access(a, n, ACC_WRITE, RA);                                                 \
	}                                                                                          \
	void __tsan_volatile_read##n(void *a)                                                      \
	{                                                                                          \
		plain_access(a, n, ACC_READ, RA);                                                  \
	}                                                                                          \
	void __tsan_volatile_write##n(void *a)                                                     \
	{                                                                                          \
		plain_access(a, n, ACC_WRITE, RA);                                                 \
	}

PLAIN(1)
PLAIN(2)
PLAIN(4)
PLAIN(8)
PLAIN(16)

void __tsan_read_range(void *a, unsigned long size)
{
	plain_access(a, (int)(size > INT32_MAX ? INT32_MAX : size), ACC_READ, RA);
}

void __tsan_write_range(void *a, unsigned long size)
{
	plain_access(a, (int)(size > INT32_MAX ? INT32_MAX : size), ACC_WRITE, RA);
}

/* clang replaces memcpy and friends inside instrumented code. */
void *__tsan_memcpy(void *d, const void *s, unsigned long n)
{
	plain_access(s, (int)(n > INT32_MAX ? INT32_MAX : n), ACC_READ, RA);
	plain_access(d, (int)(n > INT32_MAX ? INT32_MAX : n), ACC_WRITE, RA);
	return memcpy(d, s, n);
}

void *__tsan_memmove(void *d, const void *s, unsigned long n)
{
	plain_access(s, (int)(n > INT32_MAX ? INT32_MAX : n), ACC_READ, RA);
	plain_access(d, (int)(n > INT32_MAX ? INT32_MAX : n), ACC_WRITE, RA);
	return memmove(d, s, n);
}

void *__tsan_memset(void *d, int c, unsigned long n)
{
	plain_access(d, (int)(n > INT32_MAX ? INT32_MAX : n), ACC_WRITE, RA);
	return memset(d, c, n);
}

void __tsan_vptr_update(void **vp, void *v)
{
	(void)v;
	plain_access(vp, sizeof(void *), ACC_WRITE, RA);
}

void __tsan_vptr_read(void **vp)
{
	plain_access(vp, sizeof(void *), ACC_READ, RA);
}

void __tsan_init(void)
{
}

/* ---- function entry and exit ----------------------------------------------------------- */

void __tsan_func_entry(void *pc)
{
	struct guest_thread *gt = user_thread();
	if (gt == NULL)
		return;
	if (gt->nframes < GUEST_SITES_MAX)
		gt->frames[gt->nframes] = (uintptr_t)pc;
	gt->nframes++;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	if (sp < gt->stack_low_water && own_stack(gt, sp))
		gt->stack_low_water = sp;
}

void __tsan_func_exit(void)
{
	struct guest_thread *gt = user_thread();
	if (gt != NULL && gt->nframes > 0)
		gt->nframes--;
}

/* ---- atomics: always a switch point -------------------------------------------------- */

static inline void atomic_point(const volatile void *a, int size, int mode, uintptr_t ra)
{
	struct guest_thread *gt = user_thread();
	if (gt != NULL)
		access_point(gt, a, size, mode | ACC_ATOMIC, ra);
}

typedef unsigned char a8;
typedef unsigned short a16;
typedef unsigned int a32;
typedef unsigned long long a64;

#define ATOMICS(bits, T)                                                                           \
	T __tsan_atomic##bits##_load(const volatile T *a, int mo)                                  \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ, RA);                                          \
		return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                       \
	}                                                                                          \
	void __tsan_atomic##bits##_store(volatile T *a, T v, int mo)                               \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_WRITE, RA);                                         \
		__atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                          \
	}                                                                                          \
	T __tsan_atomic##bits##_exchange(volatile T *a, T v, int mo)                               \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                \
	}                                                                                          \
	T __tsan_atomic##bits##_fetch_add(volatile T *a, T v, int mo)                              \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                 \
	}                                                                                          \
	T __tsan_atomic##bits##_fetch_sub(volatile T *a, T v, int mo)                              \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                 \
	}                                                                                          \
	T __tsan_atomic##bits##_fetch_and(volatile T *a, T v, int mo)                              \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                 \
	}                                                                                          \
	T __tsan_atomic##bits##_fetch_or(volatile T *a, T v, int mo)                               \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                  \
	}                                                                                          \
	T __tsan_atomic##bits##_fetch_xor(volatile T *a, T v, int mo)                              \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                 \
	}                                                                                          \
	T __tsan_atomic##bits##_fetch_nand(volatile T *a, T v, int mo)                             \
	{                                                                                          \
		(void)mo;                                                                          \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                \
	}                                                                                          \
	int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *c, T v, int mo,        \
							  int fmo)                                 \
	{                                                                                          \
		(void)mo;                                                                          \
		(void)fmo;                                                                         \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST,               \
						   __ATOMIC_SEQ_CST);                              \
	}                                                                                          \
	int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int fmo) \
	{                                                                                          \
		(void)mo;                                                                          \
		(void)fmo;                                                                         \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		/* never fails spuriously: one CPU, no reason to */                                \
		return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST,               \
						   __ATOMIC_SEQ_CST);                              \
	}                                                                                          \
	T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo)     \
	{                                                                                          \
		(void)mo;                                                                          \
		(void)fmo;                                                                         \
		atomic_point(a, sizeof(T), ACC_READ | ACC_WRITE, RA);                              \
		__atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);  \
		return c;                                                                          \
	}

ATOMICS(8, a8)
ATOMICS(16, a16)
ATOMICS(32, a32)
ATOMICS(64, a64)

/* A fence orders nothing on one CPU, but it is where a program expects
 * other threads to be visible: a switch point. */
void __tsan_atomic_thread_fence(int mo)
{
	(void)mo;
	struct guest_thread *gt = user_thread();
	if (gt != NULL) {
		gt->kernel++;
		preempt_point();
		gt->kernel--;
	}
}

void __tsan_atomic_signal_fence(int mo)
{
	(void)mo;
}

/* ---- the spin budget --------------------------------------------------------------------- */

static uint64_t spin_blocks;	  /* basic blocks since the last check */
static uint64_t spin_points_seen; /* switch points passed at the last check */

void guest_spin_reset(void)
{
	spin_blocks = 0;
	spin_points_seen = 0;
}

static uint64_t points_passed(const struct simk *s)
{
	uint64_t n = 0;
	for (int k = 0; k < PT_KIND_COUNT; k++)
		n += s->points[k];
	return n;
}

/* The budget ran out: fine if a switch point passed since the last check
 * (another thread may have run), else the guest spins. */
static void __attribute__((noinline)) spin_check(uintptr_t pc)
{
	spin_blocks = 0;
	struct simk *s = sim_cur();
	struct guest_thread *gt = user_thread();
	if (s == NULL || gt == NULL)
		return;
	uint64_t seen = points_passed(s);
	if (seen != spin_points_seen) {
		spin_points_seen = seen;
		return;
	}
	guest_spin_exceeded(gt, pc);
}

/* Weak: a program that links libFuzzer (`make fuzz`: the harnesses link
 * libsimk.a with -fsanitize=fuzzer) has the fuzzer's own definition, which
 * then wins; the harnesses load no guests, so no spin budget is lost. */
__attribute__((weak)) void __sanitizer_cov_trace_pc(void)
{
	if (__builtin_expect(++spin_blocks < guest_spin_budget, 1))
		return;
	spin_check((uintptr_t)__builtin_return_address(0));
}
