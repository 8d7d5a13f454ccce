/*
 * Guest processes and their images (docs/guest.md, "Processes").
 *
 * A guest's memory is host memory at fixed addresses: the writable
 * segments of its object, the heap arena, its threads' stacks. After fork
 * two processes own the same addresses, so each has an image and exactly
 * one image is resident. An image is:
 *  - the writable segments (the program's snapshot ranges),
 *  - the used part of the heap arena and its bitmap of block starts
 *    (guest_heap.c), with the heap's bookkeeping in the runtime state,
 *  - the stack ranges it shares with another process: a forked child's
 *    first thread runs on the very range of the thread that forked (its
 *    saved registers point into it); only the live part, from the owner
 *    thread's saved stack pointer up, is copied,
 *  - the runtime state of struct guest_pstate (dispositions, atexit
 *    handlers, rand, pthread keys and objects, exit status).
 * The engine's switch hook (sim/side.c) makes the next thread's process
 * resident before it runs, on the side stack, where no thread's frames are
 * in use. A run that never forks never swaps anything.
 *
 * The kernel's view (kern/umem.h): a forked process's identity regions
 * have a view, so a copyout into a process that is not resident (an AIO
 * completion in interrupt context, a kernel thread) lands in its saved
 * image, not in the resident process's memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "kern/proc.h"
#include "kern/umem.h"
#include "simk/proc.h"

#if defined(__SANITIZE_ADDRESS__)
#define IMG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IMG_ASAN 1
#endif
#endif
#ifdef IMG_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define IMG_STACKS_MAX 16 /* shared stack ranges of one process */

/* A stack range the process shares with another one. */
struct img_stack {
	struct simk_thread *owner; /* its thread on the range (NULL: not started yet) */
	uintptr_t lo;
	size_t len;
	unsigned char *buf; /* len bytes: the range while the process is not resident */
	uintptr_t from;	    /* the live part saved: [from, lo + len) */
};

struct guest_process {
	struct simk_proc *proc;
	struct guest_pstate st; /* the runtime state while not resident */
	unsigned char *segs[GUEST_SEGS_MAX];
	struct guest_heap_img heap;
	struct img_stack stacks[IMG_STACKS_MAX];
	int nstacks;
	struct guest_process *next; /* every process of the run */
	/* a forked child whose first thread has not run yet */
	void *fork_sp;
	struct ctx_stack fork_stack; /* its share of the range */
	struct guest_thread fork_gt; /* the forking thread at the fork */
};

static struct guest_process *forking; /* between the capture and the kernel's fork hook */

static struct guest_run *run(void)
{
	return guest_run_current();
}

struct guest_process *guest_process_of(struct simk_proc *p)
{
	return p != NULL && guest_subsys_slot >= 0 ? p->subsys[guest_subsys_slot] : NULL;
}

bool guest_process_resident(const struct guest_process *gp)
{
	struct guest_run *r = run();
	return r == NULL || r->resident == gp;
}

struct guest_heap *guest_process_heap(const struct guest_process *gp)
{
	return gp->st.heap;
}

/* A copy the sanitizer does not check: a suspended stack holds the
 * poisoned redzones of its frames. */
#ifdef IMG_ASAN
__attribute__((no_sanitize_address)) static void raw_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}
#else
static void raw_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}
#endif

static bool owner_live(const struct img_stack *is)
{
	return is->owner != NULL && is->owner->state != TS_ZOMBIE;
}

/* The resident process gp becomes an image. */
static void save(struct guest_run *r, struct guest_process *gp)
{
	const struct guest_prog *g = r->prog;
	gp->st = r->pst;
	for (int i = 0; i < g->nsnaps; i++)
		memcpy(gp->segs[i], (void *)g->snaps[i].start, g->snaps[i].len);
	if (gp->st.heap != NULL && guest_heap_save(gp->st.heap, &gp->heap) != 0)
		sim_fail(SIMK_FAIL_PANIC, "guest: no host memory for a heap image");
	for (int i = 0; i < gp->nstacks; i++) {
		struct img_stack *is = &gp->stacks[i];
		if (!owner_live(is))
			continue;
		uintptr_t sp = (uintptr_t)sim_thread_user_sp(is->owner);
		if (sp < is->lo || sp >= is->lo + is->len)
			continue; /* gone, or not on the range yet: the image stays */
		is->from = sp;
		raw_copy(is->buf + (sp - is->lo), (void *)sp, is->lo + is->len - sp);
	}
}

/* gp's image becomes resident. */
static void load(struct guest_run *r, struct guest_process *gp)
{
	const struct guest_prog *g = r->prog;
	r->pst = gp->st;
	for (int i = 0; i < g->nsnaps; i++)
		memcpy((void *)g->snaps[i].start, gp->segs[i], g->snaps[i].len);
	if (gp->st.heap != NULL)
		guest_heap_load(gp->st.heap, &gp->heap);
	for (int i = 0; i < gp->nstacks; i++) {
		struct img_stack *is = &gp->stacks[i];
		if (is->owner != NULL && !owner_live(is))
			continue;
#ifdef IMG_ASAN
		/* the other process's frames left their redzones here */
		ASAN_UNPOISON_MEMORY_REGION((void *)is->lo, is->len);
#endif
		raw_copy((void *)is->from, is->buf + (is->from - is->lo), is->lo + is->len - is->from);
	}
	r->resident = gp;
}

void guest_image_switch(struct guest_run *r, struct guest_process *gp)
{
	if (r->resident == gp)
		return;
	if (r->resident != NULL)
		save(r, r->resident);
	load(r, gp);
}

/* ---- the kernel's view ---------------------------------------------------------- */

static void *view(void *arg, uintptr_t addr, size_t len)
{
	struct guest_process *gp = arg;
	struct guest_run *r = run();
	if (r == NULL || r->resident == gp)
		return (void *)addr;
	const struct guest_prog *g = r->prog;
	for (int i = 0; i < g->nsnaps; i++) {
		const struct guest_snap *sn = &g->snaps[i];
		if (addr >= sn->start && addr - sn->start < sn->len)
			return len <= sn->len - (addr - sn->start) ? gp->segs[i] + (addr - sn->start)
								   : NULL;
	}
	if (guest_heap_in_arena(addr))
		return guest_heap_img_at(&gp->heap, addr, len);
	for (int i = 0; i < gp->nstacks; i++) {
		const struct img_stack *is = &gp->stacks[i];
		if (addr >= is->lo && addr - is->lo < is->len)
			return len <= is->len - (addr - is->lo) ? is->buf + (addr - is->lo) : NULL;
	}
	return (void *)addr; /* a stack only this process has: always in place */
}

/* ---- processes -------------------------------------------------------------------- */

static struct guest_process *process_new(struct guest_run *r, struct simk_proc *p)
{
	struct guest_process *gp = calloc(1, sizeof(*gp));
	if (gp == NULL)
		return NULL;
	const struct guest_prog *g = r->prog;
	for (int i = 0; i < g->nsnaps; i++) {
		gp->segs[i] = malloc(g->snaps[i].len);
		if (gp->segs[i] == NULL) {
			for (int j = 0; j < i; j++)
				free(gp->segs[j]);
			free(gp);
			return NULL;
		}
	}
	gp->proc = p;
	return gp;
}

/* Appends gp to the run's processes (the first stays first). */
static void process_link(struct guest_run *r, struct guest_process *gp)
{
	struct guest_process **pp = &r->main;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = gp;
}

static void process_free(struct guest_process *gp, bool resident)
{
	for (int i = 0; i < GUEST_SEGS_MAX; i++)
		free(gp->segs[i]);
	free(gp->heap.bytes);
	free(gp->heap.starts);
	for (int i = 0; i < gp->nstacks; i++)
		free(gp->stacks[i].buf);
	ctx_stack_free(&gp->fork_stack);
	if (!resident) { /* the resident state is the run's, freed with it */
		struct guest_run tmp;
		memset(&tmp, 0, sizeof(tmp));
		tmp.pst = gp->st;
		guest_objs_free(&tmp);
		guest_heap_state_free(gp->st.heap);
	}
	if (gp->proc != NULL && gp->proc->subsys[guest_subsys_slot] == gp)
		gp->proc->subsys[guest_subsys_slot] = NULL;
	free(gp);
}

int guest_image_main(struct guest_run *r)
{
	struct guest_process *gp = process_new(r, r->proc);
	if (gp == NULL)
		return -1;
	gp->next = NULL;
	r->main = r->resident = gp;
	gp->next = NULL;
	forking = NULL; /* a failed run may have left it between capture and hook */
	r->proc->subsys[guest_subsys_slot] = gp;
	return 0;
}

void guest_image_free(struct guest_run *r)
{
	struct guest_process *gp = r->main;
	while (gp != NULL) {
		struct guest_process *next = gp->next;
		process_free(gp, gp == r->resident);
		gp = next;
	}
	r->main = r->resident = NULL;
}

/* ---- fork ------------------------------------------------------------------------ */

static struct img_stack *stack_add(struct guest_process *gp, struct simk_thread *owner,
				   const struct ctx_stack *st)
{
	for (int i = 0; i < gp->nstacks; i++)
		if (gp->stacks[i].lo == (uintptr_t)st->base)
			return &gp->stacks[i];
	if (gp->nstacks == IMG_STACKS_MAX)
		return NULL;
	struct img_stack *is = &gp->stacks[gp->nstacks];
	is->buf = malloc(st->size);
	if (is->buf == NULL)
		return NULL;
	is->owner = owner;
	is->lo = (uintptr_t)st->base;
	is->len = st->size;
	is->from = is->lo + is->len;
	gp->nstacks++;
	return is;
}

struct fork_capture {
	struct guest_run *r;
	struct guest_thread *gt;
	struct guest_process *child;
	int err;
};

/* On the side stack, the forking thread suspended: the child's image is
 * the parent's memory now, and its first thread's context the forking
 * thread's saved one. */
static void capture(struct simk *s, void *arg)
{
	(void)s;
	struct fork_capture *fc = arg;
	struct guest_run *r = fc->r;
	struct simk_thread *t = fc->gt->t;
	struct guest_process *parent = r->resident;
	struct guest_process *c = process_new(r, NULL);
	if (c == NULL || stack_add(parent, t, &t->ctx.stack) == NULL ||
	    stack_add(c, NULL, &t->ctx.stack) == NULL) {
		if (c != NULL)
			process_free(c, true);
		fc->err = -ENOMEM;
		return;
	}
	/* the child's image: a save of the parent into it */
	struct img_stack *is = &c->stacks[0];
	is->owner = t;
	save(r, c);
	is->owner = NULL;
	c->st.heap = r->heap != NULL ? guest_heap_dup(r->heap) : NULL;
	c->st.objs = NULL;
	c->fork_sp = t->ctx.sp;
	t->kstack_wanted = true; /* its stack is shared from now on */
	c->fork_gt = *fc->gt;
	ctx_stack_share(&t->ctx.stack, &c->fork_stack);
	fc->child = c;
}


/* kern's fork hook: the child process exists, its thread does not yet. */
static int fork_hook(struct simk_proc *parent, struct simk_proc *child)
{
	struct guest_process *c = forking;
	struct guest_run *r = run();
	if (c == NULL || r == NULL || parent != r->proc)
		return 0; /* a scenario's fork, or a kernel one */
	c->proc = child;
	c->st.proc = child;
	c->st.alarm_timer = 0; /* POSIX: pending alarms are not inherited */
	c->st.exit_status = 0;
	c->st.exiting = false;
	c->st.termsig = 0;
	struct guest_run tmp;
	memset(&tmp, 0, sizeof(tmp));
	if (c->st.heap == NULL || guest_objs_init(&tmp) != 0)
		return -ENOMEM;
	c->st.objs = tmp.objs; /* pthread objects: fresh (docs/guest.md) */
	child->subsys[guest_subsys_slot] = c;
	process_link(r, c);
	int e = umem_ident_set_view(child, view, c);
	if (e != 0)
		return e;
	guest_heap_bind(child, c); /* its heap check reads its own bookkeeping */
	/* only the forking thread's stack is the child's (POSIX: one thread) */
	for (int i = 0; i < r->nthreads_cap; i++) {
		struct guest_thread *o = r->threads[i];
		if (o != NULL && o->t->proc == parent && !o->exited && o->stack_lo != NULL &&
		    o->stack_lo != c->fork_gt.stack_lo)
			(void)umem_unmap_identity(child, o->stack_lo);
	}
	return 0;
}

/* The child's first thread, on a stack of its own until it takes the
 * forking thread's range. Its process is resident (the switch hook). */
static void child_entry(void *arg)
{
	struct guest_run *r = arg;
	struct simk_thread *t = sim_thread_current();
	struct guest_process *c = guest_process_of(t->proc);
	KASSERT(c != NULL, "a forked guest thread without a guest process");
	KASSERT(r->resident == c, "a forked guest thread without its image resident");
	struct guest_thread *gt = guest_thread_new(r, t);
	if (gt == NULL)
		sim_fail(SIMK_FAIL_PANIC, "guest: no host memory for a forked thread");
	int tid = gt->tid;
	*gt = c->fork_gt;
	gt->tid = tid;
	gt->t = t;
	gt->detached = gt->finished = gt->joined = gt->exited = false;
	gt->joiner = gt->joiner_of = 0;
	waitq_init(&gt->join_wq, "pthread_join");
	c->stacks[0].owner = t;
	t->kstack_wanted = true;
	struct ctx_stack st = c->fork_stack;
	memset(&c->fork_stack, 0, sizeof(c->fork_stack));
	sim_thread_adopt(&st, c->fork_sp);
}

int64_t guest_fork(struct guest_thread *gt)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return -EPERM;
	if (!ctx_can_clone())
		return -ENOSYS;
	if (!r->forked) { /* from now on the kernel sees images */
		int e = umem_ident_set_view(r->proc, view, r->resident);
		if (e != 0)
			return e;
		guest_heap_bind(r->proc, r->resident);
		r->forked = true;
		sim_switch_hook_on();
	}
	struct fork_capture fc = {r, gt, NULL, 0};
	if (sim_thread_snapshot(capture, &fc))
		return 0; /* the child, resumed on the same stack range */
	if (fc.err != 0)
		return fc.err;
	forking = fc.child;
	int pid = simk_fork(r->prog->name, child_entry, r);
	forking = NULL;
	if (pid < 0 && fc.child->proc == NULL) /* the kernel refused before the hook */
		process_free(fc.child, false);
	return pid;
}

static bool switch_needed(struct simk *s, const struct simk_thread *next)
{
	struct guest_run *r = sim_subsys_state(s, guest_subsys_slot);
	if (r == NULL || !r->forked)
		return false;
	struct guest_process *gp = guest_process_of(next->proc);
	return gp != NULL && gp != r->resident;
}

static void switch_swap(struct simk *s, struct simk_thread *next)
{
	guest_image_switch(sim_subsys_state(s, guest_subsys_slot), guest_process_of(next->proc));
}

static const struct sim_switch_hook switch_hook = {
    .needed = switch_needed,
    .swap = switch_swap,
};

void guest_image_register(void)
{
	proc_register_fork_hook(fork_hook);
	sim_set_switch_hook(&switch_hook);
}
