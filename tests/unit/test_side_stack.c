/* The engine's side stack and kernel stacks (sim/side.c): the process
 * switch hook runs off every thread's stack, only when the next thread
 * needs it; a thread's snapshot resumed by another thread on the same
 * stack range (a forked guest's first thread) continues where the
 * snapshot was taken; kernel calls of a thread whose stack is shared run
 * on a stack of their own, sleep there and come back. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "kern/waitq.h"
#include "sim/engine.h"

static struct simk *mk(void)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = SIMK_POLICY_FIFO;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	return s;
}

static bool within(const void *p, const struct ctx_stack *st)
{
	return st->base != NULL && (const char *)p >= (const char *)st->base &&
	       (const char *)p < (const char *)st->base + st->size;
}

/* ---- the switch hook ------------------------------------------------------------- */

static struct simk_proc *resident;
static int swaps, swaps_on_a_thread_stack;

static bool needed(struct simk *s, const struct simk_thread *next)
{
	(void)s;
	return next->proc != resident;
}

static void swap(struct simk *s, struct simk_thread *next)
{
	int here;
	for (int i = 0; i < s->nthreads; i++)
		swaps_on_a_thread_stack += within(&here, &s->threads[i]->ctx.stack);
	resident = next->proc;
	swaps++;
}

static const struct sim_switch_hook hook = {needed, swap};

static void yielder(void *arg)
{
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(sim_proc_current(), resident, "a thread runs with another resident");
		sim_yield();
	}
	(void)arg;
}

Test(side_stack, the_hook_swaps_between_processes_off_the_thread_stacks)
{
	struct simk *s = mk();
	struct simk_proc *a = simk_proc_create(s, "a"), *b = simk_proc_create(s, "b");
	resident = a;
	swaps = swaps_on_a_thread_stack = 0;
	sim_set_switch_hook(&hook);
	s->side.hooked = true; /* sim_switch_hook_on, before the run */
	simk_thread_create(a, "a1", yielder, NULL);
	simk_thread_create(a, "a2", yielder, NULL);
	simk_thread_create(b, "b1", yielder, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	sim_set_switch_hook(NULL);
	/* fifo runs a1 a2 b1 in rounds, then their exits: a -> b and b -> a
	 * each round and once more at the end; a1 -> a2 never swaps */
	cr_assert_eq(swaps, 7, "%d swaps", swaps);
	cr_assert_eq(swaps_on_a_thread_stack, 0);
	simk_destroy(s);
}

/* ---- snapshot and adopt ---------------------------------------------------------------- */

struct snap {
	void *sp;
	struct ctx_stack stack;
	unsigned char *bytes; /* [sp, top) of the range at the snapshot */
	size_t len;
};

static struct snap snap;

/* A copy of stack bytes the sanitizer does not check: a suspended stack
 * holds its frames' redzones (guest_image.c copies the same way). */
#if defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ASAN __attribute__((no_sanitize_address))
#endif
#endif
#ifndef NO_ASAN
#define NO_ASAN
#endif
NO_ASAN static void raw_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *q = src;
	for (size_t i = 0; i < n; i++)
		d[i] = q[i];
}
static int clone_saw, parent_went_on, clone_tid;

static void take(struct simk *s, void *arg)
{
	struct simk_thread *t = arg;
	(void)s;
	snap.sp = t->ctx.sp;
	char *top = (char *)t->ctx.stack.base + t->ctx.stack.size;
	snap.len = (size_t)(top - (char *)snap.sp);
	snap.bytes = malloc(snap.len);
	cr_assert_not_null(snap.bytes);
	raw_copy(snap.bytes, snap.sp, snap.len);
	ctx_stack_share(&t->ctx.stack, &snap.stack);
}

static void adopter(void *arg)
{
	(void)arg;
	/* the snapshot's thread is gone: its range is ours to fill */
	raw_copy(snap.sp, snap.bytes, snap.len);
	sim_thread_adopt(&snap.stack, snap.sp);
}

static void original(void *arg)
{
	volatile int local = 1234;
	struct simk_thread *t = sim_thread_current();
	if (sim_thread_snapshot(take, t)) {
		clone_saw = local;
		clone_tid = sim_thread_current()->tid;
		return; /* through the copied frames, then the engine's exit */
	}
	local = 99; /* the parent goes on, and changes its frame */
	parent_went_on = 1;
	sim_thread_spawn(t->proc, "adopter", adopter, NULL, false);
	(void)arg;
}

Test(side_stack, an_adopted_snapshot_continues_where_it_was_taken)
{
	struct simk *s = mk();
	struct simk_proc *p = simk_proc_create(s, "p");
	clone_saw = parent_went_on = clone_tid = 0;
	simk_thread_create(p, "original", original, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	cr_assert_eq(parent_went_on, 1);
	cr_assert_eq(clone_saw, 1234, "the clone read %d", clone_saw);
	cr_assert_eq(clone_tid, 2);
	free(snap.bytes);
	simk_destroy(s);
}

/* ---- kernel stacks ------------------------------------------------------------------------ */

static struct waitq kwq;
static int on_kstack, on_own_stack, slept;

static void *kernel_part(void *arg)
{
	int here;
	struct simk_thread *t = sim_thread_current();
	on_kstack += within(&here, &t->kstack);
	on_own_stack += within(&here, t->ustack.base != NULL ? &t->ustack : &t->ctx.stack);
	slept = waitq_sleep(&kwq, false, true, 1000); /* sleeps here, times out */
	return arg;
}

static void caller(void *arg)
{
	struct simk_thread *t = sim_thread_current();
	t->kstack_wanted = arg != NULL;
	int here;
	cr_assert_eq(sim_kstack_call(kernel_part, (void *)7), (void *)7);
	cr_assert(within(&here, &t->ctx.stack), "back on its own stack");
	cr_assert_null(t->kcall_usp);
}

Test(side_stack, kernel_calls_of_a_shared_stack_run_on_the_kernel_stack)
{
	struct simk *s = mk();
	struct simk_proc *p = simk_proc_create(s, "p");
	waitq_init(&kwq, "kwq");
	on_kstack = on_own_stack = 0;
	simk_thread_create(p, "shared", caller, (void *)1);
	simk_thread_create(p, "plain", caller, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	cr_assert_eq(on_kstack, 1, "only the thread that wants one uses a kernel stack");
	cr_assert_eq(on_own_stack, 1);
	cr_assert_eq(slept, -ETIMEDOUT);
	simk_destroy(s);
}
