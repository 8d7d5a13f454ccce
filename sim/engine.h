/*
 * Engine internals shared by sim/ and kern/: the simulation object, the
 * simulated thread and process, assertions and panics.
 *
 * Context rules: "thread context" means the caller runs on a simulated
 * thread's stack (sim_cur()->current != NULL, not in an interrupt);
 * "interrupt context" is a timed-event handler. Sleeping from interrupt
 * context, or while holding a spinlock, is a simulated kernel panic.
 */
#ifndef SIMK_ENGINE_H
#define SIMK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>

#include "simk/sim.h"
#include "sim/ctx.h"
#include "sim/eventq.h"
#include "sim/rng.h"
#include "sim/trace.h"

#define SIMK_FOREVER UINT64_MAX
/* The end of virtual time: 24 hours. The clock never passes it. Running
 * past it (compute, the cost of running) fails the run (panic); a thread
 * that would sleep past it with nothing else to do is a stall; a deadline
 * past it (a huge timeout) saturates and is never reached. It keeps every
 * sum of a time and a duration far from overflow (docs/determinism.md). */
#define SIMK_VTIME_MAX (24ull * 3600 * 1000000000)

/* t + d, saturated at SIMK_FOREVER ("never"): the deadline of a timeout
 * of d from t, whatever d is. */
static inline uint64_t sim_time_add(uint64_t t, uint64_t d)
{
	return d >= SIMK_FOREVER - t ? SIMK_FOREVER : t + d;
}
#define SIM_NAME_MAX 32
/* Threads per run (tids are not reused): simk's own limit, the same on
 * every host; a spawn past it fails the run naming it. */
#define SIM_MAX_THREADS 200000
#define SIM_MAX_PROCS 4096
/* Registered subsystems per host process; each owns one slot, the same
 * index in struct simk.subsys[] and struct simk_proc.subsys[]. */
#define SIM_SUBSYS_MAX 16

enum thread_state {
	TS_EMBRYO = 0,
	TS_RUNNABLE,
	TS_RUNNING,
	TS_SLEEPING, /* prepared or blocked; waits for thread_wake() */
	TS_ZOMBIE,
};

/* Kind of switch point, recorded with each decision. */
enum point_kind {
	PT_PREEMPT = 0, /* preempt_point(): may continue */
	PT_SYSCALL_ENTER,
	PT_SYSCALL_EXIT,
	PT_YIELD, /* explicit yield: prefers switching */
	PT_BLOCK, /* current thread sleeps: must switch */
	PT_EXIT,  /* current thread exited: must switch */
	PT_START, /* first decision of the run */
	PT_KIND_COUNT
};

struct simk_proc;

struct list_node {
	struct list_node *prev, *next;
};

struct simk_thread {
	int tid;
	char name[SIM_NAME_MAX];
	uint64_t name_nh; /* hash_str(name): its start and exit events carry it */
	struct simk_proc *proc;
	enum thread_state state;
	bool daemon; /* kernel worker: does not keep the run alive */
	struct ctx ctx;
	simk_thread_fn fn;
	void *arg;
	struct list_node rq; /* runnable queue link */
	size_t rq_seq;       /* its slot in s->rqi while runnable (sim/runq.c) */
	struct list_node pl; /* process thread-list link */
	/* sleep */
	const char *wchan;
	uint64_t sleep_since_ns;
	bool interruptible;
	bool sleep_prepared; /* between prepare and sleep, or blocked */
	int wake_result;
	struct sim_event timeout_ev;
	/* context limits */
	int spinlocks_held;
	int preempt_off;
	/* signals (kern/signal.c) */
	uint64_t sigpending;
	uint64_t sigmask;
	/* pct */
	uint64_t pct_prio;
	int pct_heap; /* index in pct's heap of runnable threads, -1 when out */
	/* join */
	int exit_code;
	bool joined;
	void *join_wq; /* struct waitq *, lazily created by kern */
	void *scn;     /* per-thread state of the scenario interpreter */
	/* the system-call boundary (kern/syscall.c); opaque here */
	const void *syscall;	/* descriptor of the call in progress, or NULL */
	uint64_t syscall_exits; /* calls returned so far (statement boundaries) */
	struct list_node mutexes_held; /* kern: the mutexes it owns (struct mutex.held) */
	/* dfs: access annotations (sim/access.h) */
	bool annotated;   /* its accesses are annotated (else every step is global) */
	int opaque;       /* depth of unannotated kernel code it runs */
	uint32_t obj_seq; /* object ids made by this thread */
	/* kernel calls on a stack of their own (sim/side.c, sim_kstack_call) */
	bool kstack_wanted;	    /* its stack is shared: kernel frames must not be on it */
	struct ctx_stack kstack;    /* allocated on first use */
	struct ctx_stack ustack;    /* its own stack while it runs on kstack */
	void *kcall_usp;	    /* lowest address of its own stack in use then, or NULL */
};

struct simk_proc {
	int pid;
	char name[SIM_NAME_MAX];
	uint64_t name_nh; /* hash_str(name), as a thread's */
	int uid, gid;
	struct simk_proc *parent;
	struct list_node threads;
	int nthreads_live;
	bool exited;
	int exit_status;
	uint64_t sigpending;
	uint64_t sigignore; /* signals set to SIG_IGN */
	void *fdtable;		      /* owned by vfs/ */
	void *umem;		      /* owned by kern/umem */
	void *subsys[SIM_SUBSYS_MAX]; /* per-process state, by subsystem slot */
};

struct sim_policy;

/* Position index of the runnable queue (sim/runq.c). */
struct runq_index {
	struct simk_thread **slots; /* by sequence number - the renumbering base */
	int32_t *fen;		    /* Fenwick tree of slot occupancy */
	size_t cap, next;	    /* slots; the next sequence number */
	bool on;		    /* built (more than RUNQ_INDEX_MIN were runnable) */
};

struct simk {
	uint8_t rng_seeded; /* bit 1 << stream: rng[stream] is seeded */
	uint64_t now_ns;
	struct eventq eq;
	struct simk_thread **threads; /* by tid - 1 */
	int nthreads, threads_cap;
	struct simk_proc **procs; /* by pid - 1 */
	int nprocs, procs_cap;
	struct simk_thread *current; /* running thread, NULL in irq/scheduler */
	bool in_irq;
	struct list_node runq;	/* runnable threads, FIFO (sim/runq.c) */
	int nrunnable;
	struct runq_index rqi;
	/* steps the scheduler's own structures took (run-queue index, pct's
	 * heap): O(decisions x log threads), counted for tests/unit/test_sched_work.c */
	uint64_t sched_work;
	int live_user_threads;
	struct simk_thread *on_stack; /* whose stack runs now (NULL = host) */
	struct simk_thread *reap;     /* exited thread whose stack awaits release */
	/* the side stack (sim/side.c): work done while a thread is suspended */
	struct {
		struct ctx ctx;
		void (*fn)(struct simk *s, void *arg);
		void *arg;
		struct ctx *to;		   /* resumed when fn returns */
		struct ctx_stack abandoned; /* a stack sim_thread_adopt left, freed after */
		bool hooked; /* the switch hook is asked in this run (sim_switch_hook_on) */
	} side;
	bool running, stop;
	enum simk_outcome outcome;
	int fail_tid; /* the thread running when the run failed (0: none, irq) */
	uint64_t switches;
	uint64_t steps;
	uint64_t ticks;     /* loop iterations with no switch point (sim_tick) */
	uint64_t idle_irqs; /* interrupts delivered with nothing runnable */
	uint64_t points[PT_KIND_COUNT]; /* sched_point calls by kind, taken or not */
	const struct sim_policy *policy;
	/* Set at the run's start (sim_run_schedule), for the switch points'
	 * common path: the policy only chooses (no point hook, no dfs
	 * recorder), and no decision is logged (schedule_out, keep_decisions). */
	bool points_plain, decisions_plain;
	/* both, and the policy is random: sched_point's inline case
	 * (point_fast) tests one flag for the three */
	bool points_random;
	/* rng_chance_threshold(opts.preempt_prob): the random policy's
	 * preemption chance as an integer compare (set by sim_create) */
	uint64_t preempt_threshold;
	/* The policy keeps no index of its own of the run queue (no
	 * runq_added, runq_removed): set with the policy (sim_create). */
	bool runq_unwatched;
	void *policy_state;
	/* decision log for --schedule-out */
	int64_t *decisions;
	size_t ndecisions, decisions_cap;
	int schedule_errno; /* writing opts.schedule_out failed (simk_schedule_error) */
	bool ended;	    /* end-of-run hooks have run */
	/* per-run subsystem state, by the slot sim_subsys_register() returned */
	void *subsys[SIM_SUBSYS_MAX];
	bool subsys_making; /* a lazy create runs: its ids are host ids */
	bool subsys_gone;   /* teardown began: no lazy create any more */
	int lazy_made;	    /* lazy subsystems made in this run */
	struct fault_state *faults;
	/* dfs: the step recorder (sim/dpor.h), NULL for other policies */
	struct dpor_rec *rec;
	uint32_t obj_seq_host; /* object ids made in setup and interrupts */
	bool cut;              /* the run was cut short: another path covers it */
	/* Last, and not zeroed when the block is reused for the next
	 * simulation (sim_alloc_simk): set before they are read (a third of
	 * the block, zeroed at every run of explore for nothing). */
	char reason[512];  /* "" until the run fails */
	jmp_buf main_jmp; /* failures on the host stack land here */
	struct simk_opts opts;		   /* copied from the caller's first */
	struct rng rng[SIMK_STREAM_COUNT]; /* through sim_rng_of: seeded at first use */
	struct trace trace;		   /* trace_init */
	struct ctx main_ctx;		   /* ctx_init_main */
	/* a lazy subsystem's first host object id minus one, reserved at
	 * create time (sim_subsys_need), for every lazy slot */
	uint32_t subsys_oid_base[SIM_SUBSYS_MAX];
};

/*
 * A subsystem plugs into every simulation through these callbacks. The
 * engine never calls a layer above it except through them.
 *  - create: allocate per-run state into s->subsys[slot] (host context;
 *    for a lazy subsystem, any context, at its first sim_subsys_need)
 *  - proc_exit: the last thread of p is exiting (thread context, may sleep)
 *  - thread_exit: t is exiting (thread context, t is current)
 *  - end: every user thread has exited; release kernel objects (host
 *    context, must not sleep) before the kmem leak check
 *  - destroy: free whatever is left (also after a failed run)
 *  - leak_check: returns non-zero and fills msg when the run leaked something
 *  - check: whole-structure consistency check (KASSERTs its invariants;
 *    any context, must not sleep, changes nothing). NULL if none. Run at
 *    every system-call exit when built with SIMK_DEBUG_CHECKS (the asan
 *    variant).
 */
struct sim_subsys {
	const char *name;
	int (*create)(struct simk *s);
	void (*proc_exit)(struct simk_proc *p);
	void (*thread_exit)(struct simk_thread *t);
	void (*end)(struct simk *s);
	void (*destroy)(struct simk *s);
	int (*leak_check)(struct simk *s, char *msg, size_t len);
	void (*check)(struct simk *s);
	/*
	 * Lazy: create runs at the first sim_subsys_need of the slot, not at
	 * simk_create, and none of the other hooks runs while the slot has no
	 * state. A run that never uses the subsystem (most scenarios use one
	 * or two) pays neither its allocation nor its exit hooks, end, leak
	 * check and destroy. Only for a subsystem whose hooks do nothing
	 * visible when it was never used, and whose state every use reaches
	 * through sim_subsys_need.
	 */
	bool lazy;
	/* Lazy: how many object ids (sim_obj_new) create takes. They are
	 * reserved at simk_create, in registration order, and the lazy create
	 * gets exactly those: the ids of every object — the subsystem's and
	 * everyone else's — are those of an eager create (the dfs search
	 * compares them), whenever and in whatever context it runs. */
	uint32_t oids;
};
/*
 * Registers d once per host process, before the first simulation, and
 * returns its slot: the index of its per-run state in s->subsys[] and of
 * its per-process state in p->subsys[]. Registering d again returns the
 * same slot. Registration order is the create order (and the reverse of
 * the exit, end and destroy order), so a layer registers after the layers
 * it uses. Registration is triggered from the top (the composition point,
 * syscalls/builtin.c), never by the engine.
 */
int sim_subsys_register(const struct sim_subsys *d);
/* s's per-run state of the subsystem at slot; NULL outside a simulation,
 * before its create, after its destroy, or if it never registered (slot
 * -1). */
static inline void *sim_subsys_state(const struct simk *s, int slot)
{
	return s != NULL && slot >= 0 ? s->subsys[slot] : NULL;
}
/* s's per-run state of a lazy subsystem, made now if this is its first
 * use in the run (s must be current; a failure outside a simulation).
 * For an eager one, its state. */
void *sim_subsys_make(struct simk *s, int slot);
static inline void *sim_subsys_need(struct simk *s, int slot)
{
	if (s != NULL && slot >= 0 && s->subsys[slot] != NULL)
		return s->subsys[slot];
	return sim_subsys_make(s, slot);
}
/* Run every registered subsystem's hook of that name: exit hooks in
 * reverse registration order (the exiting thread's context, may sleep),
 * checks in registration order. */
void sim_subsys_proc_exit(struct simk_proc *p);
void sim_subsys_thread_exit(struct simk_thread *t);
void sim_subsys_check(struct simk *s);

/*
 * The process switch hook (sim/side.c): a layer whose processes own host
 * memory at the same addresses (guest programs after fork: one image is
 * resident at a time) is told before a thread of another process runs.
 * needed says whether next needs it; swap then runs on the engine's side
 * stack, with every thread suspended (the outgoing one's registers saved
 * on its stack), so it may rewrite any thread's stack. One hook per host
 * process; NULL removes it.
 */
struct sim_switch_hook {
	bool (*needed)(struct simk *s, const struct simk_thread *next);
	void (*swap)(struct simk *s, struct simk_thread *next);
};
void sim_set_switch_hook(const struct sim_switch_hook *h);
/* From now on the current run's switches ask the hook (a run that never
 * needs it — a guest that never forks — pays nothing per switch). */
void sim_switch_hook_on(void);
/* Thread context: runs fn(s, arg) on the side stack while the calling
 * thread is suspended (its context saved: t->ctx.sp on its stack), then
 * resumes it; returns false. A copy of that context resumed by another
 * thread (sim_thread_adopt) returns true there. */
bool sim_thread_snapshot(void (*fn)(struct simk *s, void *arg), void *arg);
/* Thread context: the calling thread leaves its stack for good and
 * continues as the context saved at sp on stack (which it now holds: see
 * ctx_stack_share), as if it returned from sim_thread_snapshot. */
_Noreturn void sim_thread_adopt(const struct ctx_stack *stack, void *sp);
/* Engine-internal (sched.c): switches prev -> next through the hook when
 * it is needed; false when it is not (the caller switches itself). */
bool sim_switch_hooked(struct simk *s, struct simk_thread *prev, struct simk_thread *next,
		       bool prev_dying);
void sim_side_free(struct simk *s);
/* Thread context: fn(arg) on the calling thread's kernel stack when it
 * wants one (kstack_wanted: its stack is shared with another process's
 * thread and swapped with the images, so the kernel objects a sleeping
 * call keeps on its frames — wait-queue entries — must live elsewhere),
 * else right here. */
void *sim_kstack_call(void *(*fn)(void *), void *arg);
/* The lowest address of t's own stack in use while it is suspended. */
void *sim_thread_user_sp(const struct simk_thread *t);
/* Frees every stack of a thread that is gone (engine-internal). */
void sim_thread_stacks_free(struct simk_thread *t);

/* The engine's constructor: a simulation of the subsystems registered so
 * far. The embedding API's simk_create() registers the built-in ones
 * first. */
struct simk *sim_create(const struct simk_opts *o, char *err, size_t errlen);

/* The current simulation (one at a time per process). Inline: it is read
 * at every switch point and trace event. */
extern struct simk *sim_g_cur;
static inline struct simk *sim_cur(void)
{
	return sim_g_cur;
}

/* A zeroed thread block (sim/sim.c keeps those of past runs); NULL when
 * out of memory. sim_free_all gives it back. */
struct simk_thread *sim_thread_block(void);

/* Whether anyone looks at events beyond the hash (kept, or streamed):
 * views that cost something (capturing a path, a statement's line) are
 * only built then. Inline: asked at every decision and system call. */
static inline bool trace_observed(void)
{
	const struct simk *s = sim_cur();
	return s != NULL && (s->trace.keep || s->trace.sink != NULL);
}

/* memset(p, 0, n) through the C library's routine. For a constant n of a
 * few hundred bytes GCC expands memset inline as `rep stosq`, whose
 * start-up costs more than the library's vector stores at these sizes: it
 * took most of a spawn's time (a thread block) and much of a run's set-up
 * (docs/bench.md). The empty asm hides the constant. */
static inline void sim_zero(void *p, size_t n)
{
	__asm__("" : "+r"(n));
	memset(p, 0, n);
}

/* calloc for per-run state (every run makes a dozen such blocks): glibc's
 * calloc skips its per-thread cache; malloc and a memset take the fast
 * path. The empty asm hides where p came from: without it GCC folds the
 * malloc and the memset back into a calloc, and the blocks calloc never
 * takes from the cache fill it, so every free of their size went the slow
 * way as well. Blocks past the cache's sizes go to calloc: a large one is
 * fresh zero pages from the kernel, which calloc knows and a memset would
 * fault in and clear all at once (a block device's 8 MB media, every run:
 * make test spent more time in the host kernel than in simk). NULL when
 * out of memory. */
#define SIM_ZALLOC_CACHED_MAX 1024 /* glibc's per-thread cache: up to 1032 */
static inline void *sim_zalloc(size_t n)
{
	if (n > SIM_ZALLOC_CACHED_MAX)
		return calloc(1, n);
	void *p = malloc(n);
	__asm__("" : "+r"(p));
	if (p != NULL)
		sim_zero(p, n);
	return p;
}

/*
 * Per-run blocks (thread and process blocks, the subsystems' state and
 * first tables) outlive their run for the next one's: explore makes the
 * same few blocks at every run, and a malloc and a free of each cost more
 * than the work they hold. A pool per 16-byte size class, holding one size,
 * keeps up to SIM_SPARE_MAX blocks (a run spawns several threads). Only
 * blocks within malloc's per-thread cache sizes are kept: a larger one is
 * fresh zero pages from calloc, which a memset at every run would fault in.
 * Under ASan every block goes back to malloc, so a block used after its run
 * still shows.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SIM_SPARE_MAX 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_SPARE_MAX 0
#endif
#endif
#ifndef SIM_SPARE_MAX
#define SIM_SPARE_MAX 64
#endif
#define SIM_POOLS 64 /* size classes of 16 bytes: every kept size has its own */

struct sim_pool {
	size_t size; /* of the blocks in blk */
	int n;
	void *blk[SIM_SPARE_MAX > 0 ? SIM_SPARE_MAX : 1];
};
extern struct sim_pool sim_pools[SIM_POOLS]; /* sim/sim.c */
/* The paths of a first block of its size, a pool that holds another size,
 * and (give) a pool to claim or a block past the cache's sizes. */
void *sim_block_take_slow(size_t size);
void sim_block_give_slow(void *b, size_t size);

/* A zeroed block of size bytes for per-run state (sim_zalloc), and its
 * release: the block is kept for the next run's request of that size (a
 * run's threads, processes and subsystems ask for the same blocks at every
 * run). Give only a block taken with the same size. Inline: a block its
 * pool holds is a pop or a push, the size class a constant at most
 * callers (a run takes and gives a dozen blocks). */
static inline void *sim_block_take(size_t size)
{
	struct sim_pool *p = &sim_pools[(size / 16) % SIM_POOLS];
	if (p->size != size || p->n == 0)
		return sim_block_take_slow(size);
	void *b = p->blk[--p->n];
	sim_zero(b, size);
	return b;
}
static inline void sim_block_give(void *b, size_t size)
{
	struct sim_pool *p = &sim_pools[(size / 16) % SIM_POOLS];
	if (b != NULL && p->size == size && p->n < SIM_SPARE_MAX)
		p->blk[p->n++] = b;
	else
		sim_block_give_slow(b, size);
}

/* Copies a name into a fixed buffer, cut to fit (a plain copy: names are
 * set at every spawn, and snprintf's machinery cost more than the rest). */
static inline void sim_name_copy(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	while (n + 1 < len && src[n] != '\0') {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}

/* sim_name_copy, returning hash_str of the copy (what the trace's memo
 * is given for a thread's or a process's name): one pass over the bytes. */
static inline uint64_t sim_name_copy_hash(char *dst, size_t len, const char *src)
{
	uint64_t h = HASH_STR_START;
	size_t n = 0;
	while (n + 1 < len && src[n] != '\0') {
		dst[n] = src[n];
		h = hash_str_step(h, (unsigned char)src[n]);
		n++;
	}
	dst[n] = '\0';
	return hash_str_finish(h);
}

/*
 * A thread's or process's name that is given at every run (a scenario's
 * declarations, its finally block): its copy, zero-padded, and the copy's
 * hash (sim_name_copy_hash's) made once, so that a spawn copies a fixed
 * SIM_NAME_MAX bytes (two stores) without reading the name byte by byte
 * (explore_small spent 300 instructions a run hashing five names).
 */
struct sim_name {
	char copy[SIM_NAME_MAX];
	uint64_t nh; /* hash_str of the copy */
};

static inline void sim_name_init(struct sim_name *n, const char *str)
{
	memset(n->copy, 0, sizeof(n->copy));
	n->nh = sim_name_copy_hash(n->copy, sizeof(n->copy), str);
}

/* Copies a thread's or a process's name into dst (SIM_NAME_MAX bytes),
 * known's when the caller has it, else name, and returns the copy's hash:
 * the start and exit events carry it (no look-up in the trace's memo). */
static inline uint64_t sim_name_set(char *dst, const char *name, const struct sim_name *known)
{
	if (known == NULL)
		return sim_name_copy_hash(dst, SIM_NAME_MAX, name);
	memcpy(dst, known->copy, SIM_NAME_MAX);
	return known->nh;
}

/* Lists (intrusive, circular). */
static inline void list_init(struct list_node *h)
{
	h->prev = h->next = h;
}
static inline bool list_empty(const struct list_node *h)
{
	return h->next == h;
}
static inline void list_insert_before(struct list_node *pos, struct list_node *n)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}
static inline void list_push_back(struct list_node *h, struct list_node *n)
{
	list_insert_before(h, n);
}
static inline void list_push_front(struct list_node *h, struct list_node *n)
{
	list_insert_before(h->next, n);
}
static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}
#define list_entry(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Failure reporting: these stop the run (never return in thread context;
 * in scheduler context they record the failure and set stop). */
_Noreturn void sim_fail(enum simk_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define sim_panic(...) sim_fail(SIMK_FAIL_PANIC, __VA_ARGS__)
/* Records a failure and stops the run, without unwinding: for host
 * context outside simk_run (setup), where sim_fail would have nothing to
 * return to. The first failure of a run wins; simk_run then returns it. */
void sim_fail_record(enum simk_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define KASSERT(cond, ...)                                                                         \
	do {                                                                                       \
		if (__builtin_expect(!(cond), 0))                                                  \
			sim_kassert_fail(#cond, __FILE__, __LINE__, __VA_ARGS__);                  \
	} while (0)
_Noreturn void sim_kassert_fail(const char *cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Threads and scheduling (sim/sched.c). */
/* NULL outside thread context. Inline: the system-call boundary and the
 * interpreter ask at every call. */
static inline struct simk_thread *sim_thread_current(void)
{
	struct simk *s = sim_cur();
	return s != NULL ? s->current : NULL;
}
static inline struct simk_proc *sim_proc_current(void)
{
	struct simk_thread *t = sim_thread_current();
	return t != NULL ? t->proc : NULL;
}
struct simk_thread *sim_thread_by_tid(int tid);
struct simk_proc *sim_proc_by_pid(int pid);
struct simk_thread *sim_thread_spawn(struct simk_proc *p, const char *name, simk_thread_fn fn,
				     void *arg, bool daemon);
/* sim_thread_spawn with a name made once (struct sim_name). */
struct simk_thread *sim_thread_spawn_named(struct simk_proc *p, const struct sim_name *name,
					   simk_thread_fn fn, void *arg, bool daemon);
_Noreturn void sim_thread_exit(int code);
/* Switch points (thread context). */
void preempt_point(void);
/* Counts one iteration of a loop that passes no switch point against the
 * step limit (a guard, not a switch point). Inline: a scenario's every
 * loop iteration counts one. */
_Noreturn void sim_tick_limit(void);
static inline void sim_tick(void)
{
	struct simk *s = sim_cur();
	if (__builtin_expect(++s->ticks > s->opts.max_steps, 0))
		sim_tick_limit();
}
/* Nesting section with no switch point (callbacks that run inside another
 * subsystem's loop, like poll listeners). Sleeping inside panics. */
void preempt_disable(void);
void preempt_enable(void);
void sched_point(enum point_kind kind);
void sim_yield(void);
/* Sleep protocol, race-free like Linux's set_current_state + schedule:
 * prepare, publish yourself where a waker finds you, re-check the
 * condition, then thread_sleep(). A wake between prepare and sleep makes
 * sleep return at once. Returns 0 (woken), -ETIMEDOUT or -EINTR (only when
 * interruptible and a signal is pending or arrives). */
void thread_prepare_sleep(const char *wchan, bool interruptible);
void thread_cancel_sleep(void);
int thread_sleep(uint64_t timeout_ns);
/* Wakes t if it sleeps (prepared or blocked) with result; any context. */
bool thread_wake(struct simk_thread *t, int result);
bool thread_signal_pending(const struct simk_thread *t);
/* Interrupts an interruptible sleep of t with -EINTR (signal delivery). */
void thread_interrupt(struct simk_thread *t);
bool sim_in_irq(void);
/* Contract checks: a comment that states a context is backed by one of
 * these (what names the caller in the panic, usually __func__).
 * may_sleep: thread context, no spinlock held, preemption enabled.
 * thread_context: on a simulated thread, not in an interrupt handler
 * (spinlocks may be held). */
_Noreturn void sim_assert_may_sleep_failed(const char *what);
_Noreturn void sim_assert_thread_context_failed(const char *what);
/* Inline: every thread's exit passes a few (its hooks' own checks). */
static inline void sim_assert_may_sleep(const char *what)
{
	const struct simk *s = sim_g_cur;
	const struct simk_thread *t = s != NULL && !s->in_irq ? s->current : NULL;
	if (__builtin_expect(t == NULL || t->spinlocks_held > 0 || t->preempt_off > 0, 0))
		sim_assert_may_sleep_failed(what);
}
static inline void sim_assert_thread_context(const char *what)
{
	const struct simk *s = sim_g_cur;
	if (__builtin_expect(s == NULL || s->in_irq || s->current == NULL, 0))
		sim_assert_thread_context_failed(what);
}
/* Explicit cost model: the running thread computes for ns of virtual time.
 * Past SIMK_VTIME_MAX the run fails (panic). */
void sim_advance(uint64_t ns);
uint64_t sim_now(void);
struct rng *sim_rng(enum simk_stream s);
/* Stream st of simulation s, seeded from the run's seed at its first use
 * (most runs draw from the scheduler's stream only: seeding the four cost
 * a fifth of simk_create). The scheduler's stream is seeded at create, so
 * the policies read s->rng[SIMK_STREAM_SCHED] directly. */
struct rng *sim_rng_of(struct simk *s, enum simk_stream st);

struct simk_proc *sim_proc_create_internal(const char *name, struct simk_proc *parent);
/* sim_proc_create_internal with a name made once (struct sim_name). */
struct simk_proc *sim_proc_create_named(const struct sim_name *name, struct simk_proc *parent);

/* Where a thread is in its program, for messages: the scenario
 * interpreter provides the file, line and column of the statement a
 * scenario thread runs (registered once per host process); false for a
 * thread running C code. */
struct sim_site {
	const char *file; /* lives as long as the program */
	int line, col;
};
typedef bool (*sim_site_fn)(const struct simk_thread *t, struct sim_site *out);
void sim_set_site_fn(sim_site_fn fn);
bool sim_thread_site(const struct simk_thread *t, struct sim_site *out);

/* Decision log: a thread id (0: an interrupt) per scheduling decision with
 * a choice, SIM_DECISION_DATA(dim, value) per data decision the policy
 * made (dfs, replay). */
void sim_record_decision(int64_t choice);
#define SIM_DECIDE_ALTS_MAX (1u << 20)
/* A data decision: value v of n alternatives in dimension dim. */
#define SIM_DECISION_DATA(dim, n, v)                                                               \
	(-1 - (((int64_t)(dim) << 48) | ((int64_t)(n) << 24) | (int64_t)(v)))
#define SIM_DECISION_IS_DATA(x) ((x) < 0)
#define SIM_DECISION_DIM(x) ((int)((-1 - (x)) >> 48))
#define SIM_DECISION_NALTS(x) ((uint32_t)(((-1 - (x)) >> 24) & 0xffffff))
#define SIM_DECISION_VALUE(x) ((uint32_t)((-1 - (x)) & 0xffffff))

/*
 * A data decision among n alternatives (a latency class, whether a fault
 * fires, a crash state). Returns the alternative the policy chose — dfs
 * enumerates them, replay reads them back — or -1: the caller draws the
 * value from its seeded stream, as every other policy does. Alternative 0
 * is the default (the common case: no fault, the fast class).
 */
int sim_decide(enum simk_dfs_dim dim, uint32_t n);
/* How many latency classes a device should offer the policy (then ask
 * sim_decide(SIMK_DIM_LATENCY, n)), or 0: draw the latency from the
 * DEVICE stream. */
uint32_t sim_latency_classes(void);

#endif
