/*
 * Guest threads: how a simulated thread becomes a guest thread and how it
 * ends. The main thread runs main(); pthread_create (guest_pthread.c)
 * makes the others. Each has its own errno, call site and thread-specific
 * data (struct guest_thread), and its coroutine stack is user memory of
 * the guest's process (an identity region).
 *
 * The stack, top down:
 *
 *   top                       simk's own frames (the engine, this file)
 *   top - GUEST_STACK_RESERVE + SCRATCH + ARGV   ...
 *                             argv (main thread)   GUEST_ARGV_BYTES
 *                             scratch              GUEST_SCRATCH_SIZE
 *   top - GUEST_STACK_RESERVE the guest's first frame (guest_call_on_stack)
 *                             ...
 *   base                      guard page below
 *
 * The guest's frames and the scratch buffers the runtime hands to the
 * kernel are at the same offsets in every build of simk, so their aliases
 * in the trace (kern/umem.h) are too. Stacks are reused between runs
 * (sim/ctx.c's pool): the part of the stack guest code has reached so far
 * (deepest_ever) is zeroed when a guest thread starts, so an
 * uninitialized local reads 0 in every run, not the last run's leftovers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"
#include "guest/guest_elf.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/umem.h"
#include "kern/waitq.h"
#include "sim/access.h"
#include "simk/proc.h"

#define STACK_ZERO_MIN (16 * 1024)  /* zeroed below the first frame at least */
#define STACK_ZERO_SLACK (4 * 1024) /* below the deepest frame seen (library frames) */

/* How deep below its first frame any guest thread's stack was dirtied so
 * far in this host process (grows, never shrinks). Host bookkeeping: it
 * only decides how much to zero, never what a run sees. */
static size_t deepest_ever = STACK_ZERO_MIN;

static char *stack_top(const struct guest_thread *gt)
{
	return (char *)gt->stack_lo + gt->stack_len;
}

static char *first_frame(const struct guest_thread *gt)
{
	return stack_top(gt) - GUEST_STACK_RESERVE;
}

/* Copies argv into the argv area: the pointer array, NULL, an empty
 * environment, then the strings. */
static void copy_argv(struct guest_thread *gt)
{
	char **vec = (char **)(void *)gt->argv_area;
	char *str = gt->argv_area + (size_t)(gt->argc + 2) * sizeof(char *);
	for (int i = 0; i < gt->argc; i++) {
		size_t n = strlen(gt->argv_src[i]) + 1;
		memcpy(str, gt->argv_src[i], n);
		vec[i] = str;
		str += n;
	}
	vec[gt->argc] = NULL;
	vec[gt->argc + 1] = NULL; /* envp: empty */
	KASSERT(str <= gt->argv_area + GUEST_ARGV_BYTES, "guest argv overflows its area");
}

static void tls_init(struct guest_run *r, struct guest_thread *gt)
{
	const struct guest_prog *g = r->prog;
	if (g->tls_memsz == 0)
		return;
	gt->tls = guest_heap_alloc_internal(r, g->tls_memsz, g->tls_align);
	if (gt->tls == NULL)
		sim_fail(SIMK_FAIL_PANIC, "guest: no memory for thread-local storage");
	memcpy(gt->tls, g->tls_image, g->tls_filesz);
}

void guest_thread_start(struct guest_thread *gt, void *(*fn)(void *), void *arg)
{
	struct simk_thread *t = gt->t;
	struct guest_run *r = guest_run_current();
	KASSERT(t == sim_thread_current(), "guest thread %d starts on another thread", gt->tid);
	gt->stack_lo = t->ctx.stack.base;
	gt->stack_len = t->ctx.stack.size;
	KASSERT(gt->stack_len >= GUEST_STACK_SIZE, "guest stack of %zu bytes", gt->stack_len);
	int e = umem_map_identity(r->proc, gt->stack_lo, gt->stack_len,
				  UMEM_PROT_READ | UMEM_PROT_WRITE, "stack", NULL, NULL);
	if (e != 0)
		sim_fail(SIMK_FAIL_PANIC, "guest: cannot map the stack of thread %d: %s", gt->tid,
			 strerror(-e));
	char *first = first_frame(gt);
	gt->scratch = (unsigned char *)first;
	gt->argv_area = first + GUEST_SCRATCH_SIZE;
	gt->stack_low_water = (uintptr_t)first;
	char *above = gt->argv_area + GUEST_ARGV_BYTES;
	KASSERT((char *)__builtin_frame_address(0) > above + 1024,
		"simk's frames reach into the guest's part of the stack");
	size_t depth = deepest_ever;
	if (depth > (size_t)(first - (char *)gt->stack_lo))
		depth = (size_t)(first - (char *)gt->stack_lo);
	memset(first - depth, 0, depth + (size_t)(above - first));
	if (gt->argv_src != NULL)
		copy_argv(gt);
	tls_init(r, gt);
	if (fn == NULL) { /* the main thread: argv lives in the stack's reserve */
		char **argv = (char **)(void *)gt->argv_area;
		int status = guest_call_main_on_stack(r->prog->main, gt->argc, argv,
						      argv + gt->argc + 1, first);
		/* the thread is asked again: after a fork in main() a child's
		 * thread returns through these frames, copies of its parent's */
		guest_exit(guest_current(), status);
	}
	void *ret = guest_call_on_stack(fn, arg, first);
	guest_thread_finish(guest_current(), ret);
}

/* Runs the thread-specific data destructors (POSIX: up to
 * PTHREAD_DESTRUCTOR_ITERATIONS rounds while values remain). */
static void run_tsd_destructors(struct guest_run *r, struct guest_thread *gt)
{
	for (int round = 0; round < 4; round++) {
		bool any = false;
		for (int k = 0; k < GUEST_KEYS_MAX; k++) {
			void *v = gt->tsd[k];
			void (*dtor)(void *) = r->key_dtor[k];
			if (v == NULL || !r->key_used[k] || dtor == NULL)
				continue;
			gt->tsd[k] = NULL;
			dtor(v);
			any = true;
		}
		if (!any)
			return;
	}
}

void guest_thread_finish(struct guest_thread *gt, void *retval)
{
	struct guest_run *r = guest_run_current();
	run_tsd_destructors(r, gt);
	gt->retval = retval;
	guest_join_release(r, gt);
	simk_thread_exit(0);
}

/* The engine's thread-exit hook (any way the thread ended: returned,
 * pthread_exit, killed by exit()). */
void guest_thread_exited(struct guest_run *r, struct guest_thread *gt)
{
	if (!gt->finished)
		guest_join_release(r, gt); /* ended by SIGKILL: its joiner must not wait forever */
	if (gt->stack_lo == NULL)
		return; /* never started */
	size_t depth =
	    (size_t)((uintptr_t)first_frame(gt) - gt->stack_low_water) + STACK_ZERO_SLACK;
	if (depth > deepest_ever)
		deepest_ever = depth;
	(void)umem_unmap_identity(r->proc, gt->stack_lo);
	if (gt->tls != NULL)
		guest_heap_free_internal(r, gt->tls);
	gt->tls = NULL;
	gt->exited = true;
}

_Noreturn void guest_exit(struct guest_thread *gt, int status)
{
	struct guest_run *r = guest_run_current();
	if (!r->exiting) {
		r->exiting = true; /* exit() from an atexit handler ends at once */
		while (r->natexit > 0) {
			void (*fn)(void) = r->atexit_fns[--r->natexit];
			fn();
		}
	}
	r->exit_status = status & 0xff;
	gt->kernel++;
	simk_exit(status & 0xff);
}

struct kwait {
	struct waitq *wq;
	bool exclusive;
	uint64_t timeout_ns;
	bool (*cond)(void *);
	void *arg;
	int r;
};

static void *kwait(void *p)
{
	struct kwait *kw = p;
	kw->r = waitq_wait(kw->wq, kw->exclusive, true, kw->timeout_ns, kw->cond, kw->arg);
	return NULL;
}

/* The wait's entry lives on the kernel stack when the thread's stack is
 * shared with a forked process (sim_kstack_call). */
static int wait_on_kstack(struct waitq *wq, bool exclusive, uint64_t timeout_ns,
			  bool (*cond)(void *), void *arg)
{
	struct kwait kw = {wq, exclusive, timeout_ns, cond, arg, 0};
	(void)sim_kstack_call(kwait, &kw);
	return kw.r;
}

int guest_wait_killable(struct waitq *wq, bool exclusive, uint64_t timeout_ns,
			bool (*cond)(void *), void *arg)
{
	struct simk_thread *t = sim_thread_current();
	KASSERT(t != NULL, "guest_wait_killable outside thread context");
	/* every signal but SIGKILL blocked for the wait: one sent meanwhile
	 * stays pending (or goes to another thread) and is delivered when the
	 * call returns, with the mask back */
	uint64_t mask = t->sigmask;
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	t->sigmask = ~(1ULL << (SIMK_SIGKILL - 1));
	int r = t->kstack_wanted ? wait_on_kstack(wq, exclusive, timeout_ns, cond, arg)
				 : waitq_wait(wq, exclusive, true, timeout_ns, cond, arg);
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	t->sigmask = mask;
	return r;
}

/* ---- messages ------------------------------------------------------------------ */

_Noreturn void guest_fail(struct guest_thread *gt, const char *fmt, ...)
{
	struct guest_run *r = guest_run_current();
	char msg[300], site[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	guest_site_format(gt->site, site, sizeof(site));
	if (r != NULL)
		snprintf(r->fail_site, sizeof(r->fail_site), "%s", site);
	sim_fail(SIMK_FAIL_EXPECT, "%s: %s", site, msg);
}

_Noreturn void guest_refuse(struct guest_thread *gt, const char *call, const char *why)
{
	guest_fail(gt, "%s() is refused: %s (docs/guest.md)", call, why);
}

bool guest_thread_site(const struct simk_thread *t, const char **file, int *line)
{
	struct guest_run *r = t != NULL ? guest_run_current() : NULL;
	struct guest_thread *gt = r != NULL ? guest_thread_of(r, t->tid) : NULL;
	if (gt == NULL || gt->site == 0)
		return false;
	return guest_site_lines(gt->site, file, line);
}

/* A switch point at a memory access (guest_tsan.c), not a call. */
static bool access_call(const char *call)
{
	return call != NULL && (strcmp(call, "load") == 0 || strcmp(call, "store") == 0 ||
				strcmp(call, "atomic") == 0);
}

void guest_print_threads(struct guest_run *r, const struct simk *s, void *file)
{
	FILE *f = file;
	for (int i = 0; i < s->nthreads; i++) {
		const struct simk_thread *t = s->threads[i];
		struct guest_thread *gt = guest_thread_of(r, t->tid);
		if (gt == NULL || t->state == TS_ZOMBIE)
			continue;
		char site[200];
		guest_site_format(gt->site, site, sizeof(site));
		char state[SIM_NAME_MAX + 64];
		if (t->state == TS_SLEEPING)
			snprintf(state, sizeof(state), "sleeps on %s", t->wchan ? t->wchan : "?");
		else
			snprintf(state, sizeof(state), "is runnable");
		if (gt->site == 0)
			fprintf(f, "  %s (tid %d) %s before its first call\n", t->name, t->tid,
				state);
		else
			fprintf(f, "  %s (tid %d) %s at %s: %s%s%s%s\n", t->name, t->tid, state,
				site, gt->call != NULL ? gt->call : "?",
				access_call(gt->call) ? "" : "()", gt->waits[0] ? " " : "",
				gt->waits);
	}
}

/* ---- thread-local storage (__thread variables) -------------------------------------- */

/* The argument of __tls_get_addr in the general-dynamic TLS model, which
 * is what a shared object's code uses (x86-64 and AArch64 alike). */
struct tls_index {
	unsigned long module;
	unsigned long offset;
};

void *__tls_get_addr(struct tls_index *ti);

/* Each guest thread has its own copy of the guest module's TLS block (a
 * runtime block of the heap, so the guest may hand its address to the
 * kernel); anything else is the host's. */
void *__wrap___tls_get_addr(struct tls_index *ti)
{
	struct guest_prog *g = guest_prog_current();
	struct guest_thread *gt = g != NULL && ti->module == g->tls_modid ? guest_current() : NULL;
	if (gt == NULL || gt->tls == NULL)
		return __tls_get_addr(ti);
	return (char *)gt->tls + ti->offset;
}

#undef FAMILY
#define FAMILY "compiler runtime"
const struct guest_call guest_calls_tls[] = {
    GUEST_WRAP(__tls_get_addr, "__thread variables: one copy per simulated thread"),
};
const int guest_calls_tls_n = GUEST_NCALLS(guest_calls_tls);
