/*
 * The simulation object: creation from options, the run, failure
 * handling, subsystem plug-ins and teardown. One simulation is current at
 * a time; everything in the engine reaches it through sim_cur().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/access.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "sim/policy.h"
#include "sim/trace_fold.h"

struct simk *sim_g_cur;
#define g_sim sim_g_cur

static const struct sim_subsys *subsys[SIM_SUBSYS_MAX];
static int nsubsys;

/* The slots that have each hook, in the order the hooks run: exits, end
 * and destroy in reverse registration order, leak checks and checks in
 * registration order. Built at registration, so that a run's loops (two
 * per thread and process) visit only the subsystems with the hook. Each
 * kind has two lists: every slot with the hook, and its eager slots only,
 * which is all a run walks until one of its lazy subsystems is made (most
 * runs make none: the lazy ones' hooks are then skipped unasked). */
enum hook_kind { HK_PROC_EXIT, HK_THREAD_EXIT, HK_END, HK_DESTROY, HK_LEAK, HK_CHECK, HK_COUNT };
struct hook_list {
	int8_t slot[SIM_SUBSYS_MAX];
	bool lazy[SIM_SUBSYS_MAX]; /* the slot's subsystem is lazy */
	int n;
};
static struct hook_list hooks[HK_COUNT], eager_hooks[HK_COUNT];

static void hook_list_add(struct hook_list *h, int slot, bool reverse)
{
	int at = reverse ? 0 : h->n;
	memmove(h->slot + at + 1, h->slot + at, (size_t)(h->n - at) * sizeof(h->slot[0]));
	memmove(h->lazy + at + 1, h->lazy + at, (size_t)(h->n - at) * sizeof(h->lazy[0]));
	h->slot[at] = (int8_t)slot;
	h->lazy[at] = subsys[slot]->lazy;
	h->n++;
}

static void hook_add(enum hook_kind k, bool has, int slot, bool reverse)
{
	if (!has)
		return;
	hook_list_add(&hooks[k], slot, reverse);
	if (!subsys[slot]->lazy)
		hook_list_add(&eager_hooks[k], slot, reverse);
}

/* The list of k's hooks that s walks. */
static inline const struct hook_list *hooks_of(const struct simk *s, enum hook_kind k)
{
	return s->lazy_made > 0 ? &hooks[k] : &eager_hooks[k];
}

struct simk *simk_current(void)
{
	return g_sim;
}

int sim_subsys_register(const struct sim_subsys *d)
{
	for (int i = 0; i < nsubsys; i++)
		if (subsys[i] == d)
			return i;
	if (nsubsys >= SIM_SUBSYS_MAX) {
		fprintf(stderr, "simk: more than %d subsystems registered (%s)\n", SIM_SUBSYS_MAX,
			d->name);
		abort();
	}
	subsys[nsubsys] = d;
	hook_add(HK_PROC_EXIT, d->proc_exit != NULL, nsubsys, true);
	hook_add(HK_THREAD_EXIT, d->thread_exit != NULL, nsubsys, true);
	hook_add(HK_END, d->end != NULL, nsubsys, true);
	hook_add(HK_DESTROY, d->destroy != NULL, nsubsys, true);
	hook_add(HK_LEAK, d->leak_check != NULL, nsubsys, false);
	hook_add(HK_CHECK, d->check != NULL, nsubsys, false);
	return nsubsys++;
}

/* Whether the hook of the k-th subsystem of h runs in s: an eager
 * subsystem's always, a lazy one's once its state exists. */
static inline bool hook_live(const struct simk *s, const struct hook_list *h, int k)
{
	return !h->lazy[k] || s->subsys[h->slot[k]] != NULL;
}

void sim_subsys_proc_exit(struct simk_proc *p)
{
	sim_assert_may_sleep("proc_exit hooks");
	const struct hook_list *h = hooks_of(g_sim, HK_PROC_EXIT);
	for (int k = 0; k < h->n; k++)
		if (hook_live(g_sim, h, k))
			subsys[h->slot[k]]->proc_exit(p);
}

void sim_subsys_thread_exit(struct simk_thread *t)
{
	sim_assert_thread_context("thread_exit hooks");
	const struct hook_list *h = hooks_of(g_sim, HK_THREAD_EXIT);
	for (int k = 0; k < h->n; k++)
		if (hook_live(g_sim, h, k))
			subsys[h->slot[k]]->thread_exit(t);
}

void sim_subsys_check(struct simk *s)
{
	const struct hook_list *h = hooks_of(s, HK_CHECK);
	for (int k = 0; k < h->n; k++)
		if (hook_live(s, h, k))
			subsys[h->slot[k]]->check(s);
}

/* Reserves the object ids of a lazy subsystem's create, in the place
 * (registration order) where an eager create would have taken them. */
static void subsys_reserve(struct simk *s, int i)
{
	s->subsys_oid_base[i] = s->obj_seq_host;
	s->obj_seq_host += subsys[i]->oids;
}

void *sim_subsys_make(struct simk *s, int slot)
{
	KASSERT(s != NULL, "subsystem state asked for outside a simulation");
	KASSERT(s == g_sim, "subsystem state asked for outside its simulation");
	KASSERT(slot >= 0 && slot < nsubsys, "subsystem slot %d", slot);
	const struct sim_subsys *d = subsys[slot];
	if (s->subsys[slot] != NULL || !d->lazy || s->subsys_gone)
		return s->subsys[slot];
	/* The create takes the ids reserved for it, as host objects (creator
	 * 0), whoever runs now. */
	uint32_t seq = s->obj_seq_host;
	bool making = s->subsys_making;
	s->obj_seq_host = s->subsys_oid_base[slot];
	s->subsys_making = true;
	int rc = d->create(s);
	uint32_t taken = s->obj_seq_host - s->subsys_oid_base[slot];
	s->subsys_making = making;
	s->obj_seq_host = seq;
	if (rc != 0 || s->subsys[slot] == NULL)
		sim_panic("subsystem %s failed to start", d->name);
	s->lazy_made++; /* its hooks run from now on (hooks_of) */
	KASSERT(taken == d->oids, "subsystem %s took %u object ids, declares %u", d->name, taken,
		d->oids);
	return s->subsys[slot];
}

void simk_opts_default(struct simk_opts *o)
{
	sim_zero(o, sizeof(*o));
	o->seed = 1;
	o->policy = SIMK_POLICY_FIFO;
	o->preempt_prob = 0.25;
	o->irq_prob = 0.5;
	o->pct_depth = 3;
	o->pct_steps = 0;
	o->max_steps = 10000000;
	o->step_cost_ns = SIMK_STEP_COST_DEFAULT_NS;
	o->stack_size = 64 * 1024;
}

static const struct sim_policy *policy_for(enum simk_policy p)
{
	switch (p) {
	case SIMK_POLICY_FIFO:
		return &policy_fifo;
	case SIMK_POLICY_RANDOM:
		return &policy_random;
	case SIMK_POLICY_PCT:
		return &policy_pct;
	case SIMK_POLICY_REPLAY:
		return &policy_replay;
	case SIMK_POLICY_DFS:
		return &policy_dfs;
	case SIMK_POLICY_GUIDE:
		return &policy_guide;
	}
	return NULL;
}

struct sim_pool sim_pools[SIM_POOLS];

/* The pool of blocks of size: its size class's, if it holds that size or
 * nothing (then, with claim, it is taken over for size: a scenario's run
 * block has the scenario's own size). NULL otherwise. */
static inline struct sim_pool *pool_of(size_t size, bool claim)
{
	struct sim_pool *p = &sim_pools[(size / 16) % SIM_POOLS];
	if (p->size == size)
		return p;
	if (!claim || p->n != 0)
		return NULL;
	p->size = size;
	return p;
}

void *sim_block_take_slow(size_t size)
{
	return sim_zalloc(size);
}

void sim_block_give_slow(void *b, size_t size)
{
	struct sim_pool *p = SIM_SPARE_MAX > 0 && b != NULL && size <= SIM_ZALLOC_CACHED_MAX
				 ? pool_of(size, true)
				 : NULL;
	if (p != NULL && p->n < SIM_SPARE_MAX)
		p->blk[p->n++] = b;
	else
		free(b);
}

struct simk_thread *sim_thread_block(void)
{
	return sim_block_take(sizeof(struct simk_thread));
}

/* known: name's copy and hash made once, or NULL. Inline in both entry
 * points: the named one's known is then a constant test. */
static inline __attribute__((always_inline)) struct simk_proc *
proc_create(const char *name, const struct sim_name *known, struct simk_proc *parent)
{
	struct simk *s = g_sim;
	if (s->nprocs >= SIM_MAX_PROCS)
		return NULL;
	if (s->nprocs == s->procs_cap) {
		int ncap = s->procs_cap ? s->procs_cap * 2 : 8;
		struct simk_proc **np = realloc(s->procs, (size_t)ncap * sizeof(*np));
		if (np == NULL)
			return NULL;
		s->procs = np;
		s->procs_cap = ncap;
	}
	struct simk_proc *p = sim_block_take(sizeof(*p));
	if (p == NULL)
		return NULL;
	sim_write(SIM_OID_PROCS); /* pids are handed out in creation order */
	p->pid = s->nprocs + 1;
	p->name_nh = sim_name_set(p->name, name, known);
	p->parent = parent;
	if (parent != NULL) {
		p->uid = parent->uid;
		p->gid = parent->gid;
	}
	list_init(&p->threads);
	s->procs[s->nprocs++] = p;
	trace_emit_line_nh(TR_PROC_START, p->name, p->name_nh, 0, p->pid, parent ? parent->pid : 0,
			   0);
	return p;
}

struct simk_proc *sim_proc_create_internal(const char *name, struct simk_proc *parent)
{
	return proc_create(name, NULL, parent);
}

struct simk_proc *sim_proc_create_named(const struct sim_name *name, struct simk_proc *parent)
{
	return proc_create(name->copy, name, parent);
}

struct simk_proc *simk_proc_create(struct simk *s, const char *name)
{
	(void)s;
	return sim_proc_create_internal(name, NULL);
}

struct simk_thread *simk_thread_create(struct simk_proc *p, const char *name, simk_thread_fn fn,
				       void *arg)
{
	return sim_thread_spawn(p, name, fn, arg, false);
}

int simk_thread_id(const struct simk_thread *t)
{
	return t->tid;
}

int simk_proc_id(const struct simk_proc *p)
{
	return p->pid;
}

static void sim_free_all(struct simk *s)
{
	/* First: queued events live inside threads and subsystem objects
	 * freed below, and eventq_free writes to each one. */
	eventq_free(&s->eq);
	s->subsys_gone = true; /* a lazy subsystem is not made now */
	const struct hook_list *h = hooks_of(s, HK_DESTROY);
	for (int k = 0; k < h->n; k++)
		if (hook_live(s, h, k))
			subsys[h->slot[k]]->destroy(s);
	fault_destroy(s);
	if (s->policy && s->policy->fini)
		s->policy->fini(s);
	for (int i = 0; i < s->nthreads; i++) {
		struct simk_thread *t = s->threads[i];
		if (t->ctx.stack.base != NULL)
			ctx_release(&t->ctx);
		sim_thread_stacks_free(t);
		sim_block_give(t, sizeof(*t));
	}
	sim_side_free(s);
	for (int i = 0; i < s->nprocs; i++)
		sim_block_give(s->procs[i], sizeof(*s->procs[i]));
	/* the tables of threads and processes go with the block (sim_free_simk) */
	trace_free(&s->trace);
	runq_free(s);
	free(s->decisions);
	ctx_release(&s->main_ctx);
}

/* The block of a simulation outlives it, for the next one: explore makes
 * one per run, and the block (larger than malloc's per-thread cache takes)
 * cost a slow malloc and free each time. Its tables of threads and
 * processes stay with it (emptied: nthreads and nprocs are 0). */
static struct simk *simk_spare;

static struct simk *sim_alloc_simk(void)
{
	struct simk *s = simk_spare;
	simk_spare = NULL;
	if (s == NULL)
		return calloc(1, sizeof(*s));
	struct simk_thread **threads = s->threads;
	struct simk_proc **procs = s->procs;
	int threads_cap = s->threads_cap, procs_cap = s->procs_cap;
	sim_zero(s, offsetof(struct simk, reason));
	s->reason[0] = '\0';
	s->threads = threads;
	s->threads_cap = threads_cap;
	s->procs = procs;
	s->procs_cap = procs_cap;
	return s;
}

static void sim_free_simk(struct simk *s)
{
	if (simk_spare == NULL) {
		simk_spare = s;
		return;
	}
	free(s->threads);
	free(s->procs);
	free(s);
}

_Static_assert(SIMK_STREAM_COUNT <= 8, "one bit of rng_seeded per stream");

struct rng *sim_rng_of(struct simk *s, enum simk_stream st)
{
	unsigned bit = 1u << st;
	if (!(s->rng_seeded & bit)) {
		/* the same state an eager seeding gave: a stream's values depend
		 * on the seed and its id only, never on when it is seeded */
		rng_seed(&s->rng[st], s->opts.seed, (uint64_t)st + 1);
		s->rng_seeded |= (uint8_t)bit;
	}
	return &s->rng[st];
}

struct simk *sim_create(const struct simk_opts *o, char *err, size_t errlen)
{
	char dummy[8];
	if (err == NULL) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (g_sim != NULL) {
		snprintf(err, errlen, "another simulation is still current");
		return NULL;
	}
	struct simk *s = sim_alloc_simk();
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->opts = *o;
	if (s->opts.stack_size == 0)
		s->opts.stack_size = 64 * 1024;
	if (s->opts.stack_size < 16 * 1024)
		s->opts.stack_size = 16 * 1024;
	if (s->opts.max_steps == 0)
		s->opts.max_steps = 10000000;
	s->policy = policy_for(o->policy);
	s->runq_unwatched =
	    s->policy != NULL && s->policy->runq_added == NULL && s->policy->runq_removed == NULL;
	if (s->policy == NULL || !(o->preempt_prob >= 0 && o->preempt_prob <= 1) ||
	    !(o->irq_prob >= 0 && o->irq_prob <= 1)) {
		snprintf(err, errlen, "bad scheduling options");
		sim_free_simk(s);
		return NULL;
	}
	if (o->step_cost_ns > SIMK_STEP_COST_MAX_NS) {
		snprintf(err, errlen, "step cost of %llu ns is above the limit of %llu ns",
			 (unsigned long long)o->step_cost_ns,
			 (unsigned long long)SIMK_STEP_COST_MAX_NS);
		sim_free_simk(s);
		return NULL;
	}
	s->preempt_threshold = rng_chance_threshold(o->preempt_prob);
	(void)sim_rng_of(s, SIMK_STREAM_SCHED); /* the policies read it directly */
	eventq_init(&s->eq);
	runq_init(s);
	ctx_init_main(&s->main_ctx);
	trace_init(&s->trace, o->keep_trace, o->trace_keep_max, !o->trace_tail_off);
	g_sim = s;
	if (s->policy->init && s->policy->init(s, err, errlen) != 0) {
		s->policy = NULL;
		sim_free_all(s);
		sim_free_simk(s);
		g_sim = NULL;
		return NULL;
	}
	if (fault_create(s, err, errlen) != 0) {
		sim_free_all(s);
		sim_free_simk(s);
		g_sim = NULL;
		return NULL;
	}
	for (int i = 0; i < nsubsys; i++) {
		if (subsys[i]->lazy) {
			subsys_reserve(s, i);
			continue;
		}
		if (subsys[i]->create && subsys[i]->create(s) != 0) {
			snprintf(err, errlen, "subsystem %s failed to start", subsys[i]->name);
			sim_free_all(s);
			sim_free_simk(s);
			g_sim = NULL;
			return NULL;
		}
	}
	return s;
}

void simk_destroy(struct simk *s)
{
	if (s == NULL)
		return;
	KASSERT(!s->running, "destroy during the run");
	sim_free_all(s);
	sim_free_simk(s);
	if (g_sim == s)
		g_sim = NULL;
}

void sim_run_schedule(struct simk *s);

static void run_end_hooks(struct simk *s)
{
	if (s->ended)
		return;
	s->ended = true;
	KASSERT(s->current == NULL, "end hooks run in host context");
	const struct hook_list *h = hooks_of(s, HK_END);
	for (int k = 0; k < h->n; k++)
		if (hook_live(s, h, k))
			subsys[h->slot[k]]->end(s);
}

enum simk_outcome simk_run(struct simk *s)
{
	KASSERT(s == g_sim, "run of a simulation that is not current");
	s->running = true;
	if (setjmp(s->main_jmp) == 0) {
		sim_run_schedule(s);
		if (s->outcome == SIMK_PASS && !s->cut) {
			run_end_hooks(s);
			const struct hook_list *h = hooks_of(s, HK_LEAK);
			for (int k = 0; k < h->n && s->outcome == SIMK_PASS; k++) {
				char msg[400];
				int i = h->slot[k];
				if (hook_live(s, h, k) && subsys[i]->leak_check(s, msg, sizeof(msg))) {
					s->outcome = SIMK_FAIL_PANIC;
					snprintf(s->reason, sizeof(s->reason), "%s", msg);
				}
			}
			if (s->outcome == SIMK_PASS && s->policy->check_end != NULL &&
			    s->policy->check_end(s, s->reason, sizeof(s->reason)) != 0)
				s->outcome = SIMK_FAIL_PANIC;
		}
	}
	s->running = false;
	trace_stream_end(&s->trace); /* streaming ends with the run */
	trace_set_sink(&s->trace, NULL, NULL);
	if (s->opts.schedule_out != NULL && schedule_write(s, s->opts.schedule_out) != 0)
		s->schedule_errno = errno != 0 ? errno : EIO;
	return s->outcome;
}

static void record_failure(struct simk *s, enum simk_outcome o, const char *fmt, va_list ap)
{
	if (s->outcome == SIMK_PASS) {
		s->outcome = o;
		s->fail_tid = s->current != NULL ? s->current->tid : 0;
		vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
		/* the view shows where the failing thread is */
		struct trace_ev ev = {.type = TR_PANIC, .name = "sim:fail", .a = {o}};
		struct sim_site site;
		if (!s->in_irq && sim_thread_site(s->current, &site) && site.line > 0 &&
		    site.line <= UINT16_MAX)
			ev.line = (uint16_t)site.line;
		trace_emit_ev(&ev);
	}
	s->stop = true;
}

void sim_fail_record(enum simk_outcome o, const char *fmt, ...)
{
	struct simk *s = g_sim;
	KASSERT(s != NULL, "sim_fail_record without a simulation");
	va_list ap;
	va_start(ap, fmt);
	record_failure(s, o, fmt, ap);
	va_end(ap);
}

_Noreturn void sim_fail(enum simk_outcome o, const char *fmt, ...)
{
	struct simk *s = g_sim;
	va_list ap;
	va_start(ap, fmt);
	if (s == NULL) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		abort();
	}
	record_failure(s, o, fmt, ap);
	va_end(ap);
	s->in_irq = false;
	if (s->on_stack != NULL) {
		struct simk_thread *t = s->on_stack;
		s->on_stack = NULL;
		s->current = NULL;
		ctx_switch(&t->ctx, &s->main_ctx, 0);
		abort(); /* never resumed */
	}
	if (s->running)
		longjmp(s->main_jmp, 1);
	/* Outside a run (setup): nothing to unwind to. */
	fprintf(stderr, "simk: %s\n", s->reason);
	abort();
}

_Noreturn void sim_kassert_fail(const char *cond, const char *file, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_fail(SIMK_FAIL_PANIC, "KASSERT(%s) at %s:%d: %s", cond, file, line, msg);
}

void sim_record_decision(int64_t choice)
{
	struct simk *s = g_sim;
	if (s->opts.schedule_out == NULL && !s->opts.keep_decisions)
		return;
	if (s->ndecisions == s->decisions_cap) {
		size_t ncap = s->decisions_cap ? s->decisions_cap * 2 : 256;
		int64_t *nd = realloc(s->decisions, ncap * sizeof(*nd));
		if (nd == NULL)
			sim_panic("out of host memory for the decision log");
		s->decisions = nd;
		s->decisions_cap = ncap;
	}
	s->decisions[s->ndecisions++] = choice;
}

int sim_decide(enum simk_dfs_dim dim, uint32_t n)
{
	struct simk *s = g_sim;
	KASSERT(dim < SIMK_DIM_COUNT, "sim_decide: dimension %d with %u alternatives", (int)dim, n);
	KASSERT(n >= 1, "sim_decide: dimension %d with %u alternatives", (int)dim, n);
	KASSERT(n <= SIM_DECIDE_ALTS_MAX, "sim_decide: dimension %d with %u alternatives", (int)dim,
		n);
	if (s->policy->decide == NULL)
		return -1;
	int r = s->policy->decide(s, dim, n);
	if (r < 0)
		return -1;
	KASSERT((uint32_t)r < n, "policy %s decided %d of %u", s->policy->name, r, n);
	sim_record_decision(SIM_DECISION_DATA(dim, n, r));
	trace_emit(TR_DECISION, "sim:decide_data", r, n, dim, 1);
	return r;
}

uint32_t sim_latency_classes(void)
{
	struct simk *s = g_sim;
	return s->policy->latency_classes != NULL ? s->policy->latency_classes(s) : 0;
}

const int64_t *simk_decisions(const struct simk *s, size_t *n)
{
	*n = s->ndecisions;
	return s->decisions;
}

bool simk_run_was_cut(const struct simk *s)
{
	return s->cut;
}

uint64_t simk_trace_hash(const struct simk *s)
{
	return s->trace.hash;
}
uint64_t simk_switches(const struct simk *s)
{
	return s->switches;
}
uint64_t simk_steps(const struct simk *s)
{
	return s->steps;
}
uint64_t simk_vtime_ns(const struct simk *s)
{
	return s->now_ns;
}
const char *simk_failure_reason(const struct simk *s)
{
	return s->reason;
}
int simk_schedule_error(const struct simk *s)
{
	return s->schedule_errno;
}

uint64_t simk_seed(const struct simk *s)
{
	return s->opts.seed;
}
