/*
 * The scheduler: simulated threads, the runnable queue, switch points and
 * the sleep/wake protocol.
 *
 * One host thread runs everything. Threads switch directly to each other;
 * the host stack (main_ctx) only starts the run and receives control when
 * it ends. When the running thread blocks and nothing is runnable, the
 * idle work — jump the clock to the next timed event and deliver it — runs
 * on the blocked thread's own stack, with current cleared, so an interrupt
 * handler never runs "as" a thread.
 *
 * Invariant: a thread is on the runq iff its state is TS_RUNNABLE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/dpor.h"
#include "sim/engine.h"
#include "sim/policy.h"
#include "sim/policy_random.h"
#include "sim/trace_fold.h"

/* Liveness guard: picks of one switch point (runnable threads, due interrupts); past it the loop is a livelock bug. */
#define SCHED_ROUNDS_MAX 100000000ULL

struct simk_thread *sim_thread_by_tid(int tid)
{
	struct simk *s = sim_cur();
	if (tid < 1 || tid > s->nthreads)
		return NULL;
	return s->threads[tid - 1];
}

struct simk_proc *sim_proc_by_pid(int pid)
{
	struct simk *s = sim_cur();
	if (pid < 1 || pid > s->nprocs)
		return NULL;
	return s->procs[pid - 1];
}

bool sim_in_irq(void)
{
	return sim_cur()->in_irq;
}

uint64_t sim_now(void)
{
	return sim_cur()->now_ns;
}

struct rng *sim_rng(enum simk_stream st)
{
	return sim_rng_of(sim_cur(), st);
}

/* Releases the stack of a thread that exited; runs right after a switch,
 * on another stack. */
static void after_switch_in(struct simk *s)
{
	struct simk_thread *dead = s->reap;
	if (dead != NULL) {
		s->reap = NULL;
		ctx_release(&dead->ctx);
		sim_thread_stacks_free(dead);
	}
}

static void thread_entry(void *arg);

/* A thread gets its stack when it first runs: a run may spawn far more
 * threads than are ever alive at once. No stack is a host failure, said
 * loudly (the thread limit itself is SIM_MAX_THREADS, checked at spawn). */
static void stack_for(struct simk *s, struct simk_thread *t)
{
	if (ctx_stack_alloc(&t->ctx.stack, s->opts.stack_size) != 0)
		sim_panic("no host memory for the %zu-byte stack of thread %s (tid %d)",
			  s->opts.stack_size, t->name, t->tid);
	ctx_init(&t->ctx, thread_entry, t);
}

static void switch_to(struct simk *s, struct simk_thread *prev, struct simk_thread *next,
		      bool prev_dying)
{
	if (prev != NULL && !ctx_stack_intact(&prev->ctx.stack))
		sim_panic("thread %s (tid %d) overflowed its %zu-byte stack", prev->name,
			  prev->tid, prev->ctx.stack.size);
	if (next->ctx.stack.base == NULL)
		stack_for(s, next);
	s->current = next;
	s->on_stack = next;
	next->state = TS_RUNNING;
	s->switches++;
	/* the hook is asked only in runs that turned it on (a guest that forked) */
	if (!s->side.hooked || !sim_switch_hooked(s, prev, next, prev_dying))
		ctx_switch(prev ? &prev->ctx : &s->main_ctx, &next->ctx, prev_dying);
	/* resumed: whoever switched to us set current and state */
	after_switch_in(s);
}

/* Leaves the thread stacks for good: the run ended or failed. */
_Noreturn static void switch_to_main(struct simk *s, struct simk_thread *prev, bool dying)
{
	s->current = NULL;
	s->on_stack = NULL;
	ctx_switch(&prev->ctx, &s->main_ctx, dying);
	abort(); /* a thread left for main is never resumed */
}

/* idle: every thread is blocked (the clock may jump) */
static void deliver_irq(struct simk *s, bool idle)
{
	struct sim_event *head = eventq_peek(&s->eq);
	KASSERT(head != NULL, "no interrupt to deliver");
	if (s->rec != NULL) /* the interrupt's own step, before it leaves the queue */
		rec_begin(s, DPOR_IRQ, head->rec_armed_by,
			  idle		    ? STEP_BARRIER
			  : head->annotated ? 0
					    : STEP_GLOBAL);
	struct sim_event *ev = eventq_pop(&s->eq);
	if (ev->when_ns > s->now_ns)
		s->now_ns = ev->when_ns; /* the jump shows in the IRQ event's time */
	struct simk_thread *saved = s->current;
	s->current = NULL;
	s->in_irq = true;
	trace_emit(TR_IRQ, ev->name, 0, 0, 0, 0);
	ev->fn(ev);
	s->in_irq = false;
	s->current = saved;
}

static const char *state_name(enum thread_state st)
{
	switch (st) {
	case TS_EMBRYO:
		return "embryo";
	case TS_RUNNABLE:
		return "runnable";
	case TS_RUNNING:
		return "running";
	case TS_SLEEPING:
		return "sleeping";
	case TS_ZOMBIE:
		return "zombie";
	}
	return "?";
}

_Noreturn static void report_deadlock(struct simk *s, const char *what)
{
	char buf[sizeof(s->reason)];
	size_t off = 0;
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s:", what);
	int shown = 0;
	for (int i = 0; i < s->nthreads && off < sizeof(buf) - 1; i++) {
		struct simk_thread *t = s->threads[i];
		if (t->state != TS_SLEEPING || t->daemon)
			continue;
		off += (size_t)snprintf(
		    buf + off, sizeof(buf) - off, " %s(tid %d) sleeps on %s since %lluns;", t->name,
		    t->tid, t->wchan ? t->wchan : "?", (unsigned long long)t->sleep_since_ns);
		if (++shown >= 8)
			break;
	}
	buf[sizeof(buf) - 1] = '\0';
	sim_fail(SIMK_FAIL_DEADLOCK, "%s", buf);
}

_Noreturn static void step_limit(struct simk *s)
{
	sim_panic("step limit of %llu decisions reached at %llu ns: a thread keeps "
		  "running without ever waiting (a loop whose condition never "
		  "changes?); raise max_steps if it is meant to run this long",
		  (unsigned long long)s->opts.max_steps, (unsigned long long)s->now_ns);
}

/* note_decision when the decision is logged or someone reads the trace. */
static __attribute__((noinline)) void note_decision_full(struct simk *s,
							 struct simk_thread *self,
							 int32_t chosen, int ncand,
							 enum point_kind kind)
{
	if (s->opts.schedule_out != NULL || s->opts.keep_decisions)
		sim_record_decision(chosen);
	/* view: the line the deciding thread stands at (simk diff), looked up
	 * only when someone reads more than the hash */
	struct sim_site site;
	if (self != NULL && trace_observed() && sim_thread_site(self, &site) && site.line > 0 &&
	    site.line <= UINT16_MAX) {
		struct trace_ev ev = {.type = TR_DECISION,
				      .line = (uint16_t)site.line,
				      .name = "sim:decide",
				      .a = {chosen, ncand, kind}};
		trace_emit_ev(&ev);
	} else {
		trace_emit_decision(chosen, ncand, kind);
	}
}

/* A choice among ncand > 1 candidates: the decision log and the trace.
 * Most runs (explore's) log nothing and only hash it, which is
 * trace_emit_decision's fold inline (a trace that records nothing is also
 * observed by nobody); the rest take note_decision_full. cur_tid: the
 * current thread's (the thread of every event; 0: none). */
static inline void note_decision(struct simk *s, struct simk_thread *self, int32_t cur_tid,
				 int32_t chosen, int ncand, enum point_kind kind)
{
	if (__builtin_expect(s->decisions_plain && !s->trace.record, 1))
		trace_fold_decision(&s->trace, s->now_ns, cur_tid, chosen, ncand, kind);
	else
		note_decision_full(s, self, chosen, ncand, kind);
}

/*
 * The decision loop. self is the thread whose stack we are on (NULL for
 * the host stack at the start of a run). It returns when self runs again,
 * or, for the host stack, when the run is over.
 */
static void schedule(struct simk *s, struct simk_thread *self, enum point_kind kind)
{
	for (uint64_t guard = 0;; guard++) {
		KASSERT(guard < SCHED_ROUNDS_MAX, "scheduler loop does not converge");
		if (s->rec != NULL)
			rec_close(s); /* a switch point ends the step in progress */
		if (s->stop) {
			if (self == NULL)
				return;
			switch_to_main(s, self, kind == PT_EXIT);
		}
		bool can_continue = self != NULL && self->state == TS_RUNNING;
		struct sim_event *head = eventq_peek(&s->eq);
		bool irq_due = head != NULL && head->when_ns <= s->now_ns;
		int ncand = s->nrunnable + (can_continue ? 1 : 0) + (irq_due ? 1 : 0);
		if (ncand == 0) {
			if (s->live_user_threads == 0) {
				s->stop = true; /* every user thread is done */
				continue;
			}
			if (head == NULL)
				report_deadlock(s, "deadlock");
			if (head->when_ns > SIMK_VTIME_MAX)
				report_deadlock(s,
						"stall: the next timed event lies past the end of "
						"virtual time (24 h)");
			/* Interrupts with every thread asleep (a periodic timer
			 * nobody waits for) would otherwise run to the time limit. */
			if (++s->idle_irqs > s->opts.max_steps)
				report_deadlock(
				    s, "stall: interrupts keep firing while every thread sleeps");
			deliver_irq(s, true); /* jumps the clock */
			continue;
		}
		if (++s->steps > s->opts.max_steps)
			step_limit(s);
		struct pick p;
		if (s->policy->point != NULL) {
			p = s->policy->point(s, kind, can_continue ? self : NULL, irq_due, ncand);
			if (s->stop)
				continue; /* the policy ended the run here */
		} else if (ncand == 1) {
			p.irq = irq_due;
			p.t = irq_due ? NULL : (can_continue ? self : runq_first(s));
		} else {
			p = s->policy->choose(s, kind, can_continue ? self : NULL, irq_due, ncand);
		}
		KASSERT(p.irq ? irq_due : p.t != NULL, "policy %s made no valid choice",
			s->policy->name);
		if (ncand > 1)
			note_decision(s, self, s->current != NULL ? s->current->tid : 0,
				      p.irq ? 0 : p.t->tid, ncand, kind);
		if (p.irq) {
			deliver_irq(s, false);
			continue;
		}
		struct simk_thread *next = p.t;
		if (s->rec != NULL)
			rec_begin(s, next->tid, -1, 0);
		if (next == self) {
			if (self->state == TS_RUNNABLE)
				runq_del(s, self); /* woken while it ran the idle loop */
			self->state = TS_RUNNING;
			s->current = self;
			return;
		}
		runq_del(s, next);
		if (can_continue)
			runq_add(s, self);
		switch_to(s, self, next, kind == PT_EXIT);
		if (self == NULL)
			return; /* host stack: the run is over */
		return;
	}
}

/* The cost of the step that ends here. For the dfs search it is an add
 * to the clock: the costs of two steps commute (the clock ends the same
 * whichever ran first), and a step that reads the clock (arms a timer,
 * asks the time) is ordered against them. */
static inline __attribute__((always_inline)) void charge_step(struct simk *s)
{
	uint64_t ns = s->opts.step_cost_ns;
	sim_access(SIM_OID_CLOCK, SIM_ACC_ADD);
	if (ns > SIMK_VTIME_MAX - s->now_ns)
		sim_panic("virtual time limit (24 h) passed: %llu ns more at %llu ns",
			  (unsigned long long)ns, (unsigned long long)s->now_ns);
	s->now_ns += ns;
}

/* A switch of the running thread self to next at its switch point (the
 * decision is noted): out of line, so that sched_point's path that does not
 * switch saves no registers for it. */
static __attribute__((noinline)) void switch_from_running(struct simk *s, struct simk_thread *self,
							  struct simk_thread *next)
{
	runq_swap(s, next, self);
	switch_to(s, self, next, false);
}

/* The candidates at the switch point of self, running, with the step
 * counted; 0, before it counts or changes anything, when the point needs
 * the decision loop (the run stops, self no longer runs, an interrupt is
 * due). Shared by point_of_running and point_fast. */
static inline __attribute__((always_inline)) int running_candidates(struct simk *s,
								    struct simk_thread *self)
{
	if (s->stop || self->state != TS_RUNNING)
		return 0;
	const struct sim_event *head = eventq_peek(&s->eq);
	if (head != NULL && head->when_ns <= s->now_ns)
		return 0; /* an interrupt is a candidate */
	int ncand = s->nrunnable + 1;
	if (++s->steps > s->opts.max_steps)
		step_limit(s);
	return ncand;
}

/*
 * What schedule() does at a switch point of a running thread with no
 * interrupt due, for a policy that only chooses among candidates
 * (policy->point sees every point) and no dfs step to close: the same
 * candidates, the same choice, the same decision traced, without the
 * decision loop and its checks for the cases that cannot arise here. Most
 * switch points of a run (a dozen per system call) end here. False when
 * the point needs the loop.
 */
static inline bool point_of_running(struct simk *s, struct simk_thread *self, enum point_kind kind)
{
	int ncand = s->points_plain ? running_candidates(s, self) : 0;
	if (ncand == 0)
		return false;
	if (ncand == 1)
		return true; /* nothing else to run: it goes on */
	struct simk_thread *next = self;
	/* random's choice inline (most runs'); a policy that keeps the
	 * running thread is not asked (fifo) */
	if (s->policy == &policy_random)
		next = random_running(s, kind, self);
	else if (kind == PT_YIELD || !s->policy->keeps_running)
		next = s->policy->choose(s, kind, self, false, ncand).t;
	KASSERT(next != NULL, "policy %s made no valid choice", s->policy->name);
	note_decision(s, self, self->tid, next->tid, ncand, kind); /* self is current */
	if (next != self)
		switch_from_running(s, self, next);
	return true;
}

/* Every switch point that point_fast leaves (another policy, a decision
 * logged or recorded, an interrupt due, the dfs search, ...). */
static __attribute__((noinline)) void point_general(struct simk *s, struct simk_thread *self,
						    enum point_kind kind)
{
	if (!point_of_running(s, self, kind))
		schedule(s, self, kind);
}

/* sched_point while the dfs search records accesses (charge_step's is one),
 * out of line so that the other runs' path makes no call that returns. */
static __attribute__((noinline)) void point_recorded(struct simk *s, struct simk_thread *self,
						     enum point_kind kind)
{
	if (s->opts.step_cost_ns != 0)
		charge_step(s);
	point_general(s, self, kind);
}

/*
 * point_of_running's commonest case without a call that returns: the random
 * policy, at most one other runnable thread (its draw is the chance alone,
 * rng_below(1) draws nothing), no runqueue index, the decision only
 * hashed. The same candidates (running_candidates), the same draws
 * (random_running_of), the same fold; the switch itself out of line
 * (switch_from_running). False, before it changes anything, when the
 * point is not of this case.
 */
static inline bool point_fast(struct simk *s, struct simk_thread *self, enum point_kind kind)
{
	if (!s->points_random || s->nrunnable > 1 || s->rqi.on || s->trace.record)
		return false;
	int ncand = running_candidates(s, self);
	if (ncand == 0)
		return false;
	if (ncand == 1)
		return true; /* nothing else to run: it goes on */
	struct simk_thread *next = random_running_of(s, kind, self, 1); /* ncand == 2 */
	KASSERT(next != NULL, "policy %s made no valid choice", s->policy->name);
	trace_fold_decision(&s->trace, s->now_ns, self->tid, next->tid, ncand, kind);
	if (next != self)
		switch_from_running(s, self, next);
	return true;
}

void sched_point(enum point_kind kind)
{
	struct simk *s = sim_cur();
	struct simk_thread *self = s->current;
	s->points[kind]++;
	/* an interrupt's handler runs with current NULL (deliver_irq) */
	if (self == NULL || self->spinlocks_held > 0 || self->preempt_off > 0)
		return;
#ifdef SIMK_DEBUG_CHECKS
	KASSERT(!s->in_irq, "a switch point in interrupt context with a current thread");
#endif
	/* The cost model: the thread ran since its last switch point. Time
	 * moves while somebody runs, so a thread that polls (a loop with a
	 * yield) sees its timers and device interrupts come due, as on a
	 * real machine, instead of spinning at one instant forever. */
	if (__builtin_expect(sim_rec_active != NULL, 0)) {
		point_recorded(s, self, kind);
		return;
	}
	if (s->opts.step_cost_ns != 0)
		charge_step(s); /* its sim_access does nothing here */
	if (!point_fast(s, self, kind))
		point_general(s, self, kind);
}

void preempt_disable(void)
{
	struct simk_thread *t = sim_cur()->current;
	if (t != NULL)
		t->preempt_off++;
}

void preempt_enable(void)
{
	struct simk_thread *t = sim_cur()->current;
	if (t != NULL) {
		KASSERT(t->preempt_off > 0, "preempt_enable without preempt_disable");
		t->preempt_off--;
	}
}

void preempt_point(void)
{
	sched_point(PT_PREEMPT);
}

_Noreturn void sim_tick_limit(void)
{
	struct simk *s = sim_cur();
	sim_panic("step limit of %llu loop iterations without a switch point reached (a "
		  "loop on local variables that never ends?)",
		  (unsigned long long)s->opts.max_steps);
}

/* Named sim_yield, not sim_yield: a function of libc's name would
 * replace libc's for the whole host process (LeakSanitizer calls it). */
void sim_yield(void)
{
	sched_point(PT_YIELD);
}

void sim_run_schedule(struct simk *s)
{
	s->points_plain = s->rec == NULL && s->policy->point == NULL;
	s->decisions_plain = s->opts.schedule_out == NULL && !s->opts.keep_decisions;
	s->points_random = s->points_plain && s->decisions_plain && s->policy == &policy_random;
	schedule(s, NULL, PT_START);
}

/* sim_assert_thread_context's message, when the check failed */
void sim_assert_thread_context_failed(const char *what)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		sim_panic("%s: called outside a simulation", what);
	if (s->in_irq)
		sim_panic("%s: thread context required, called in interrupt context", what);
	if (s->current == NULL)
		sim_panic("%s: thread context required, called outside a thread", what);
	abort(); /* the inline test saw one of these */
}

/* sim_assert_may_sleep's message, when the check failed */
void sim_assert_may_sleep_failed(const char *what)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		sim_panic("%s: called outside a simulation", what);
	if (s->in_irq)
		sim_panic("%s: sleeping in interrupt context", what);
	struct simk_thread *t = s->current;
	if (t == NULL)
		sim_panic("%s: sleeping outside a thread", what);
	if (t->spinlocks_held > 0)
		sim_panic("%s: thread %s sleeps holding %d spinlock(s)", what, t->name,
			  t->spinlocks_held);
	if (t->preempt_off > 0)
		sim_panic("%s: thread %s sleeps with preemption disabled", what, t->name);
	abort(); /* the inline test saw one of these */
}

bool thread_signal_pending(const struct simk_thread *t)
{
	sim_read(SIM_OID(SIM_OID_THREAD, t->tid));
	sim_read(SIM_OID(SIM_OID_PROC_SIG, t->proc->pid));
	return ((t->sigpending | t->proc->sigpending) & ~t->sigmask) != 0;
}

void thread_prepare_sleep(const char *wchan, bool interruptible)
{
	struct simk *s = sim_cur();
	struct simk_thread *t = s->current;
	KASSERT(t != NULL, "prepare_sleep outside thread context");
	KASSERT(!s->in_irq, "prepare_sleep outside thread context");
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid)); /* a wake-up races with this */
	t->sleep_prepared = true;
	t->wchan = wchan;
	t->interruptible = interruptible;
	t->wake_result = 0;
	t->sleep_since_ns = s->now_ns;
}

void thread_cancel_sleep(void)
{
	struct simk_thread *t = sim_cur()->current;
	KASSERT(t != NULL, "cancel_sleep outside thread context");
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	t->sleep_prepared = false;
}

static void sleep_timeout_fired(struct sim_event *ev)
{
	thread_wake(ev->arg, -ETIMEDOUT);
}

int thread_sleep(uint64_t timeout_ns)
{
	struct simk *s = sim_cur();
	struct simk_thread *t = s->current;
	sim_assert_may_sleep(t && t->wchan ? t->wchan : "sleep");
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	if (!t->sleep_prepared)
		return t->wake_result; /* woken between prepare and sleep */
	if (t->interruptible && thread_signal_pending(t)) {
		t->sleep_prepared = false;
		return -EINTR;
	}
	if (timeout_ns == 0) {
		t->sleep_prepared = false;
		return -ETIMEDOUT;
	}
	t->state = TS_SLEEPING;
	trace_emit(TR_SLEEP, t->wchan ? t->wchan : "sleep",
		   (int64_t)(timeout_ns == SIMK_FOREVER ? -1 : (int64_t)timeout_ns), 0, 0, 0);
	if (timeout_ns != SIMK_FOREVER) {
		event_init(&t->timeout_ev, "sim:timeout", sleep_timeout_fired, t);
		event_schedule_in(&t->timeout_ev, timeout_ns);
	}
	schedule(s, t, PT_BLOCK);
	KASSERT(s->current == t, "thread %d resumed in a bad state", t->tid);
	KASSERT(t->state == TS_RUNNING, "thread %d resumed in a bad state", t->tid);
	return t->wake_result;
}

bool thread_wake(struct simk_thread *t, int result)
{
	struct simk *s = sim_cur();
	sim_write(SIM_OID(SIM_OID_THREAD, t->tid));
	if (!t->sleep_prepared)
		return false;
	t->sleep_prepared = false;
	t->wake_result = result;
	event_cancel(&t->timeout_ev);
	trace_emit(TR_WAKE, t->wchan ? t->wchan : "wake", t->tid, result, 0, 0);
	if (t->state == TS_SLEEPING) {
		sim_rec_enable(t->tid); /* its next step comes after this one */
		runq_add(s, t);
	}
	return true;
}

void thread_interrupt(struct simk_thread *t)
{
	if (t->sleep_prepared && t->interruptible)
		thread_wake(t, -EINTR);
}

void sim_advance(uint64_t ns)
{
	struct simk *s = sim_cur();
	sim_access(SIM_OID_CLOCK, SIM_ACC_ADD); /* advances commute; readers are ordered */
	if (ns > SIMK_VTIME_MAX - s->now_ns)
		sim_panic("virtual time limit (24 h) passed: %llu ns more at %llu ns",
			  (unsigned long long)ns, (unsigned long long)s->now_ns);
	s->now_ns += ns;
}

static void thread_entry(void *arg)
{
	struct simk_thread *t = arg;
	struct simk *s = sim_cur();
	after_switch_in(s);
	trace_emit_line_nh(TR_THREAD_START, t->name, t->name_nh, 0, t->proc->pid, 0, 0);
	t->fn(t->arg);
	sim_thread_exit(0);
}

/* known: name's copy and hash made once, or NULL. Inline in both entry
 * points: the named one's known is then a constant test. */
static inline __attribute__((always_inline)) struct simk_thread *
thread_spawn(struct simk_proc *p, const char *name, const struct sim_name *known, simk_thread_fn fn,
	     void *arg, bool daemon)
{
	struct simk *s = sim_cur();
	KASSERT(p != NULL, "spawn in an exited process");
	KASSERT(!p->exited, "spawn in an exited process");
	if (s->nthreads >= SIM_MAX_THREADS) {
		/* simk's own limit, the same on every host: a run that asks for
		 * more fails, naming it (in setup the caller says so) */
		if (s->running)
			sim_panic("thread limit: a run has at most %d threads (spawning %s)",
				  SIM_MAX_THREADS, name);
		return NULL;
	}
	if (s->nthreads == s->threads_cap) {
		int ncap = s->threads_cap ? s->threads_cap * 2 : 16;
		struct simk_thread **nt = realloc(s->threads, (size_t)ncap * sizeof(*nt));
		if (nt == NULL && s->running)
			sim_panic("no host memory for %d threads", ncap);
		if (nt == NULL)
			return NULL;
		s->threads = nt;
		s->threads_cap = ncap;
	}
	struct simk_thread *t = sim_thread_block();
	if (t == NULL && s->running)
		sim_panic("no host memory for thread %s", name);
	if (t == NULL)
		return NULL;
	t->tid = s->nthreads + 1;
	t->name_nh = sim_name_set(t->name, name, known);
	t->proc = p;
	t->fn = fn;
	t->arg = arg;
	t->daemon = daemon;
	list_init(&t->rq);
	list_init(&t->mutexes_held);
	event_init(&t->timeout_ev, "sim:timeout", sleep_timeout_fired, t);
	s->threads[s->nthreads++] = t; /* its stack comes when it first runs */
	list_push_back(&p->threads, &t->pl);
	p->nthreads_live++;
	if (!daemon)
		s->live_user_threads++;
	if (s->policy->thread_new)
		s->policy->thread_new(s, t);
	sim_write(SIM_OID_THREADS); /* thread ids are handed out in spawn order */
	sim_write(SIM_OID(SIM_OID_PROC_LIVE, p->pid)); /* no exit of p is the last now */
	sim_rec_enable(t->tid);
	t->state = TS_EMBRYO;
	runq_add(s, t);
	return t;
}

struct simk_thread *sim_thread_spawn(struct simk_proc *p, const char *name, simk_thread_fn fn,
				     void *arg, bool daemon)
{
	return thread_spawn(p, name, NULL, fn, arg, daemon);
}

struct simk_thread *sim_thread_spawn_named(struct simk_proc *p, const struct sim_name *name,
					   simk_thread_fn fn, void *arg, bool daemon)
{
	return thread_spawn(p, name->copy, name, fn, arg, daemon);
}

_Noreturn void sim_thread_exit(int code)
{
	struct simk *s = sim_cur();
	struct simk_thread *t = s->current;
	KASSERT(t != NULL, "thread exit outside thread context");
	KASSERT(!s->in_irq, "thread exit outside thread context");
	KASSERT(t->spinlocks_held == 0, "thread %s exits holding a spinlock", t->name);
	struct simk_proc *p = t->proc;
	/* dfs: exits of one process commute (a count going down), unless the
	 * exit code can become the process's status; what the last one does
	 * for the process is a step of its own, after all of them. */
	sim_access(SIM_OID(SIM_OID_PROC_LIVE, p->pid), code != 0 ? SIM_ACC_WRITE : SIM_ACC_ADD);
	t->exit_code = code;
	sim_subsys_thread_exit(t);
	sim_rec_exit(t->tid, p->pid, !t->daemon);
	if (p->nthreads_live == 1) {
		sim_rec_reaper_begin(p->pid);
		/* Last thread: the process's resources go first (may sleep). */
		sim_subsys_proc_exit(p);
		p->exited = true;
		if (p->exit_status == 0)
			p->exit_status = code;
		trace_emit_line_nh(TR_PROC_EXIT, p->name, p->name_nh, 0, p->pid, p->exit_status, 0);
	}
	p->nthreads_live--;
	if (!t->daemon)
		s->live_user_threads--;
	trace_emit_line_nh(TR_THREAD_EXIT, t->name, t->name_nh, 0, code, 0, 0);
	t->state = TS_ZOMBIE;
	s->reap = t;
	schedule(s, t, PT_EXIT);
	abort(); /* unreachable: a zombie never runs */
}

static sim_site_fn site_fn;

void sim_set_site_fn(sim_site_fn fn)
{
	site_fn = fn;
}

bool sim_thread_site(const struct simk_thread *t, struct sim_site *out)
{
	return site_fn != NULL && t != NULL && site_fn(t, out);
}

const char *sim_thread_state_name(const struct simk_thread *t)
{
	return state_name(t->state);
}

void simk_yield(void)
{
	sim_yield();
}

void simk_sleep_ns(uint64_t ns)
{
	thread_prepare_sleep("simk_sleep", false);
	(void)thread_sleep(ns == SIMK_FOREVER ? ns - 1 : ns);
}

uint64_t simk_now_ns(void)
{
	return sim_now();
}
