/*
 * <pthread.h>'s threads for guests (synchronisation is guest_sync.c):
 * create, join, detach, exit, self, once, thread-specific data, thread
 * attributes, and <sched.h>'s sched_yield.
 *
 * A pthread is a simulated thread of the guest's process: it starts
 * runnable (the policy decides when it first runs), has its own errno and
 * stack (user memory), and is named after its start function ("worker"),
 * so reports read like the source. pthread_t is the thread id.
 *
 * create, join, detach, once and sched_yield are system calls through the
 * one entry path (switch points, traced); self and the thread-specific
 * data are not — they touch nothing another thread can see.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"
#include "guest/guest_elf.h"
#include "guest/guest_objs.h"
#include "kern/syscall.h"

#define FAMILY "pthread.h"

#define A(p) ((int64_t)(uintptr_t)(p))
#define PRIM_DESC(var, nm, handler, n, ...)                                                        \
	static const struct syscall_desc var = {                                                   \
	    .name = nm, .subsys = "guest", .fn = handler, .nargs = n, .arg = {__VA_ARGS__}}

static struct guest_thread *me(struct guest_run **r)
{
	struct guest_thread *gt = guest_self("pthread");
	*r = guest_run_of(gt);
	return gt;
}

static int pthread_ret(int64_t r)
{
	return r < 0 ? (int)-r : 0;
}

/* ---- create / join / detach / exit ------------------------------------------------- */

static void thread_entry(void *arg)
{
	struct guest_thread *gt = arg;
	guest_thread_start(gt, gt->start, gt->arg);
}

/* The name of a thread: its start function's, when the guest has symbols. */
static void thread_name(struct guest_run *r, void *(*fn)(void *), char *buf, size_t len)
{
	uint64_t off;
	const char *sym = guest_elf_symbol_at(r->prog->elf, (uintptr_t)fn - r->prog->base, &off);
	snprintf(buf, len, "%s", sym != NULL && off == 0 ? sym : "thread");
}

static int64_t h_create(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	void *(*fn)(void *) = (void *(*)(void *))(uintptr_t)a[0];
	if (!guest_is_text(r, (uintptr_t)fn))
		guest_fail(gt, "pthread_create(): the start routine %p is not the guest's code",
			   (void *)(uintptr_t)a[0]);
	char name[SIM_NAME_MAX];
	thread_name(r, fn, name, sizeof(name));
	struct simk_thread *t = sim_thread_spawn(r->proc, name, thread_entry, NULL, false);
	if (t == NULL)
		return -EAGAIN;
	t->sigmask = gt->t->sigmask; /* POSIX: the creator's signal mask */
	struct guest_thread *ngt = guest_thread_new(r, t);
	if (ngt == NULL)
		sim_fail(SIMK_FAIL_PANIC, "guest: out of host memory for a thread");
	ngt->start = fn;
	ngt->arg = (void *)(uintptr_t)a[1];
	ngt->detached = a[2] != 0;
	t->arg = ngt;
	return t->tid;
}

PRIM_DESC(desc_create, "pthread_create", h_create, 3, SA_UPTR, SA_UPTR, SA_INT);

/* Our layout of pthread_attr_t (its bytes are the runtime's). */
struct attr {
	int magic;
	int detach;
	size_t stacksize;
};
#define ATTR_MAGIC 0x73696d6b
_Static_assert(sizeof(struct attr) <= sizeof(pthread_attr_t), "pthread_attr_t is big enough");

int __wrap_pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg)
{
	GUEST_ENTER("pthread_create");
	struct guest_run *r = guest_run_of(gt_);
	if (r == NULL) {
		GUEST_LEAVE();
		return EPERM;
	}
	if (!guest_user_writable(r, out, sizeof(*out)))
		guest_fail(gt_, "pthread_create(%p): not a pthread_t in the guest's memory",
			   (void *)out);
	int detached = 0;
	if (attr != NULL) {
		const struct attr *at = (const void *)attr;
		if (!guest_user_readable(r, attr, sizeof(*attr)) || at->magic != ATTR_MAGIC)
			guest_fail(gt_, "pthread_create(): the attributes were not initialized");
		detached = at->detach == PTHREAD_CREATE_DETACHED;
	}
	int64_t tid = syscall_invoke(&desc_create, (const int64_t[]){A(fn), A(arg), detached});
	GUEST_LEAVE();
	if (tid < 0)
		return (int)-tid;
	*out = (pthread_t)tid;
	return 0;
}

/* The guest thread of a pthread_t in this run's process, or NULL. */
static struct guest_thread *target_of(struct guest_run *r, int64_t tid)
{
	if (tid <= 0 || tid > INT32_MAX)
		return NULL;
	struct guest_thread *t = guest_thread_of(r, (int)tid);
	return t != NULL && t->t->proc == r->proc ? t : NULL;
}

static bool finished(void *arg)
{
	return ((struct guest_thread *)arg)->finished;
}

static int64_t h_join(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	struct guest_thread *t = target_of(r, a[0]);
	if (t == NULL)
		return -ESRCH;
	if (t == gt || t->joiner_of == gt->tid)
		return -EDEADLK; /* joining itself, or a thread that joins it */
	if (t->detached || t->joined || (t->joiner != 0 && t->joiner != gt->tid))
		return -EINVAL;
	t->joiner = gt->tid;
	gt->joiner_of = t->tid;
	if (!t->finished) {
		snprintf(gt->waits, sizeof(gt->waits), "waits for %s (tid %d) to end", t->t->name,
			 t->tid);
		int w = guest_wait_killable(&t->join_wq, false, SIMK_FOREVER, finished, t);
		gt->waits[0] = '\0';
		if (w == -EINTR)
			return -EINTR; /* killed: the thread ends as it returns */
	}
	gt->joiner_of = 0;
	t->joined = true;
	return 0;
}

PRIM_DESC(desc_join, "pthread_join", h_join, 1, SA_TID);

int __wrap_pthread_join(pthread_t th, void **retval)
{
	GUEST_ENTER("pthread_join");
	int64_t r = syscall_invoke(&desc_join, (const int64_t[]){(int64_t)th});
	GUEST_LEAVE();
	if (r < 0)
		return (int)-r;
	struct guest_run *run = guest_run_of(gt_);
	if (retval != NULL) {
		if (!guest_user_writable(run, retval, sizeof(*retval)))
			guest_fail(gt_, "pthread_join(): %p is not in the guest's memory",
				   (void *)retval);
		*retval = target_of(run, (int64_t)th)->retval;
	}
	return 0;
}

static int64_t h_detach(const int64_t *a)
{
	struct guest_run *r;
	me(&r);
	struct guest_thread *t = target_of(r, a[0]);
	if (t == NULL)
		return -ESRCH;
	if (t->detached || t->joiner != 0)
		return -EINVAL;
	t->detached = true;
	return 0;
}

PRIM_DESC(desc_detach, "pthread_detach", h_detach, 1, SA_TID);

int __wrap_pthread_detach(pthread_t th)
{
	GUEST_ENTER("pthread_detach");
	int64_t r = syscall_invoke(&desc_detach, (const int64_t[]){(int64_t)th});
	GUEST_LEAVE();
	return pthread_ret(r);
}

/* Called as a thread finishes (returned or pthread_exit): its joiner may go. */
void guest_join_release(struct guest_run *r, struct guest_thread *gt)
{
	(void)r;
	gt->finished = true;
	waitq_wake_all(&gt->join_wq);
}

_Noreturn void __wrap_pthread_exit(void *retval)
{
	GUEST_ENTER("pthread_exit");
	guest_thread_finish(gt_, retval);
}

pthread_t __wrap_pthread_self(void)
{
	return (pthread_t)guest_self("pthread_self")->tid;
}

/* ---- once ------------------------------------------------------------------------------ */

enum { ONCE_NEW = 0, ONCE_RUNNING = 1, ONCE_DONE = 2 };

static bool once_done(void *arg)
{
	return *(volatile int *)arg == ONCE_DONE;
}

/* 1: the caller runs the routine; 0: it already ran (or another thread
 * ran it while this one waited). */
static int64_t h_once(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	int *ctl = (int *)(uintptr_t)a[0];
	if (!guest_user_writable(r, ctl, sizeof(*ctl)))
		guest_fail(gt, "pthread_once(%p): not a pthread_once_t in the guest's memory",
			   (void *)ctl);
	if (*ctl == ONCE_NEW) {
		*ctl = ONCE_RUNNING;
		return 1;
	}
	if (*ctl == ONCE_RUNNING) {
		struct gobj *g = guest_obj_get(r, ctl, GOBJ_ONCE);
		if (g == NULL)
			sim_fail(SIMK_FAIL_PANIC, "guest: out of host memory for pthread objects");
		snprintf(gt->waits, sizeof(gt->waits), "waits for another thread's pthread_once");
		int w = guest_wait_killable(&g->wq, false, SIMK_FOREVER, once_done, ctl);
		gt->waits[0] = '\0';
		if (w == -EINTR)
			return -EINTR;
	}
	return 0;
}

static int64_t h_once_done(const int64_t *a)
{
	struct guest_run *r;
	me(&r);
	int *ctl = (int *)(uintptr_t)a[0];
	*ctl = ONCE_DONE;
	struct gobj *g = guest_obj_find(r, ctl);
	if (g != NULL)
		waitq_wake_all(&g->wq);
	return 0;
}

PRIM_DESC(desc_once, "pthread_once", h_once, 1, SA_UPTR);
PRIM_DESC(desc_once_done, "pthread_once_done", h_once_done, 1, SA_UPTR);

int __wrap_pthread_once(pthread_once_t *once, void (*fn)(void))
{
	GUEST_ENTER("pthread_once");
	int64_t run = syscall_invoke(&desc_once, (const int64_t[]){A(once)});
	GUEST_LEAVE();
	if (run == 1) {
		fn(); /* in user mode: its own calls are the guest's */
		gt_->kernel++;
		(void)syscall_invoke(&desc_once_done, (const int64_t[]){A(once)});
		GUEST_LEAVE();
	}
	return 0;
}

/* ---- thread-specific data ------------------------------------------------------------ */

int __wrap_pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	struct guest_run *r = guest_run_of(guest_self("pthread_key_create"));
	if (r == NULL)
		return EPERM;
	for (int k = 0; k < GUEST_KEYS_MAX; k++)
		if (!r->key_used[k]) {
			r->key_used[k] = true;
			r->key_dtor[k] = dtor;
			*key = (pthread_key_t)k;
			return 0;
		}
	return EAGAIN;
}

int __wrap_pthread_key_delete(pthread_key_t key)
{
	struct guest_run *r = guest_run_of(guest_self("pthread_key_delete"));
	if (r == NULL || key >= GUEST_KEYS_MAX || !r->key_used[key])
		return EINVAL;
	r->key_used[key] = false;
	r->key_dtor[key] = NULL;
	for (int i = 0; i < r->nthreads_cap; i++)
		if (r->threads[i] != NULL)
			r->threads[i]->tsd[key] = NULL;
	return 0;
}

void *__wrap_pthread_getspecific(pthread_key_t key)
{
	struct guest_thread *gt = guest_self("pthread_getspecific");
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL || key >= GUEST_KEYS_MAX || !r->key_used[key])
		return NULL;
	return gt->tsd[key];
}

int __wrap_pthread_setspecific(pthread_key_t key, const void *v)
{
	struct guest_thread *gt = guest_self("pthread_setspecific");
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL || key >= GUEST_KEYS_MAX || !r->key_used[key])
		return EINVAL;
	gt->tsd[key] = (void *)v;
	return 0;
}

/* ---- attributes, names, yield --------------------------------------------------------- */

int __wrap_pthread_attr_init(pthread_attr_t *a)
{
	memset(a, 0, sizeof(*a));
	struct attr *at = (void *)a;
	at->magic = ATTR_MAGIC;
	at->detach = PTHREAD_CREATE_JOINABLE;
	at->stacksize = GUEST_STACK_SIZE;
	return 0;
}

int __wrap_pthread_attr_destroy(pthread_attr_t *a)
{
	((struct attr *)(void *)a)->magic = 0;
	return 0;
}

int __wrap_pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	((struct attr *)(void *)a)->detach = state;
	return 0;
}

int __wrap_pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = ((const struct attr *)(const void *)a)->detach;
	return 0;
}

/* Every guest thread has GUEST_STACK_SIZE bytes of stack: the size is
 * kept for getstacksize, never used. */
int __wrap_pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < (size_t)PTHREAD_STACK_MIN)
		return EINVAL;
	((struct attr *)(void *)a)->stacksize = size;
	return 0;
}

int __wrap_pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = ((const struct attr *)(const void *)a)->stacksize;
	return 0;
}

/* Renames the simulated thread (reports use the name): Linux's limit of
 * 16 bytes with the NUL. */
int __wrap_pthread_setname_np(pthread_t th, const char *name)
{
	struct guest_run *r = guest_run_of(guest_self("pthread_setname_np"));
	struct guest_thread *t = r != NULL ? target_of(r, (int64_t)th) : NULL;
	if (t == NULL)
		return ESRCH;
	if (strlen(name) > 15)
		return ERANGE;
	snprintf(t->t->name, sizeof(t->t->name), "%s", name);
	return 0;
}

int __wrap_pthread_getname_np(pthread_t th, char *buf, size_t len)
{
	struct guest_run *r = guest_run_of(guest_self("pthread_getname_np"));
	struct guest_thread *t = r != NULL ? target_of(r, (int64_t)th) : NULL;
	if (t == NULL)
		return ESRCH;
	if (strlen(t->t->name) + 1 > len)
		return ERANGE;
	snprintf(buf, len, "%s", t->t->name);
	return 0;
}

static int64_t h_yield(const int64_t *a)
{
	(void)a;
	sim_yield(); /* a yield point: the policy prefers someone else */
	return 0;
}

PRIM_DESC(desc_yield, "sched_yield", h_yield, 0, SA_NONE);

int __wrap_sched_yield(void)
{
	GUEST_ENTER("sched_yield");
	(void)syscall_invoke(&desc_yield, NULL);
	GUEST_LEAVE();
	return 0;
}

const struct guest_call guest_calls_pthread[] = {
    GUEST_WRAP(pthread_create, "a simulated thread named after its start routine; runnable, "
			       "the policy decides when it first runs"),
    GUEST_WRAP(pthread_join, "EDEADLK for itself or a thread joining it"),
    GUEST_WRAP(pthread_detach, ""),
    GUEST_WRAP(pthread_exit, "from main: the process goes on until its last thread ends"),
    GUEST_WRAP(pthread_self, "pthread_t is the thread id"),
    GUEST_WRAP(pthread_once, "a switch point; the routine runs in the calling thread"),
    GUEST_WRAP(pthread_key_create, "at most 128 keys"),
    GUEST_WRAP(pthread_key_delete, ""),
    GUEST_WRAP(pthread_getspecific, ""),
    GUEST_WRAP(pthread_setspecific, ""),
    GUEST_WRAP(pthread_attr_init, ""),
    GUEST_WRAP(pthread_attr_destroy, ""),
    GUEST_WRAP(pthread_attr_setdetachstate, ""),
    GUEST_WRAP(pthread_attr_getdetachstate, ""),
    GUEST_WRAP(pthread_attr_setstacksize, "kept, not used: every guest thread has 256 KiB"),
    GUEST_WRAP(pthread_attr_getstacksize, ""),
    GUEST_WRAP(pthread_setname_np, "renames the simulated thread (reports show it)"),
    GUEST_WRAP(pthread_getname_np, ""),
    GUEST_WRAP(sched_yield, "a yield point: the policy prefers another thread"),
};
const int guest_calls_pthread_n = GUEST_NCALLS(guest_calls_pthread);
