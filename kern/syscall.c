/*
 * The system-call boundary: syscall_invoke() is the one definition of how
 * a call enters and leaves the kernel (the protocol is in kern/syscall.h),
 * and the registry of every stub's descriptor.
 *
 * Why the entry switch point comes before the entry event: the policy may
 * run another thread at the moment the caller traps, and the trace then
 * shows the call where it really starts executing in the kernel. The exit
 * event likewise precedes the exit switch point, so the result is on
 * record before anybody else runs.
 */
#include "kern/syscall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/umem.h"
#include "sim/access.h"
#include "sim/trace_fold.h"

#define SYSCALL_TABLES_MAX 32

struct syscall_table {
	const struct syscall_desc *const *descs;
	int n;
};
static struct syscall_table tables[SYSCALL_TABLES_MAX];
static int ntables;

static _Noreturn void registry_abort(const char *what, const char *name)
{
	fprintf(stderr, "simk: system-call registry: %s '%s'\n", what, name);
	abort();
}

void syscall_register_table(const struct syscall_desc *const *table, int n)
{
	for (int i = 0; i < ntables; i++)
		if (tables[i].descs == table)
			return;
	if (ntables >= SYSCALL_TABLES_MAX)
		registry_abort("too many tables, at", table[0]->name);
	for (int i = 0; i < n; i++) {
		const struct syscall_desc *d = table[i];
		if (d->nargs > SYSCALL_ARGS_MAX)
			registry_abort("too many arguments for", d->name);
		for (int k = 0; k < d->nargs; k++)
			if (d->arg[k] == SA_NONE || d->arg[k] >= SA_KIND_COUNT)
				registry_abort("bad argument kind in", d->name);
		if (syscall_find(d->name) != NULL)
			registry_abort("duplicate system call", d->name);
	}
	tables[ntables].descs = table;
	tables[ntables].n = n;
	ntables++;
}

int syscall_count(void)
{
	int n = 0;
	for (int i = 0; i < ntables; i++)
		n += tables[i].n;
	return n;
}

const struct syscall_desc *syscall_at(int i)
{
	for (int t = 0; t < ntables; t++) {
		if (i < tables[t].n)
			return i >= 0 ? tables[t].descs[i] : NULL;
		i -= tables[t].n;
	}
	return NULL;
}

const struct syscall_desc *syscall_find(const char *name)
{
	for (int t = 0; t < ntables; t++)
		for (int i = 0; i < tables[t].n; i++)
			if (strcmp(tables[t].descs[i]->name, name) == 0)
				return tables[t].descs[i];
	return NULL;
}

const struct syscall_desc *syscall_current(const struct simk_thread *t)
{
	return t != NULL ? t->syscall : NULL;
}

/* syscall_user_return, inline at the end of every system call */
static inline void user_return(struct simk_thread *t)
{
	KASSERT(t != NULL, "return to user mode outside a thread");
	KASSERT(t->syscall == NULL, "return to user mode inside %s()",
		((const struct syscall_desc *)t->syscall)->name);
	if (sig_pending(t, SIMK_SIGKILL))
		proc_thread_killed(SIMK_SIGKILL); /* the process dies of it (wait status) */
}

void syscall_user_return(struct simk_thread *t)
{
	user_return(t);
}

/* Step 1: the caller must be a simulated thread of a running simulation.
 * Returns the thread, or NULL after reporting (the caller returns -EPERM). */
static struct simk_thread *context_check(const struct syscall_desc *d)
{
	struct simk *s = sim_cur();
	if (s == NULL) {
		fprintf(stderr, "simk: simk_%s() called with no simulation (create one first)\n",
			d->name);
		return NULL;
	}
	if (s->current != NULL && !s->in_irq)
		return s->current;
	const char *where = s->in_irq ? "interrupt context" : "host context";
	if (!s->running) /* setup: nothing to unwind to; the run will not start */
		sim_fail_record(SIMK_FAIL_PANIC,
				"simk_%s() called outside a simulated thread (%s, before the run)",
				d->name, where);
	else
		sim_fail(SIMK_FAIL_PANIC, "simk_%s() called outside a simulated thread (%s)",
			 d->name, where);
	return NULL;
}

static bool is_user_address(uint8_t kind)
{
	return kind >= SA_UPTR && kind <= SA_SIGSET_PTR;
}

/* What the trace records: never a host address. Host pointers are 0;
 * user addresses of a guest's own memory (identity regions) are their
 * deterministic aliases (kern/umem.h). */
static void trace_args(const struct syscall_desc *d, struct simk_proc *p, const int64_t *args,
		       int64_t *out)
{
	for (int i = 0; i < d->nargs; i++) {
		if (d->arg[i] == SA_HOST)
			out[i] = 0;
		else if (is_user_address(d->arg[i]))
			out[i] = (int64_t)umem_trace_addr(p, (uaddr_t)args[i]);
		else
			out[i] = args[i];
	}
}

#define PATH_VIEW_MAX 128 /* bytes of a path argument the trace shows */

/* Appends the NUL-terminated string at user address a (cut at
 * PATH_VIEW_MAX bytes; "?" when unmapped) to buf. Reads through the
 * checked map: no fault point, no trace event, no state changes. */
static size_t peek_ustr(struct simk_proc *p, int64_t a, char *buf, size_t len)
{
	size_t n = 0;
	for (; n + 1 < len && n < PATH_VIEW_MAX; n++) {
		const char *c = umem_map_read(p, (uaddr_t)a + n, 1);
		if (c == NULL) {
			n = 0;
			buf[n++] = '?';
			break;
		}
		if (*c == '\0')
			break;
		buf[n] = *c;
	}
	buf[n] = '\0';
	return n;
}

/* The entry event's view fields: the path arguments' strings, captured
 * now (a kept trace is printed after user memory is gone), separated by
 * SYSCALL_VIEW_SEP, and the caller's source line. Only when someone looks
 * at the trace. */
static void entry_view(const struct syscall_desc *d, const int64_t *args, struct simk_thread *t,
		       struct trace_ev *ev)
{
	char strs[2 * PATH_VIEW_MAX + 4];
	size_t off = 0;
	bool any = false;
	for (int i = 0; i < d->nargs; i++) {
		if (d->arg[i] != SA_USTR)
			continue;
		if (any)
			strs[off++] = SYSCALL_VIEW_SEP;
		off += peek_ustr(t->proc, args[i], strs + off, sizeof(strs) - off - 1);
		any = true;
		if (off + PATH_VIEW_MAX + 2 > sizeof(strs))
			break;
	}
	strs[off] = '\0';
	if (any)
		ev->str = trace_intern(strs);
	struct sim_site site;
	if (sim_thread_site(t, &site) && site.line > 0 && site.line <= UINT16_MAX)
		ev->line = (uint16_t)site.line;
}

/* The entry event with its view fields, for someone who looks at the
 * trace. */
static __attribute__((noinline)) void trace_entry_viewed(const struct syscall_desc *d,
							 const int64_t *args,
							 struct simk_thread *t)
{
	struct trace_ev ev = {.type = TR_SYSCALL_ENTER, .name = d->name, .desc = d};
	trace_args(d, t->proc, args, ev.a);
	entry_view(d, args, t, &ev);
	trace_emit_ev(&ev);
}

/* The entry event. Its view fields are made only when someone looks at
 * the trace; else the arguments go to the trace as they are (zeroing an
 * event for the hash alone cost as much as hashing it). Inline in
 * syscall_invoke: the hash's case is a few instructions and a fold. */
static inline void trace_entry(const struct syscall_desc *d, const int64_t *args,
			       struct simk_thread *t)
{
	/* a trace that records nothing (its common case) is observed by nobody */
	if (__builtin_expect(sim_cur()->trace.record, 0) && trace_observed()) {
		trace_entry_viewed(d, args, t);
		return;
	}
	int64_t a[SYSCALL_ARGS_MAX];
	if (d->nargs != 0) /* a call without arguments (yield) skips the call */
		trace_args(d, t->proc, args, a);
	trace_emit_call_inline(TR_SYSCALL_ENTER, d->name, d->name_nh, d, a, d->nargs, t->tid);
}

static syscall_entry_hook_fn entry_hook;

void syscall_set_entry_hook(syscall_entry_hook_fn fn)
{
	entry_hook = fn;
}

struct handler_call {
	const struct syscall_desc *d;
	const int64_t *args;
	int64_t r;
};

static void *handler_on_kstack(void *p)
{
	struct handler_call *hc = p;
	hc->r = hc->d->fn(hc->args);
	return NULL;
}

/* The handler runs on the thread's kernel stack when its own stack is
 * shared (a forked guest: sim_kstack_call), so what it keeps on its
 * frames while it sleeps is not swapped away with the images. */
static int64_t call_handler(struct simk_thread *t, const struct syscall_desc *d,
			    const int64_t *args)
{
	if (!t->kstack_wanted)
		return d->fn(args);
	struct handler_call hc = {d, args, 0};
	(void)sim_kstack_call(handler_on_kstack, &hc);
	return hc.r;
}

int64_t syscall_invoke(const struct syscall_desc *d, const int64_t *args)
{
	KASSERT(d != NULL, "system call without a descriptor");
	KASSERT(d->nargs <= SYSCALL_ARGS_MAX, "%s: %d arguments", d->name, d->nargs);
	struct simk_thread *t = context_check(d);
	if (t == NULL)
		return -EPERM;
	const struct syscall_desc *outer = t->syscall;
	KASSERT(outer == NULL,
		"simk_%s() called inside %s() by thread %s: kernel code calls "
		"sys_%s or its internals, never a stub",
		d->name, outer->name, t->name, d->name);
	sched_point(PT_SYSCALL_ENTER);
	if (entry_hook != NULL)
		entry_hook(t);
	trace_entry(d, args, t);
	t->syscall = d;
	bool opaque = !(d->flags & SYSCALL_ANNOTATED);
	if (opaque)
		sim_opaque_enter();
	int64_t r = call_handler(t, d, args);
	if (opaque)
		sim_opaque_leave();
#ifdef SIMK_DEBUG_CHECKS
	/* the scheduler guarantees it (sim/sched.c: a thread's stack resumes
	 * only after switch_to or schedule made it current, and an
	 * interrupt's handler restores current); checked in the checking
	 * build only */
	KASSERT(t == sim_thread_current(), "%s() returned on another thread", d->name);
#endif
	KASSERT(!(d->flags & SYSCALL_NORETURN), "%s() returned", d->name);
	t->syscall = NULL;
	KASSERT(r >= -SYSCALL_ERRNO_MAX || (d->flags & SYSCALL_VALUE),
		"%s() returned %lld: neither a result nor an errno", d->name, (long long)r);
	/* a user address returned (aiowait's result block) is recorded as
	 * the arguments are: a guest's host address by its alias */
	int64_t tr = r > 0 && is_user_address(d->res) ? (int64_t)umem_trace_addr(t->proc, (uaddr_t)r)
						      : r;
	trace_emit_call_inline(TR_SYSCALL_EXIT, d->name, d->name_nh, d, &tr, 1, t->tid);
#ifdef SIMK_DEBUG_CHECKS
	sim_subsys_check(sim_cur());
#endif
	t->syscall_exits++;
	sched_point(PT_SYSCALL_EXIT);
	user_return(t);
	return r;
}
