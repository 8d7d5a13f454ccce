/*
 * <pthread.h>'s synchronisation for guests: mutexes (normal, error
 * checking, recursive; trylock, timedlock), condition variables (timed
 * waits on the virtual clock), read-write locks, barriers and spin locks.
 *
 * Every operation is one system call through the one entry path
 * (kern/syscall.h): traced with the object's address (its deterministic
 * alias), a switch point on each side — so explore tries the other
 * threads at every lock, unlock, wait and signal. The state lives in the
 * kernel (guest_objs.c); a sleeper names its object and the line of its
 * call in deadlock reports.
 *
 * Choices, where POSIX leaves them open (docs/guest.md, "Threads"):
 *  - unlock wakes one waiter and lets the lock be taken by whoever runs
 *    first (no hand-off), as glibc does: the woken thread may lose it;
 *  - unlocking a mutex the caller does not hold is EPERM for every type
 *    (glibc checks only error-checking and recursive ones);
 *  - relocking a normal mutex one holds deadlocks (reported as one);
 *  - condition variables have no spurious wake-ups; a signal with no
 *    waiter is lost (the lost wake-up exists to be found);
 *  - read-write locks prefer readers (glibc's default);
 *  - a bad object pointer fails the run naming the call, where Linux
 *    would crash.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guest/guest.h"
#include "guest/guest_objs.h"
#include "kern/syscall.h"
#include "simk/sim.h"

#define FAMILY "pthread.h"

#define NS 1000000000LL
#define NO_DEADLINE (-1)

/* ---- shared by every primitive ----------------------------------------------- */

/* The calling thread and its run, inside a handler. */
static struct guest_thread *me(struct guest_run **r)
{
	struct guest_thread *gt = guest_self("pthread");
	*r = guest_run_of(gt);
	return gt;
}

/* The kernel object of a guest object, checking its memory. */
static struct gobj *obj_of(struct guest_run *r, struct guest_thread *gt, const void *addr,
			   size_t size, enum gobj_kind kind)
{
	if (!guest_user_writable(r, addr, size))
		guest_fail(gt, "%s(%p): not an object in the guest's memory", gt->call, addr);
	struct gobj *g = guest_obj_get(r, addr, kind);
	if (g == NULL)
		sim_fail(SIMK_FAIL_PANIC, "guest: out of host memory for pthread objects");
	return g;
}

/* An absolute time (struct timespec in guest memory) as a deadline in
 * virtual ns: -EINVAL for a bad tv_nsec (POSIX), the run fails for a bad
 * pointer. */
static int64_t deadline_of(struct guest_run *r, struct guest_thread *gt, const void *abstime)
{
	const struct timespec *ts = abstime;
	if (!guest_user_readable(r, ts, sizeof(*ts)))
		guest_fail(gt, "%s(): the time is not in the guest's memory", gt->call);
	if (ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -EINVAL;
	if (ts->tv_sec < 0)
		return 0;
	if (ts->tv_sec > (time_t)(SIMK_VTIME_MAX / NS))
		return (int64_t)SIMK_VTIME_MAX + 1; /* never comes */
	return (int64_t)ts->tv_sec * NS + ts->tv_nsec;
}

/* The relative timeout to a deadline (SIMK_FOREVER for none). */
static uint64_t timeout_to(int64_t deadline)
{
	if (deadline == NO_DEADLINE)
		return SIMK_FOREVER;
	uint64_t now = sim_now();
	return (uint64_t)deadline > now ? (uint64_t)deadline - now : 0;
}

/* What a sleeper waits for, for deadlock reports: "mutex m held by
 * worker (tid 3)". */
static void note_wait(struct guest_thread *gt, const char *what, const void *addr, int holder)
{
	char obj[48];
	guest_describe_addr(addr, obj, sizeof(obj));
	struct simk_thread *h = holder > 0 ? sim_thread_by_tid(holder) : NULL;
	if (h != NULL)
		snprintf(gt->waits, sizeof(gt->waits), "waits for %s %s held by %s (tid %d)", what,
			 obj, h->name, holder);
	else
		snprintf(gt->waits, sizeof(gt->waits), "waits on %s %s", what, obj);
}

static int64_t prim(const struct syscall_desc *d, int64_t a0, int64_t a1, int64_t a2)
{
	const int64_t a[3] = {a0, a1, a2};
	return syscall_invoke(d, a);
}

#define A(p) ((int64_t)(uintptr_t)(p))
#define SITE ((uintptr_t)__builtin_return_address(0))

/* Descriptor of a primitive: subsystem "guest", not registered (it is
 * the runtime's, like the scenario primitives). */
#define PRIM_DESC(var, nm, handler, n, ...)                                                        \
	static const struct syscall_desc var = {                                                   \
	    .name = nm, .subsys = "guest", .fn = handler, .nargs = n, .arg = {__VA_ARGS__}}

/* ---- mutexes ------------------------------------------------------------------- */

static bool mutex_free(void *arg)
{
	return ((struct gobj *)arg)->u.m.owner == 0;
}

static struct gobj *mutex_of(struct guest_run *r, struct guest_thread *gt, pthread_mutex_t *m)
{
	bool fresh = guest_obj_find(r, m) == NULL;
	struct gobj *g = obj_of(r, gt, m, sizeof(*m), GOBJ_MUTEX);
	if (fresh) /* a static initializer says the type */
		g->u.m.type = m->__data.__kind & 3;
	return g;
}

/* Takes m for gt, waiting until deadline; 0 or -errno. */
static int mutex_acquire(struct guest_thread *gt, struct gobj *g, int64_t deadline)
{
	if (g->u.m.owner == gt->tid) {
		if (g->u.m.type == PTHREAD_MUTEX_RECURSIVE) {
			if (g->u.m.count == UINT32_MAX)
				return -EAGAIN;
			g->u.m.count++;
			return 0;
		}
		if (g->u.m.type == PTHREAD_MUTEX_ERRORCHECK)
			return -EDEADLK;
		/* a normal mutex: the thread waits for itself forever */
	}
	while (g->u.m.owner != 0) {
		note_wait(gt, "mutex", (void *)g->addr, g->u.m.owner);
		int w = guest_wait_killable(&g->wq, true, timeout_to(deadline), mutex_free, g);
		gt->waits[0] = '\0';
		if (w == -ETIMEDOUT || w == -EINTR)
			return w;
	}
	g->u.m.owner = gt->tid;
	g->u.m.count = 1;
	return 0;
}

static int mutex_release(struct guest_thread *gt, struct gobj *g)
{
	if (g->u.m.owner != gt->tid)
		return -EPERM;
	if (--g->u.m.count > 0)
		return 0;
	g->u.m.owner = 0;
	waitq_wake_one(&g->wq);
	return 0;
}

static int64_t h_mutex_lock(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	struct gobj *g = mutex_of(r, gt, (pthread_mutex_t *)(uintptr_t)a[0]);
	int64_t deadline = a[1];
	if (deadline < NO_DEADLINE)
		return deadline; /* a bad time */
	return mutex_acquire(gt, g, deadline);
}

static int64_t h_mutex_trylock(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	struct gobj *g = mutex_of(r, gt, (pthread_mutex_t *)(uintptr_t)a[0]);
	if (g->u.m.owner != 0 &&
	    !(g->u.m.owner == gt->tid && g->u.m.type == PTHREAD_MUTEX_RECURSIVE))
		return -EBUSY;
	return mutex_acquire(gt, g, NO_DEADLINE);
}

static int64_t h_mutex_unlock(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	return mutex_release(gt, mutex_of(r, gt, (pthread_mutex_t *)(uintptr_t)a[0]));
}

PRIM_DESC(desc_mutex_lock, "pthread_mutex_lock", h_mutex_lock, 1, SA_UPTR);
PRIM_DESC(desc_mutex_timedlock, "pthread_mutex_timedlock", h_mutex_lock, 2, SA_UPTR, SA_NS);
PRIM_DESC(desc_mutex_trylock, "pthread_mutex_trylock", h_mutex_trylock, 1, SA_UPTR);
PRIM_DESC(desc_mutex_unlock, "pthread_mutex_unlock", h_mutex_unlock, 1, SA_UPTR);

/* The POSIX functions return the error number (no errno). */
static int pthread_ret(int64_t r)
{
	return r < 0 ? (int)-r : 0;
}

#define PRIM_CALL(name, d, a0, a1, a2)                                                             \
	GUEST_ENTER(name);                                                                         \
	int64_t r_ = prim(&(d), (a0), (a1), (a2));                                                 \
	GUEST_LEAVE();                                                                             \
	return pthread_ret(r_)

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
	PRIM_CALL("pthread_mutex_lock", desc_mutex_lock, A(m), NO_DEADLINE, 0);
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
	PRIM_CALL("pthread_mutex_trylock", desc_mutex_trylock, A(m), 0, 0);
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
	PRIM_CALL("pthread_mutex_unlock", desc_mutex_unlock, A(m), 0, 0);
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	GUEST_ENTER("pthread_mutex_timedlock");
	struct guest_run *r = guest_run_of(gt_);
	int64_t deadline = r != NULL ? deadline_of(r, gt_, abstime) : -EPERM;
	int64_t res = prim(&desc_mutex_timedlock, A(m), deadline, 0);
	GUEST_LEAVE();
	return pthread_ret(res);
}

/* Not switch points: they touch no other thread's view (a mutex being
 * initialized or destroyed is not in use, or the program is wrong and the
 * call says so with EBUSY). */
int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	GUEST_ENTER("pthread_mutex_init");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL)
		return EPERM;
	if (!guest_user_writable(r, m, sizeof(*m)) ||
	    (attr != NULL && !guest_user_readable(r, attr, sizeof(*attr))))
		guest_fail(gt_, "pthread_mutex_init(%p): not an object in the guest's memory",
			   (void *)m);
	struct gobj *g = guest_obj_find(r, m);
	if (g != NULL && g->kind == GOBJ_MUTEX && (g->u.m.owner != 0 || waitq_active(&g->wq)))
		return EBUSY;
	int type = attr != NULL ? attr->__align : PTHREAD_MUTEX_NORMAL;
	memset(m, 0, sizeof(*m));
	m->__data.__kind = type;
	if (g != NULL)
		guest_obj_drop(r, g);
	return 0;
}

static int destroy_obj(const char *call, void *addr, size_t size, enum gobj_kind kind,
		       bool (*busy)(const struct gobj *g), uintptr_t site)
{
	struct guest_thread *gt = guest_self(call);
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL)
		return EPERM;
	gt->site = site;
	gt->call = call;
	if (!guest_user_writable(r, addr, size))
		guest_fail(gt, "%s(%p): not an object in the guest's memory", call, addr);
	struct gobj *g = guest_obj_find(r, addr);
	if (g == NULL || g->kind != kind)
		return 0;
	if (busy(g) || waitq_active(&g->wq))
		return EBUSY;
	guest_obj_drop(r, g);
	return 0;
}

static bool mutex_busy(const struct gobj *g)
{
	return g->u.m.owner != 0;
}

int __wrap_pthread_mutex_destroy(pthread_mutex_t *m)
{
	return destroy_obj("pthread_mutex_destroy", m, sizeof(*m), GOBJ_MUTEX, mutex_busy, SITE);
}

int __wrap_pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	memset(a, 0, sizeof(*a));
	a->__align = PTHREAD_MUTEX_NORMAL;
	return 0;
}

int __wrap_pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	(void)a;
	return 0;
}

int __wrap_pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_ERRORCHECK &&
	    type != PTHREAD_MUTEX_RECURSIVE && type != PTHREAD_MUTEX_DEFAULT)
		return EINVAL;
	a->__align = type;
	return 0;
}

int __wrap_pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->__align;
	return 0;
}

/* One process: shared and private are the same. */
int __wrap_pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared)
{
	(void)a;
	return pshared == PTHREAD_PROCESS_PRIVATE || pshared == PTHREAD_PROCESS_SHARED ? 0 : EINVAL;
}

int __wrap_pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared)
{
	(void)a;
	*pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

/* ---- condition variables ----------------------------------------------------------- */

struct cond_wait {
	struct gobj *c;
	uint64_t seq;
};

static bool cond_signalled(void *arg)
{
	struct cond_wait *w = arg;
	return w->c->u.c.seq != w->seq;
}

static int64_t h_cond_wait(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	pthread_cond_t *cv = (pthread_cond_t *)(uintptr_t)a[0];
	pthread_mutex_t *m = (pthread_mutex_t *)(uintptr_t)a[1];
	int64_t deadline = a[2];
	struct gobj *c = obj_of(r, gt, cv, sizeof(*cv), GOBJ_COND);
	struct gobj *g = mutex_of(r, gt, m);
	if (deadline < NO_DEADLINE)
		return deadline;
	if (g->u.m.owner != gt->tid)
		return -EPERM;
	unsigned holds = g->u.m.count;
	g->u.m.count = 1;
	struct cond_wait w = {c, c->u.c.seq};
	mutex_release(gt, g);
	note_wait(gt, "condition", cv, 0);
	int res = guest_wait_killable(&c->wq, true, timeout_to(deadline), cond_signalled, &w);
	gt->waits[0] = '\0';
	if (res == -EINTR)
		return -EINTR; /* killed: it does not take the mutex back */
	int got = mutex_acquire(gt, g, NO_DEADLINE);
	KASSERT(got == 0, "guest: cond_wait cannot retake its mutex (%d)", got);
	g->u.m.count = holds;
	return res == -ETIMEDOUT ? -ETIMEDOUT : 0;
}

static int64_t h_cond_signal(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	pthread_cond_t *cv = (pthread_cond_t *)(uintptr_t)a[0];
	struct gobj *c = obj_of(r, gt, cv, sizeof(*cv), GOBJ_COND);
	c->u.c.seq++;
	waitq_wake(&c->wq, a[1] ? 0 : 1, NULL);
	return 0;
}

PRIM_DESC(desc_cond_wait, "pthread_cond_wait", h_cond_wait, 2, SA_UPTR, SA_UPTR);
PRIM_DESC(desc_cond_timedwait, "pthread_cond_timedwait", h_cond_wait, 3, SA_UPTR, SA_UPTR, SA_NS);
PRIM_DESC(desc_cond_signal, "pthread_cond_signal", h_cond_signal, 1, SA_UPTR);
PRIM_DESC(desc_cond_broadcast, "pthread_cond_broadcast", h_cond_signal, 1, SA_UPTR);

int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	PRIM_CALL("pthread_cond_wait", desc_cond_wait, A(c), A(m), NO_DEADLINE);
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				  const struct timespec *abstime)
{
	GUEST_ENTER("pthread_cond_timedwait");
	struct guest_run *r = guest_run_of(gt_);
	int64_t deadline = r != NULL ? deadline_of(r, gt_, abstime) : -EPERM;
	int64_t res = prim(&desc_cond_timedwait, A(c), A(m), deadline);
	GUEST_LEAVE();
	return pthread_ret(res);
}

int __wrap_pthread_cond_signal(pthread_cond_t *c)
{
	GUEST_ENTER("pthread_cond_signal");
	const int64_t a[2] = {A(c), 0};
	int64_t r = syscall_invoke(&desc_cond_signal, a);
	GUEST_LEAVE();
	return pthread_ret(r);
}

int __wrap_pthread_cond_broadcast(pthread_cond_t *c)
{
	GUEST_ENTER("pthread_cond_broadcast");
	const int64_t a[2] = {A(c), 1};
	int64_t r = syscall_invoke(&desc_cond_broadcast, a);
	GUEST_LEAVE();
	return pthread_ret(r);
}

int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	(void)attr;
	GUEST_ENTER("pthread_cond_init");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL)
		return EPERM;
	if (!guest_user_writable(r, c, sizeof(*c)))
		guest_fail(gt_, "pthread_cond_init(%p): not an object in the guest's memory",
			   (void *)c);
	struct gobj *g = guest_obj_find(r, c);
	if (g != NULL && g->kind == GOBJ_COND && waitq_active(&g->wq))
		return EBUSY;
	memset(c, 0, sizeof(*c));
	if (g != NULL)
		guest_obj_drop(r, g);
	return 0;
}

static bool never_busy(const struct gobj *g)
{
	(void)g;
	return false;
}

int __wrap_pthread_cond_destroy(pthread_cond_t *c)
{
	return destroy_obj("pthread_cond_destroy", c, sizeof(*c), GOBJ_COND, never_busy, SITE);
}

int __wrap_pthread_condattr_init(pthread_condattr_t *a)
{
	memset(a, 0, sizeof(*a));
	return 0;
}

int __wrap_pthread_condattr_destroy(pthread_condattr_t *a)
{
	(void)a;
	return 0;
}

/* Both clocks are the virtual clock. */
int __wrap_pthread_condattr_setclock(pthread_condattr_t *a, clockid_t id)
{
	if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC)
		return EINVAL;
	a->__align = (int)id;
	return 0;
}

int __wrap_pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *id)
{
	*id = (clockid_t)a->__align;
	return 0;
}

/* ---- read-write locks ------------------------------------------------------------------ */

static bool rw_readable(void *arg)
{
	return ((struct gobj *)arg)->u.rw.writer == 0;
}

static bool rw_writable(void *arg)
{
	struct gobj *g = arg;
	return g->u.rw.writer == 0 && g->u.rw.readers == 0;
}

/* a[1]: 0 read, 1 write; a[2]: deadline, or -2 for try */
#define RW_TRY (-2)

static int64_t h_rwlock_lock(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	pthread_rwlock_t *l = (pthread_rwlock_t *)(uintptr_t)a[0];
	struct gobj *g = obj_of(r, gt, l, sizeof(*l), GOBJ_RWLOCK);
	bool write = a[1] != 0;
	int64_t deadline = a[2];
	if (deadline < RW_TRY)
		return deadline;
	bool (*ok)(void *) = write ? rw_writable : rw_readable;
	if (deadline == RW_TRY && !ok(g))
		return -EBUSY; /* glibc: a try never reports EDEADLK */
	if (g->u.rw.writer == gt->tid)
		return -EDEADLK;
	if (!ok(g)) {
		note_wait(gt, write ? "write lock" : "read lock", l, g->u.rw.writer);
		int w = guest_wait_killable(&g->wq, false, timeout_to(deadline), ok, g);
		gt->waits[0] = '\0';
		if (w == -ETIMEDOUT || w == -EINTR)
			return w;
	}
	if (write)
		g->u.rw.writer = gt->tid;
	else
		g->u.rw.readers++;
	return 0;
}

static int64_t h_rwlock_unlock(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	pthread_rwlock_t *l = (pthread_rwlock_t *)(uintptr_t)a[0];
	struct gobj *g = obj_of(r, gt, l, sizeof(*l), GOBJ_RWLOCK);
	if (g->u.rw.writer == gt->tid)
		g->u.rw.writer = 0;
	else if (g->u.rw.readers > 0)
		g->u.rw.readers--;
	else
		return -EPERM;
	waitq_wake_all(&g->wq);
	return 0;
}

PRIM_DESC(desc_rwlock_lock, "pthread_rwlock_lock", h_rwlock_lock, 3, SA_UPTR, SA_INT, SA_NS);
PRIM_DESC(desc_rwlock_unlock, "pthread_rwlock_unlock", h_rwlock_unlock, 1, SA_UPTR);

static int rw_call(const char *name, pthread_rwlock_t *l, int write, int64_t deadline,
		   uintptr_t site)
{
	struct guest_thread *gt = guest_self(name);
	gt->site = site;
	gt->call = name;
	gt->kernel++;
	int64_t r = prim(&desc_rwlock_lock, A(l), write, deadline);
	gt->kernel--;
	return pthread_ret(r);
}

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return rw_call("pthread_rwlock_rdlock", l, 0, NO_DEADLINE, SITE);
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return rw_call("pthread_rwlock_wrlock", l, 1, NO_DEADLINE, SITE);
}

int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	return rw_call("pthread_rwlock_tryrdlock", l, 0, RW_TRY, SITE);
}

int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	return rw_call("pthread_rwlock_trywrlock", l, 1, RW_TRY, SITE);
}

static int rw_timed(const char *name, pthread_rwlock_t *l, int write, const struct timespec *t,
		    uintptr_t site)
{
	struct guest_thread *gt = guest_self(name);
	struct guest_run *r = guest_run_of(gt);
	gt->site = site;
	gt->call = name;
	int64_t deadline = r != NULL ? deadline_of(r, gt, t) : -EPERM;
	if (deadline < 0 && deadline != NO_DEADLINE)
		return (int)-deadline;
	return rw_call(name, l, write, deadline, site);
}

int __wrap_pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *t)
{
	return rw_timed("pthread_rwlock_timedrdlock", l, 0, t, SITE);
}

int __wrap_pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *t)
{
	return rw_timed("pthread_rwlock_timedwrlock", l, 1, t, SITE);
}

int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	PRIM_CALL("pthread_rwlock_unlock", desc_rwlock_unlock, A(l), 0, 0);
}

int __wrap_pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
	(void)attr;
	GUEST_ENTER("pthread_rwlock_init");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL)
		return EPERM;
	if (!guest_user_writable(r, l, sizeof(*l)))
		guest_fail(gt_, "pthread_rwlock_init(%p): not an object in the guest's memory",
			   (void *)l);
	struct gobj *g = guest_obj_find(r, l);
	if (g != NULL && g->kind == GOBJ_RWLOCK &&
	    (g->u.rw.writer != 0 || g->u.rw.readers != 0 || waitq_active(&g->wq)))
		return EBUSY;
	memset(l, 0, sizeof(*l));
	if (g != NULL)
		guest_obj_drop(r, g);
	return 0;
}

static bool rw_busy(const struct gobj *g)
{
	return g->u.rw.writer != 0 || g->u.rw.readers != 0;
}

int __wrap_pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	return destroy_obj("pthread_rwlock_destroy", l, sizeof(*l), GOBJ_RWLOCK, rw_busy, SITE);
}

int __wrap_pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
	memset(a, 0, sizeof(*a));
	return 0;
}

int __wrap_pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
	(void)a;
	return 0;
}

/* ---- barriers ------------------------------------------------------------------------- */

struct barrier_wait {
	struct gobj *g;
	uint64_t generation;
};

static bool barrier_passed(void *arg)
{
	struct barrier_wait *w = arg;
	return w->g->u.b.generation != w->generation;
}

static int64_t h_barrier_wait(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	pthread_barrier_t *b = (pthread_barrier_t *)(uintptr_t)a[0];
	struct gobj *g = obj_of(r, gt, b, sizeof(*b), GOBJ_BARRIER);
	if (g->u.b.count == 0)
		guest_fail(gt, "pthread_barrier_wait(%p): the barrier was not initialized",
			   (void *)b);
	if (++g->u.b.arrived == g->u.b.count) {
		g->u.b.arrived = 0;
		g->u.b.generation++;
		waitq_wake_all(&g->wq);
		return 1; /* the serial thread (-1 would read as an errno) */
	}
	struct barrier_wait w = {g, g->u.b.generation};
	note_wait(gt, "barrier", b, 0);
	int k = guest_wait_killable(&g->wq, false, SIMK_FOREVER, barrier_passed, &w);
	gt->waits[0] = '\0';
	return k == -EINTR ? -EINTR : 0;
}

PRIM_DESC(desc_barrier_wait, "pthread_barrier_wait", h_barrier_wait, 1, SA_UPTR);

int __wrap_pthread_barrier_wait(pthread_barrier_t *b)
{
	GUEST_ENTER("pthread_barrier_wait");
	int64_t r = prim(&desc_barrier_wait, A(b), 0, 0);
	GUEST_LEAVE();
	return r == 1 ? PTHREAD_BARRIER_SERIAL_THREAD : pthread_ret(r);
}

int __wrap_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
				unsigned count)
{
	(void)attr;
	GUEST_ENTER("pthread_barrier_init");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL)
		return EPERM;
	if (count == 0)
		return EINVAL;
	if (!guest_user_writable(r, b, sizeof(*b)))
		guest_fail(gt_, "pthread_barrier_init(%p): not an object in the guest's memory",
			   (void *)b);
	struct gobj *g = guest_obj_get(r, b, GOBJ_BARRIER);
	if (g == NULL)
		return ENOMEM;
	if (waitq_active(&g->wq))
		return EBUSY;
	memset(&g->u, 0, sizeof(g->u));
	g->u.b.count = count;
	return 0;
}

static bool barrier_busy(const struct gobj *g)
{
	return g->u.b.arrived != 0;
}

int __wrap_pthread_barrier_destroy(pthread_barrier_t *b)
{
	return destroy_obj("pthread_barrier_destroy", b, sizeof(*b), GOBJ_BARRIER, barrier_busy,
			   SITE);
}

int __wrap_pthread_barrierattr_init(pthread_barrierattr_t *a)
{
	memset(a, 0, sizeof(*a));
	return 0;
}

int __wrap_pthread_barrierattr_destroy(pthread_barrierattr_t *a)
{
	(void)a;
	return 0;
}

/* ---- spin locks: mutexes that sleep (one CPU: spinning would never end) --------------- */

static int64_t h_spin_lock(const int64_t *a)
{
	struct guest_run *r;
	struct guest_thread *gt = me(&r);
	void *l = (void *)(uintptr_t)a[0];
	struct gobj *g = obj_of(r, gt, l, sizeof(pthread_spinlock_t), GOBJ_SPIN);
	if (a[1] == 2) { /* unlock */
		if (g->u.m.owner != gt->tid)
			return -EPERM;
		g->u.m.owner = 0;
		g->u.m.count = 0;
		waitq_wake_one(&g->wq);
		return 0;
	}
	if (g->u.m.owner != 0 && a[1] == 1)
		return -EBUSY; /* glibc: also when the caller holds it */
	if (g->u.m.owner == gt->tid)
		return -EDEADLK; /* glibc would spin for ever */
	g->u.m.type = PTHREAD_MUTEX_NORMAL;
	return mutex_acquire(gt, g, NO_DEADLINE);
}

PRIM_DESC(desc_spin_lock, "pthread_spin_lock", h_spin_lock, 2, SA_UPTR, SA_INT);

int __wrap_pthread_spin_lock(pthread_spinlock_t *l)
{
	PRIM_CALL("pthread_spin_lock", desc_spin_lock, A(l), 0, 0);
}

int __wrap_pthread_spin_trylock(pthread_spinlock_t *l)
{
	PRIM_CALL("pthread_spin_trylock", desc_spin_lock, A(l), 1, 0);
}

int __wrap_pthread_spin_unlock(pthread_spinlock_t *l)
{
	PRIM_CALL("pthread_spin_unlock", desc_spin_lock, A(l), 2, 0);
}

int __wrap_pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
	(void)pshared;
	GUEST_ENTER("pthread_spin_init");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL)
		return EPERM;
	if (!guest_user_writable(r, (const void *)l, sizeof(*l)))
		guest_fail(gt_, "pthread_spin_init(%p): not an object in the guest's memory",
			   (const void *)l);
	struct gobj *g = guest_obj_find(r, (const void *)l);
	if (g != NULL && g->kind == GOBJ_SPIN && g->u.m.owner != 0)
		return EBUSY;
	*l = 0;
	if (g != NULL)
		guest_obj_drop(r, g);
	return 0;
}

int __wrap_pthread_spin_destroy(pthread_spinlock_t *l)
{
	return destroy_obj("pthread_spin_destroy", (void *)l, sizeof(*l), GOBJ_SPIN, mutex_busy,
			   SITE);
}

const struct guest_call guest_calls_sync[] = {
    GUEST_WRAP(pthread_mutex_lock, "a switch point; relocking a normal mutex deadlocks"),
    GUEST_WRAP(pthread_mutex_trylock, ""),
    GUEST_WRAP(pthread_mutex_timedlock, "the deadline is on the virtual clock"),
    GUEST_WRAP(pthread_mutex_unlock, "EPERM for a mutex the caller does not hold (every type)"),
    GUEST_WRAP(pthread_mutex_init, "normal, error-checking, recursive"),
    GUEST_WRAP(pthread_mutex_destroy, "EBUSY while held or waited for"),
    GUEST_WRAP(pthread_mutexattr_init, ""),
    GUEST_WRAP(pthread_mutexattr_destroy, ""),
    GUEST_WRAP(pthread_mutexattr_settype, ""),
    GUEST_WRAP(pthread_mutexattr_gettype, ""),
    GUEST_WRAP(pthread_mutexattr_setpshared, "one process: no difference"),
    GUEST_WRAP(pthread_mutexattr_getpshared, ""),
    GUEST_WRAP(pthread_cond_wait, "no spurious wake-ups"),
    GUEST_WRAP(pthread_cond_timedwait, "the deadline is on the virtual clock"),
    GUEST_WRAP(pthread_cond_signal, "a signal nobody waits for is lost"),
    GUEST_WRAP(pthread_cond_broadcast, ""),
    GUEST_WRAP(pthread_cond_init, ""),
    GUEST_WRAP(pthread_cond_destroy, ""),
    GUEST_WRAP(pthread_condattr_init, ""),
    GUEST_WRAP(pthread_condattr_destroy, ""),
    GUEST_WRAP(pthread_condattr_setclock, "REALTIME and MONOTONIC: both the virtual clock"),
    GUEST_WRAP(pthread_condattr_getclock, ""),
    GUEST_WRAP(pthread_rwlock_rdlock, "readers are preferred (glibc's default)"),
    GUEST_WRAP(pthread_rwlock_wrlock, ""),
    GUEST_WRAP(pthread_rwlock_tryrdlock, ""),
    GUEST_WRAP(pthread_rwlock_trywrlock, ""),
    GUEST_WRAP(pthread_rwlock_timedrdlock, ""),
    GUEST_WRAP(pthread_rwlock_timedwrlock, ""),
    GUEST_WRAP(pthread_rwlock_unlock, ""),
    GUEST_WRAP(pthread_rwlock_init, ""),
    GUEST_WRAP(pthread_rwlock_destroy, ""),
    GUEST_WRAP(pthread_rwlockattr_init, ""),
    GUEST_WRAP(pthread_rwlockattr_destroy, ""),
    GUEST_WRAP(pthread_barrier_wait, ""),
    GUEST_WRAP(pthread_barrier_init, ""),
    GUEST_WRAP(pthread_barrier_destroy, ""),
    GUEST_WRAP(pthread_barrierattr_init, ""),
    GUEST_WRAP(pthread_barrierattr_destroy, ""),
    GUEST_WRAP(pthread_spin_lock, "sleeps instead of spinning (one CPU)"),
    GUEST_WRAP(pthread_spin_trylock, ""),
    GUEST_WRAP(pthread_spin_unlock, ""),
    GUEST_WRAP(pthread_spin_init, ""),
    GUEST_WRAP(pthread_spin_destroy, ""),
};
const int guest_calls_sync_n = GUEST_NCALLS(guest_calls_sync);
