/*
 * The side stack: one coroutine of the engine's own per simulation, on
 * which work runs while the thread it concerns is suspended — its
 * registers pushed on its stack, its stack pointer in its context.
 *
 * Two users. The process switch hook (engine.h): a forked guest's thread
 * runs on the same stack range as its parent's thread (guest/guest_image.c),
 * and the range's bytes are swapped with the processes' images, which
 * cannot be done from code running on that range. And the snapshot of a
 * thread's context for fork: the suspended context is copied whole (the
 * stack's bytes by the caller's fn, the stack pointer here), and a new
 * thread resumes the copy (sim_thread_adopt) once the copy's bytes are
 * back on the range.
 */
#include "sim/engine.h"

#define SIDE_STACK_SIZE (64 * 1024)

static const struct sim_switch_hook *hook;

void sim_set_switch_hook(const struct sim_switch_hook *h)
{
	hook = h;
}

void sim_switch_hook_on(void)
{
	sim_cur()->side.hooked = true;
}

static void side_entry(void *arg)
{
	struct simk *s = arg;
	for (;;) {
		s->side.fn(s, s->side.arg);
		ctx_switch(&s->side.ctx, s->side.to, 0);
	}
}

static void side_ready(struct simk *s)
{
	if (s->side.ctx.stack.base != NULL)
		return;
	if (ctx_stack_alloc(&s->side.ctx.stack, SIDE_STACK_SIZE) != 0)
		sim_panic("no host memory for the engine's side stack");
	ctx_init(&s->side.ctx, side_entry, s);
}

void sim_side_free(struct simk *s)
{
	if (s->side.ctx.stack.base != NULL) {
		ctx_release(&s->side.ctx);
		ctx_stack_free(&s->side.ctx.stack);
	}
	ctx_stack_free(&s->side.abandoned);
	s->side.hooked = false; /* the rest is zeroed with the block's reuse */
}

/* Runs fn on the side stack, then resumes to. */
static void via_side(struct simk *s, struct ctx *from, bool from_dying,
		     void (*fn)(struct simk *, void *), void *arg, struct ctx *to)
{
	side_ready(s);
	s->side.fn = fn;
	s->side.arg = arg;
	s->side.to = to;
	ctx_switch(from, &s->side.ctx, from_dying);
}

static void swap_job(struct simk *s, void *arg)
{
	hook->swap(s, arg);
}

bool sim_switch_hooked(struct simk *s, struct simk_thread *prev, struct simk_thread *next,
		       bool prev_dying)
{
	if (!s->side.hooked || hook == NULL || !hook->needed(s, next))
		return false;
	if (prev == NULL) { /* the host stack: no thread stack is in use */
		hook->swap(s, next);
		ctx_switch(&s->main_ctx, &next->ctx, 0);
	} else {
		via_side(s, &prev->ctx, prev_dying, swap_job, next, &next->ctx);
	}
	return true;
}

bool sim_thread_snapshot(void (*fn)(struct simk *s, void *arg), void *arg)
{
	struct simk *s = sim_cur();
	struct simk_thread *t = s->current;
	KASSERT(t != NULL, "sim_thread_snapshot without a running thread");
	KASSERT(!s->in_irq, "sim_thread_snapshot in interrupt context");
	via_side(s, &t->ctx, false, fn, arg, &t->ctx);
	if (s->current == t)
		return false;
	/* another thread resumed the copy: the stack it came from is done */
	ctx_stack_free(&s->side.abandoned);
	return true;
}

_Noreturn void sim_thread_adopt(const struct ctx_stack *stack, void *sp)
{
	struct simk *s = sim_cur();
	struct simk_thread *t = s->current;
	KASSERT(t != NULL, "sim_thread_adopt without a running thread");
	KASSERT(!s->in_irq, "sim_thread_adopt in interrupt context");
	KASSERT(s->side.abandoned.base == NULL, "two stacks abandoned at once");
	struct ctx old = t->ctx;
	s->side.abandoned = old.stack;
	s->on_stack = t;
	t->ctx.stack = *stack;
	t->ctx.sp = sp;
	t->ctx.asan_fake = NULL;
	ctx_switch(&old, &t->ctx, 1);
	abort(); /* the old stack is never resumed */
}

/* ---- kernel stacks ---------------------------------------------------------- */

#define KSTACK_SIZE (128 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define SIDE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIDE_ASAN 1
#endif
#endif
#ifdef SIDE_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

struct kcall {
	void *(*fn)(void *);
	void *arg;
	void *ret;
	struct simk_thread *t;
};

static void *kcall_entry(void *p)
{
	struct kcall *kc = p;
#ifdef SIDE_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	kc->ret = kc->fn(kc->arg);
#ifdef SIDE_ASAN
	/* NULL: this frame is done; the kernel stack starts afresh next time */
	__sanitizer_start_switch_fiber(NULL, kc->t->ustack.base, kc->t->ustack.size);
#endif
	return NULL;
}

void *sim_kstack_call(void *(*fn)(void *), void *arg)
{
	struct simk *s = sim_cur();
	struct simk_thread *t = s != NULL && !s->in_irq ? s->current : NULL;
#ifdef __x86_64__
	if (t == NULL || !t->kstack_wanted || t->kcall_usp != NULL)
		return fn(arg);
	if (t->kstack.base == NULL && ctx_stack_alloc(&t->kstack, KSTACK_SIZE) != 0)
		sim_panic("no host memory for the kernel stack of thread %s", t->name);
	struct kcall kc = {fn, arg, NULL, t};
	t->ustack = t->ctx.stack;
	t->ctx.stack = t->kstack;
#ifdef SIDE_ASAN
	void *fake = NULL;
	__sanitizer_start_switch_fiber(&fake, t->kstack.base, t->kstack.size);
#endif
	(void)simk_call_on_stack(kcall_entry, &kc, (char *)t->kstack.base + t->kstack.size,
				 &t->kcall_usp);
#ifdef SIDE_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	t->ctx.stack = t->ustack;
	memset(&t->ustack, 0, sizeof(t->ustack));
	t->kcall_usp = NULL;
	return kc.ret;
#else
	(void)t;
	return fn(arg);
#endif
}

void *sim_thread_user_sp(const struct simk_thread *t)
{
	return t->kcall_usp != NULL ? t->kcall_usp : t->ctx.sp;
}

void sim_thread_stacks_free(struct simk_thread *t)
{
	/* most threads' stacks went at their exit (after_switch_in): the
	 * teardown's walk of every thread finds nothing left */
	if (t->ctx.stack.base == NULL && t->kstack.base == NULL && t->kcall_usp == NULL)
		return;
	if (t->kcall_usp != NULL) { /* it ended inside a kernel call */
		ctx_stack_free(&t->ustack);
		t->kcall_usp = NULL;
		ctx_stack_free(&t->ctx.stack); /* the kernel stack */
		memset(&t->kstack, 0, sizeof(t->kstack));
		return;
	}
	ctx_stack_free(&t->ctx.stack);
	ctx_stack_free(&t->kstack);
}
