/*
 * The scenario interpreter: per-run state, and the loop that runs a
 * compiled thread body on its simulated thread.
 *
 * A run of a program gets one host allocation (struct scn_run): the
 * shared variables and the storage of every declared object. Threads keep
 * their locals in a frame on their own stack. Nothing here recurses: the
 * body loop walks flat code, and an expression is evaluated by a loop over
 * postfix code with an operand stack bounded at parse time.
 *
 * Switch points: a statement that reads or writes shared memory (a
 * shared variable or an element of a shared array) begins with
 * preempt_point() (its "boundary"), except that an operation call's own
 * syscall-entry point is its boundary, and the syscall-exit point of a call
 * serves as the boundary of the statement after it. So a race between
 * "test a flag" and "sleep" is always a place where the policy may switch;
 * a statement that touches only the thread's locals is not, since no other
 * thread could tell the difference (scn_parse.c drops its boundary). A loop
 * whose body has no switch point still counts its iterations against the
 * run's step limit (sim_tick). Every operation call is one system call
 * through kern/syscall.c; the interpreter learns that the call's exit
 * point was taken from the thread's count of returned system calls (an
 * operation that failed before entering the kernel leaves the next
 * statement its own boundary).
 *
 * For the dfs search, scenario threads are annotated (sim/access.h):
 * every read and write of shared memory is reported (by its slot in the
 * shared array, so each element of a shared array is an object of its
 * own), and an operation that does not annotate its own accesses
 * (scn_mark_annotated) makes the steps of its call global: a primitive's
 * inside the system call (scn_op_handler), an operation that makes a
 * system call itself from its user-side preparation on (its user memory
 * is kernel state the search does not see).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kern/syscall.h"
#include "sim/access.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "sim/trace_fold.h"
#include "scn/scn_internal.h"

static int scn_subsys_slot = -1; /* sim_subsys_register() */

struct scn_run {
	size_t bytes; /* of the block, with the shared words, calls and objects */
	const struct scn_prog *prog;
	int64_t *shared;
	char *objs;
	int ncreated; /* objects [0, ncreated) are live */
	bool finally_started;
	bool initial_checked; /* the properties saw the initial state */
	uint64_t *calls_run;  /* per call site: statements executed */
	struct scn_props_run props;
};


static struct scn_run *cur_run(void)
{
	struct simk *s = sim_cur();
	return sim_subsys_state(s, scn_subsys_slot);
}

static void *obj_of(const struct scn_run *r, int idx)
{
	return r->objs + r->prog->obj_off[idx];
}

_Noreturn void scn_call_fail(const struct scn_call *c, enum simk_outcome o, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_fail(o, "%s:%d:%d: %s", c->file, c->line, c->col, msg);
}

void scn_thread_started(struct scn_thread_obj *o, struct simk_thread *t)
{
	sim_write(o->oid);
	o->last_tid = t->tid;
	o->started++;
}

struct simk_proc *scn_proc_arg(const struct scn_val *v)
{
	if (v->given)
		return ((struct scn_proc_obj *)v->obj)->proc;
	struct simk *s = sim_cur();
	for (int i = 0; i < s->nprocs; i++)
		if (strcmp(s->procs[i]->name, "main") == 0)
			return s->procs[i];
	return NULL;
}

/* ---- expressions ---------------------------------------------------- */

/* Element i of array arr, or a panic naming the array and the site. */
static int64_t *elem_at(const struct scn_prog *p, int32_t arr, int64_t i, int64_t *locals,
			int64_t *shared, int line, int col)
{
	const struct scn_array *a = &p->arrays[arr];
	if (i < 0 || i >= a->len)
		sim_fail(SIMK_FAIL_PANIC,
			 "%s:%d:%d: index %" PRId64 " out of bounds of '%s' (length %d)", p->name,
			 line, col, i, a->name, (int)a->len);
	return a->local ? &locals[a->base + i] : &shared[a->base + i];
}

/* Set while a failed expectation's sides are evaluated again for its
 * message: the reads were traced by the test itself. */
static bool reads_untraced;

/* A read of shared memory: the value a check-then-act race decides on.
 * nh: the hash of the name, made at parse time. */
static void trace_read(const char *name, uint64_t nh, int64_t v, int64_t index, bool elem,
		       int line)
{
	if (reads_untraced)
		return;
	trace_emit_line_nh(TR_READ, name, nh, line, v, index, elem);
}

/* The read of shared variable `slot` by an expression: for dfs, then the
 * trace's event. */
static inline int64_t shared_read(const struct scn_prog *p, const int64_t *shared, int32_t slot,
				  int line)
{
	sim_read(SIM_OID(SIM_OID_SCN_VAR, slot));
	int64_t v = shared[slot];
	trace_read(p->shared[slot].name, p->shared[slot].name_nh, v, 0, false, line);
	return v;
}

/* noinline: the message buffer stays out of the evaluators' frames */
__attribute__((noinline)) static _Noreturn void
arith_failed(const struct scn_prog *p, const struct scn_einsn *in, int rc, int64_t b, int line)
{
	char msg[64];
	sim_fail(SIMK_FAIL_PANIC, "%s:%d:%d: %s", p->name, line, in->col,
		 scn_arith_error(rc, b, msg, sizeof(msg)));
}

/* a op b for the binary operator in, or the run's panic naming it. */
static inline int64_t binary(const struct scn_prog *p, const struct scn_einsn *in, int64_t a,
			     int64_t b, int line)
{
	int64_t v;
	int rc = scn_arith(in->op, a, b, &v);
	if (rc != 0)
		arith_failed(p, in, rc, b, line);
	return v;
}

/* The value of a leaf of an expression (E_CONST, E_LOCAL, E_SHARED), with
 * its read's effects: S_SET's operands. */
static inline int64_t operand(const struct scn_prog *p, const struct scn_einsn *in,
			      const int64_t *locals, const int64_t *shared, int line)
{
	switch (in->op) {
	case E_CONST:
		return in->val;
	case E_LOCAL:
		return locals[in->arg];
	default:
		KASSERT(in->op == E_SHARED, "scenario: S_SET operand op %d", in->op);
		return shared_read(p, shared, in->arg, line);
	}
}

int64_t scn_eval(const struct scn_prog *p, struct scn_expr e, const int64_t *locals,
		 const int64_t *shared, int line)
{
	int64_t st[SCN_EVAL_STACK_MAX + 1];
	int sp = 0;
	const struct scn_einsn *end = p->ecode + e.start + e.len;
	for (const struct scn_einsn *in = p->ecode + e.start; in < end; in++) {
		switch (in->op) {
		case E_CONST:
			st[sp++] = in->val;
			break;
		case E_LOCAL:
			st[sp++] = locals[in->arg];
			break;
		case E_SHARED:
			st[sp++] = shared_read(p, shared, in->arg, line);
			break;
		case E_NEG:
			st[sp - 1] = (int64_t)(0 - (uint64_t)st[sp - 1]);
			break;
		case E_NOT:
			st[sp - 1] = st[sp - 1] == 0;
			break;
		case E_BNOT:
			st[sp - 1] = (int64_t) ~(uint64_t)st[sp - 1];
			break;
		case E_AGET: {
			int64_t *x = elem_at(p, in->arg, st[sp - 1], (int64_t *)locals,
					     (int64_t *)shared, line, in->col);
			if (!p->arrays[in->arg].local) {
				sim_read(SIM_OID(SIM_OID_SCN_VAR, x - shared));
				trace_read(p->arrays[in->arg].name, p->arrays[in->arg].name_nh, *x,
					   st[sp - 1], true, line);
			}
			st[sp - 1] = *x;
			break;
		}
		case E_ALEN:
			st[sp++] = p->arrays[in->arg].len;
			break;
		case E_BOOL:
			st[sp - 1] = st[sp - 1] != 0;
			break;
		case E_AND:
			if (st[sp - 1] == 0)
				in += in->arg - 1; /* keep the 0; land past the BOOL */
			else
				sp--;
			break;
		case E_OR:
			if (st[sp - 1] != 0) {
				st[sp - 1] = 1;
				in += in->arg - 1;
			} else {
				sp--;
			}
			break;
		default:
			sp--;
			st[sp - 1] = binary(p, in, st[sp - 1], st[sp], line);
			break;
		}
#ifdef SIMK_DEBUG_CHECKS
		/* the parser bounds the depth (push_depth): checked per node only
		 * in the checking build, the loop being every expression's cost */
		KASSERT(sp >= 0, "scenario operand stack out of bounds");
		KASSERT(sp <= SCN_EVAL_STACK_MAX, "scenario operand stack out of bounds");
#endif
	}
	KASSERT(sp == 1, "scenario expression left %d operands", sp);
	return st[0];
}

/* ---- statements ----------------------------------------------------- */

static int64_t *var_ref(struct scn_run *r, struct scn_frame *fr, uint8_t vkind, int32_t var)
{
	KASSERT(vkind == V_LOCAL || vkind == V_SHARED, "scenario: variable kind %d", vkind);
	return vkind == V_LOCAL ? &fr->locals[var] : &r->shared[var];
}

/* dest_ref of an array's element: the index evaluated now, bounds checked. */
static int64_t *elem_dest(struct scn_run *r, struct scn_frame *fr, int32_t var,
			  struct scn_expr idx, const struct scn_insn *in, int64_t *index)
{
	*index = scn_eval(r->prog, idx, fr->locals, r->shared, in->line);
	return elem_at(r->prog, var, *index, fr->locals, r->shared, in->line, in->col);
}

/* Where a statement or an output argument stores: a variable, or element
 * idx of array var. Inline: a variable's case (most statements') is an
 * address. */
static inline int64_t *dest_ref(struct scn_run *r, struct scn_frame *fr, uint8_t vkind,
				int32_t var, struct scn_expr idx, const struct scn_insn *in,
				int64_t *index)
{
	if (vkind != V_ELEM)
		return var_ref(r, fr, vkind, var);
	return elem_dest(r, fr, var, idx, in, index);
}

int64_t scn_eval_quiet(const struct scn_prog *p, struct scn_expr e, const int64_t *locals,
		       const int64_t *shared, int line)
{
	bool was = reads_untraced;
	reads_untraced = true;
	int64_t v = scn_eval(p, e, locals, shared, line);
	reads_untraced = was;
	return v;
}

/* Whether a destination is shared memory (a store the properties check). */
static bool is_shared_dest(const struct scn_prog *p, uint8_t vkind, int32_t var)
{
	return vkind == V_SHARED || (vkind == V_ELEM && !p->arrays[var].local);
}

/* dfs: a store into shared memory (a variable or an array's element).
 * Inline: every assignment makes it, most into a variable. */
static inline __attribute__((always_inline)) void note_store(struct scn_run *r, uint8_t vkind,
							     int32_t var, int64_t index)
{
	const struct scn_prog *p = r->prog;
	if (vkind == V_SHARED)
		sim_write(SIM_OID(SIM_OID_SCN_VAR, var));
	else if (vkind == V_ELEM && !p->arrays[var].local)
		sim_write(SIM_OID(SIM_OID_SCN_VAR, p->arrays[var].base + index));
}

/* Traces the read of a compound assignment's destination (shared only). */
static void trace_dest_read(const struct scn_prog *p, uint8_t vkind, int32_t var, int64_t v,
			    int64_t index, int line)
{
	if (vkind == V_SHARED)
		trace_read(p->shared[var].name, p->shared[var].name_nh, v, 0, false, line);
	else if (vkind == V_ELEM && !p->arrays[var].local)
		trace_read(p->arrays[var].name, p->arrays[var].name_nh, v, index, true, line);
}

/* Traces the outcome of an if / while / elif test. */
static void trace_branch(const struct scn_insn *in, bool taken)
{
	static const char *const kinds[] = {"if", "while", "elif"};
	const char *name = in->aux >= 0 && in->aux < 3 ? kinds[in->aux] : "if";
	trace_emit_line(TR_BRANCH, name, in->line, taken, in->line, 0);
}

/* Traces a store into shared memory (a variable or an array's element). */
/* Inline: a call to the trace at each of its callers, the statement loop
 * and do_call. */
static inline __attribute__((always_inline)) void
trace_store(const struct scn_prog *p, uint8_t vkind, int32_t var, int64_t v, int64_t index,
	    int line)
{
	const char *name;
	uint64_t nh;
	if (vkind == V_SHARED) {
		name = p->shared[var].wname;
		nh = p->shared[var].wname_nh;
	} else if (vkind == V_ELEM && !p->arrays[var].local) {
		name = p->arrays[var].wname;
		nh = p->arrays[var].wname_nh;
	} else {
		return;
	}
	trace_emit_line_nh(TR_USER, name, nh, line, v, index, 0);
}

/* The end of an assignment (S_ASSIGN, S_SET): the store of v at dst, its
 * event, and the properties' check of a store into shared memory. */
static inline __attribute__((always_inline)) void
assign_store(struct scn_run *r, struct scn_frame *fr, const struct scn_insn *in, int64_t *dst,
	     int64_t v, int64_t index)
{
	const struct scn_prog *p = r->prog;
	*dst = v;
	trace_store(p, in->vkind, in->var, v, index, in->line);
	if (p->state_props && is_shared_dest(p, in->vkind, in->var))
		scn_props_check(&r->props, fr->locals, in->line, in->col);
}

/* noinline: its message buffer stays off the stack of every thread */
__attribute__((noinline)) static _Noreturn void expect_failed(struct scn_run *r, struct scn_frame *fr,
				    const struct scn_insn *in)
{
	const struct scn_prog *p = r->prog;
	const struct scn_expect *x = &p->expects[in->aux];
	char detail[300];
	size_t off = 0;
	detail[0] = '\0';
	if (x->cmp != NULL) {
		reads_untraced = true;
		int64_t a = scn_eval(p, x->left, fr->locals, r->shared, in->line);
		int64_t b = scn_eval(p, x->right, fr->locals, r->shared, in->line);
		reads_untraced = false;
		off += (size_t)snprintf(detail + off, sizeof(detail) - off,
					"%" PRId64 " %s %" PRId64, a, x->cmp, b);
	}
	for (int i = 0; i < x->nvars && off < sizeof(detail); i++) {
		int64_t v = *var_ref(r, fr, x->vkind[i], x->var[i]);
		off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%s%s=%" PRId64,
					off ? ", " : "", x->vname[i], v);
	}
	if (off > 0)
		sim_fail(SIMK_FAIL_EXPECT, "%s:%d:%d: expect failed: %s (%s)", p->name, in->line,
			 in->col, x->text, detail);
	sim_fail(SIMK_FAIL_EXPECT, "%s:%d:%d: expect failed: %s", p->name, in->line, in->col,
		 x->text);
}

int64_t scn_op_handler(const int64_t *a)
{
	(void)a; /* the traced copy; the operation takes its evaluated arguments */
	struct simk_thread *t = sim_thread_current();
	struct scn_frame *fr = t->scn;
	KASSERT(fr != NULL, "scenario primitive outside a statement (tid %d)", t->tid);
	KASSERT(fr->call != NULL, "scenario primitive outside a statement (tid %d)", t->tid);
	if (!fr->call_opaque)
		return fr->call->op->fn(fr->call);
	sim_opaque_enter();
	int64_t r = fr->call->op->fn(fr->call);
	sim_opaque_leave();
	return r;
}

/* The traced arguments of a primitive: values, objects by declaration,
 * -1 for an object or a duration that was omitted (printed "-"). */
static inline void primitive_args(const struct scn_op_desc *od, const struct scn_val *args,
				  int64_t *a)
{
	for (int k = 0; k < od->d.nargs; k++) {
		const struct scn_val *v = &args[od->argidx[k]];
		if (od->d.arg[k] == SA_SCN_OBJ)
			a[k] = v->given ? v->decl->index : -1;
		else if (od->d.arg[k] == SA_NS && !v->given)
			a[k] = -1; /* an omitted duration: never negative otherwise */
		else
			a[k] = v->i;
	}
}

/* The operation's call, its arguments made: a primitive as one system
 * call through its descriptor, an operation that makes its system call
 * itself directly. *exited: the call took its exit switch point. Inline
 * in do_call and call_bare. */
static inline __attribute__((always_inline)) int64_t
run_op(struct scn_run *r, struct scn_frame *fr, const struct scn_insn *in,
       const struct scn_callsite *cs, struct scn_call *c, bool *exited)
{
	const struct scn_op *op = cs->op;
	struct simk_thread *self = sim_thread_current();
	uint64_t exits = self->syscall_exits;
	int64_t res;
	fr->call = c;
	fr->call_opaque = !cs->annotated;
	r->calls_run[in->aux]++;
	if (op->flags & SCN_OP_SYSCALL) {
		if (fr->call_opaque)
			sim_opaque_enter();
		res = op->fn(c);
		if (fr->call_opaque)
			sim_opaque_leave();
	} else {
		int64_t a[SYSCALL_ARGS_MAX];
		primitive_args(cs->desc, c->args, a);
		res = syscall_invoke(&cs->desc->d, a);
	}
	fr->call = NULL;
	KASSERT(self->syscall_exits - exits <= 1, "operation %s made %llu system calls", op->name,
		(unsigned long long)(self->syscall_exits - exits));
	*exited = self->syscall_exits != exits;
	return res;
}

/* Runs the statement's operation as one system call; true when the call
 * took its exit switch point (the boundary of the next statement). */
static bool do_call(struct scn_run *r, struct scn_frame *fr, const struct scn_insn *in)
{
	const struct scn_prog *p = r->prog;
	const struct scn_callsite *cs = &p->calls[in->aux];
	const struct scn_op *op = cs->op;
	struct scn_val args[SCN_ARGS_MAX];
	int64_t items[SCN_LIST_ITEMS_MAX];
	int64_t out_at[SCN_ARGS_MAX]; /* set and read for given SCN_OUT arguments only */
	struct scn_call c = {op, args, p->name, in->line, in->col};
	for (int i = 0; i < op->nargs; i++) {
		const struct scn_argspec *a = &op->args[i];
		const struct scn_argsrc *src = &cs->args[i];
		struct scn_val *v = &args[i];
		memset(v, 0, sizeof(*v));
		v->given = src->given;
		switch (a->type) {
		case SCN_INT:
		case SCN_DUR:
			v->i = src->given ? scn_eval(p, src->e, fr->locals, r->shared, in->line)
					  : a->def;
			if (a->type == SCN_DUR && v->i < 0)
				scn_call_fail(&c, SIMK_FAIL_PANIC,
					      "%s: negative duration %" PRId64 " for '%s'",
					      op->name, v->i, a->name);
			break;
		case SCN_OBJ:
			if (src->given) {
				v->obj = obj_of(r, src->obj);
				v->decl = &p->decls[src->obj].d;
			}
			break;
		case SCN_STR:
			v->str = src->str;
			break;
		case SCN_OUT:
			if (src->given) {
				int64_t at = 0;
				v->out = dest_ref(r, fr, src->vkind, src->var, src->idx, in, &at);
				note_store(r, src->vkind, src->var,
					   at); /* may come before a sleep */
				out_at[i] = at;
			}
			break;
		case SCN_LIST:
			if (!src->given)
				break;
			if (src->arr >= 0) {
				/* the array itself: the op reads it during the call */
				v->list = elem_at(p, src->arr, 0, fr->locals, r->shared, in->line,
						  in->col);
				v->n = p->arrays[src->arr].len;
				for (int k = 0; k < v->n && !p->arrays[src->arr].local; k++)
					sim_read(
					    SIM_OID(SIM_OID_SCN_VAR, p->arrays[src->arr].base + k));
			} else {
				for (int k = 0; k < src->nitems; k++)
					items[k] = scn_eval(p, src->items[k], fr->locals, r->shared,
							    in->line);
				v->list = items;
				v->n = src->nitems;
			}
			break;
		}
	}
	int64_t index = 0;
	int64_t *dst =
	    in->vkind != V_NONE ? dest_ref(r, fr, in->vkind, in->var, in->idx, in, &index) : NULL;
	bool exited;
	int64_t res = run_op(r, fr, in, cs, &c, &exited);
	for (int i = 0; i < op->nargs; i++)
		if (op->args[i].type == SCN_OUT && cs->args[i].given)
			note_store(r, cs->args[i].vkind, cs->args[i].var, out_at[i]);
	note_store(r, in->vkind, in->var, index);
	if (dst != NULL)
		*dst = res;
	trace_store(p, in->vkind, in->var, res, index, in->line);
	if (p->state_props) {
		bool stored = is_shared_dest(p, in->vkind, in->var);
		for (int i = 0; i < op->nargs && !stored; i++)
			stored = op->args[i].type == SCN_OUT && cs->args[i].given &&
				 is_shared_dest(p, cs->args[i].vkind, cs->args[i].var);
		if (stored)
			scn_props_check(&r->props, fr->locals, in->line, in->col);
	}
	return exited;
}

/* do_call of a statement whose operation takes no argument and stores no
 * result (yield): what is left of it once the loops over none and the
 * stores of nothing fall away, without the argument slots' frame (which
 * cost as much as the rest of such a statement). */
static bool call_bare(struct scn_run *r, struct scn_frame *fr, const struct scn_insn *in)
{
	const struct scn_callsite *cs = &r->prog->calls[in->aux];
	struct scn_call c = {cs->op, NULL, r->prog->name, in->line, in->col};
	bool exited;
	(void)run_op(r, fr, in, cs, &c, &exited);
	return exited;
}

/* A repeat's test (S_REP_TEST): the instruction after it while the count
 * is below the limit (the count given to the loop's variable, if any),
 * else the one after the loop. */
static inline const struct scn_insn *rep_test(const struct scn_insn *code,
					      const struct scn_insn *in, int64_t *locals)
{
	if (locals[in->var + 1] >= locals[in->var])
		return code + in->target;
	if (in->aux >= 0)
		locals[in->aux] = locals[in->var + 1];
	return in + 1;
}

static void run_body(struct scn_run *r, const struct scn_body *b)
{
	const struct scn_prog *p = r->prog;
	struct simk_thread *self = sim_thread_current();
	struct scn_frame fr;
	/* Only the slots the body uses (at most SCN_LOCALS_MAX, checked by the
	 * parser): a hundred thousand blocked threads each keep this frame,
	 * and it is what decides whether their stack takes one page or two. */
	int64_t locals[b->nlocals > 0 ? b->nlocals : 1];
	fr.prog = p;
	fr.pc = NULL;
	fr.prev = NULL;
	fr.locals = locals;
	fr.call = NULL;
	fr.call_opaque = false;
	memset(fr.locals, 0, (size_t)b->nlocals * sizeof(fr.locals[0]));
	self->scn = &fr;
	sim_annotated(true);
	const struct scn_insn *code = p->code;
	const struct scn_insn *at = code + b->start; /* the next instruction */
	bool after_call = false;
	if (p->state_props && !r->initial_checked) {
		r->initial_checked = true;
		scn_props_check(&r->props, fr.locals, 0, 0);
	}
	for (;;) {
		const struct scn_insn *in = at;
		fr.pc = in;
		if (in->boundary) {
			if (!after_call) {
				preempt_point();
				syscall_user_return(self);
			}
			after_call = false;
		}
		switch (in->op) {
		case S_END:
			self->scn = NULL;
			return;
		case S_NOP:
			at = in + 1;
			break;
		case S_ASSIGN: {
			int64_t index = 0;
			int64_t *dst = dest_ref(r, &fr, in->vkind, in->var, in->idx, in, &index);
			note_store(r, in->vkind, in->var, index);
			int64_t v = scn_eval(p, in->e, fr.locals, r->shared, in->line);
			if (in->aop != '=') /* x += e reads x: traced like any read */
				trace_dest_read(p, in->vkind, in->var, *dst, index, in->line);
			if (in->aop == '+')
				v = (int64_t)((uint64_t)*dst + (uint64_t)v);
			else if (in->aop == '-')
				v = (int64_t)((uint64_t)*dst - (uint64_t)v);
			assign_store(r, &fr, in, dst, v, index);
			at = in + 1;
			break;
		}
		case S_SET: {
			/* S_ASSIGN's steps in its order, the expression's
			 * operands read in theirs */
			int64_t *dst = var_ref(r, &fr, in->vkind, in->var);
			note_store(r, in->vkind, in->var, 0);
			const struct scn_einsn *x = p->ecode + in->e.start;
			int64_t v = operand(p, x, fr.locals, r->shared, in->line);
			if (in->e.len == 3)
				v = binary(p, &x[2], v,
					   operand(p, &x[1], fr.locals, r->shared, in->line),
					   in->line);
			assign_store(r, &fr, in, dst, v, 0);
			at = in + 1;
			break;
		}
		case S_SOMETIMES:
			scn_props_reached(&r->props, in->aux, fr.locals, in->line);
			at = in + 1;
			break;
		case S_AZERO:
			memset(&fr.locals[in->var], 0, (size_t)in->aux * sizeof(fr.locals[0]));
			at = in + 1;
			break;
		case S_EXPECT:
			if (scn_eval(p, in->e, fr.locals, r->shared, in->line) == 0)
				expect_failed(r, &fr, in);
			at = in + 1;
			break;
		case S_PRINT: {
			const struct scn_print *pr = &p->prints[in->aux];
			for (int i = 0; i < pr->n; i++) {
				int64_t v = scn_eval(p, pr->e[i], fr.locals, r->shared, in->line);
				trace_emit(TR_USER, pr->label[i], v, 0, 0, 0);
			}
			at = in + 1;
			break;
		}
		case S_CALL:
			after_call = in->vkind == V_NONE && p->calls[in->aux].op->nargs == 0
					 ? call_bare(r, &fr, in)
					 : do_call(r, &fr, in);
			at = in + 1;
			break;
		case S_JUMP:
			if (in->target <= in - code)
				sim_tick(); /* a loop's back edge */
			at = code + in->target;
			continue; /* not a statement: fr.prev stays */
		case S_JFALSE: {
			bool taken = scn_eval(p, in->e, fr.locals, r->shared, in->line) != 0;
			trace_branch(in, taken);
			at = taken ? in + 1 : code + in->target;
			break;
		}
		case S_REP_INIT:
			fr.locals[in->var] = scn_eval(p, in->e, fr.locals, r->shared, in->line);
			fr.locals[in->var + 1] = 0;
			at = in + 1;
			break;
		case S_REP_TEST:
			at = rep_test(code, in, fr.locals);
			break;
		case S_REP_STEP: {
			sim_tick();
			fr.locals[in->var + 1]++;
			/* the loop's head, its S_REP_TEST, run here: never a switch
			 * point (its count is a local), it needs no trip through
			 * the loop's top */
			const struct scn_insn *test = code + in->target;
			KASSERT(test->op == S_REP_TEST, "scenario: a repeat's step leads to op %d",
				test->op);
			KASSERT(!test->boundary, "scenario: a repeat's test is a switch point");
			fr.pc = test;
			at = rep_test(code, test, fr.locals);
			fr.prev = test;
			continue;
		}
		default:
			sim_panic("scenario: bad instruction %d", in->op);
		}
		/* the statement it ran last, for messages: set once it has run,
		 * so its own switch points still see the one before it */
		fr.prev = in;
	}
}

static void body_main(void *arg)
{
	const struct scn_body *b = arg;
	struct scn_run *r = cur_run();
	KASSERT(r != NULL, "scenario body %s runs without its program", b->name);
	KASSERT(r->prog == b->prog, "scenario body %s runs without its program", b->name);
	run_body(r, b);
}

/* ---- runs ----------------------------------------------------------- */

static void destroy_objects(struct scn_run *r, bool run_ok)
{
	const struct scn_prog *p = r->prog;
	if (!p->objs_destroyed) { /* threads and processes only: no walk */
		r->ncreated = 0;
		return;
	}
	while (r->ncreated > 0) {
		int i = --r->ncreated;
		const struct scn_pdecl *d = &p->decls[i];
		if (d->kind->destroy != NULL)
			d->kind->destroy(obj_of(r, i), &d->d, run_ok);
	}
}

static const struct scn_frame *frame_of(const struct simk_thread *t);

/* sim_site_fn: the statement a scenario thread runs. */
static bool scn_site(const struct simk_thread *t, struct sim_site *out)
{
	const struct scn_frame *fr = frame_of(t);
	if (fr == NULL) { /* a foreign program's thread (a guest's call or access) */
		out->col = 0;
		return scn_foreign_thread_site(t, &out->file, &out->line);
	}
	out->file = fr->prog->name;
	out->line = fr->pc->line;
	out->col = fr->pc->col;
	return true;
}

int scn_instantiate(struct simk *s, const struct scn_prog *p, char *err, size_t errlen)
{
	KASSERT(s == sim_cur(), "scn_instantiate outside setup");
	KASSERT(!s->running, "scn_instantiate outside setup");
	sim_set_site_fn(scn_site); /* also for a foreign program's threads */
	int foreign_result;
	if (scn_foreign_instantiate(s, p, err, errlen, &foreign_result))
		return foreign_result;
	if (s->subsys[scn_subsys_slot] != NULL) {
		snprintf(err, errlen, "a scenario is already loaded in this simulation");
		return -1;
	}
	size_t shared_bytes = (size_t)p->shared_words * sizeof(int64_t);
	size_t head = (sizeof(struct scn_run) + 15) & ~(size_t)15;
	size_t sh = (shared_bytes + 15) & ~(size_t)15;
	size_t calls = ((size_t)p->ncalls * sizeof(uint64_t) + 15) & ~(size_t)15;
	size_t bytes = head + sh + calls + p->obj_bytes;
	struct scn_run *r = sim_block_take(bytes);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->bytes = bytes;
	r->prog = p;
	r->shared = (int64_t *)((char *)r + head);
	r->calls_run = (uint64_t *)((char *)r + head + sh);
	r->objs = (char *)r + head + sh + calls;
	s->subsys[scn_subsys_slot] = r;
	/* (the events of shared memory and of the primitives' calls carry
	 * their names' hashes, made at parse time: no name for the trace's
	 * memo here) */
	for (int i = 0; i < p->nshared; i++)
		r->shared[i] = p->shared[i].init;
	for (int i = 0; i < p->narrays; i++) {
		const struct scn_array *a = &p->arrays[i];
		if (!a->local && a->ninit > 0)
			memcpy(&r->shared[a->base], a->init, (size_t)a->ninit * sizeof(int64_t));
	}
	for (int i = 0; i < p->opts.nfaults; i++)
		if (sim_fault_enable(p->opts.faults[i], err, errlen) != 0)
			return -1;
	if (p->nprops > 0)
		scn_props_start(&r->props, p, r->shared);
	const struct scn_kind *kthread = scn_kind_thread(), *kprocess = scn_kind_process();
	for (int i = 0; i < p->ndecls; i++) {
		const struct scn_pdecl *d = &p->decls[i];
		void *o = obj_of(r, i);
		if (d->kind == kthread) {
			struct scn_thread_obj *to = o;
			to->name = d->d.name;
			to->oid = SIM_OID(SIM_OID_SCN_DECL, i);
			to->fn = body_main;
			to->arg = &p->bodies[d->body];
			to->manual = d->manual;
		} else if (d->kind == kprocess) {
			struct scn_proc_obj *po = o;
			po->name = d->d.name;
			po->proc = sim_proc_create_named(&d->sname, NULL);
			if (po->proc == NULL) {
				snprintf(err, errlen,
					 "%s:%d:%d: cannot create process %s (at most %d)", p->name,
					 d->d.line, d->d.col, d->d.name, SIM_MAX_PROCS);
				return -1;
			}
		} else if (d->kind->create != NULL) {
			struct scn_val args[SCN_ARGS_MAX];
			for (int a = 0; a < d->kind->nargs; a++) {
				const struct scn_argsrc *src = &d->args[a];
				struct scn_val *v = &args[a];
				memset(v, 0, sizeof(*v));
				v->given = src->given;
				switch (d->kind->args[a].type) {
				case SCN_INT:
				case SCN_DUR:
					v->i = src->given ? p->ecode[src->e.start].val
							  : d->kind->args[a].def;
					break;
				case SCN_OBJ:
					if (src->given) {
						v->obj = obj_of(r, src->obj);
						v->decl = &p->decls[src->obj].d;
					}
					break;
				case SCN_STR:
					v->str = src->str;
					break;
				case SCN_OUT:
				case SCN_LIST: /* refused at registration */
					break;
				}
			}
			int rc = d->kind->create(o, &d->d, args);
			if (rc != 0) {
				snprintf(err, errlen, "%s:%d:%d: cannot create %s %s: %s", p->name,
					 d->d.line, d->d.col, d->kind->name, d->d.name,
					 strerror(-rc));
				return -1;
			}
		}
		r->ncreated = i + 1;
	}
	for (int i = 0; i < p->ndecls; i++) {
		const struct scn_pdecl *d = &p->decls[i];
		if (d->body < 0 || d->manual)
			continue;
		struct scn_proc_obj *po = obj_of(r, d->proc);
		struct simk_thread *t = sim_thread_spawn_named(po->proc, &d->sname, body_main,
							       &p->bodies[d->body], false);
		if (t == NULL) {
			snprintf(err, errlen,
				 "%s:%d:%d: cannot create thread %s (a run has at most %d threads)",
				 p->name, d->d.line, d->d.col, d->d.name, SIM_MAX_THREADS);
			return -1;
		}
		scn_thread_started(obj_of(r, i), t);
	}
	return 0;
}

/* The last user thread is exiting: start the finally block. */
static void scn_thread_exit(struct simk_thread *t)
{
	struct simk *s = sim_cur();
	struct scn_run *r = s->subsys[scn_subsys_slot];
	if (r == NULL || t->daemon || s->live_user_threads != 1)
		return;
	if (r->finally_started || r->prog->finally_body < 0) {
		/* the last user thread, after the finally block if any */
		if (r->prog->nprops > 0)
			scn_props_end(&r->props);
		return;
	}
	r->finally_started = true;
	/* dfs: the block runs after every user thread exited, whichever
	 * exited last; starting it is not this thread's doing */
	sim_rec_mute(true);
	struct simk_proc *fp = sim_proc_create_named(&r->prog->finally_name, NULL);
	if (fp == NULL)
		sim_panic("scenario: cannot create the finally process");
	struct simk_thread *ft = sim_thread_spawn_named(fp, &r->prog->finally_name, body_main,
							&r->prog->bodies[r->prog->finally_body], false);
	if (ft == NULL)
		sim_panic("scenario: cannot start the finally block");
	sim_rec_mute(false);
	sim_rec_join_users(ft->tid);
}

static void scn_end(struct simk *s)
{
	struct scn_run *r = s->subsys[scn_subsys_slot];
	if (r != NULL) {
		scn_props_stop(&r->props);
		destroy_objects(r, true);
	}
}

static void scn_destroy(struct simk *s)
{
	struct scn_run *r = s->subsys[scn_subsys_slot];
	if (r == NULL)
		return;
	scn_props_stop(&r->props);
	destroy_objects(r, false);
	for (int i = 0; i < s->nthreads; i++)
		s->threads[i]->scn = NULL;
	sim_block_give(r, r->bytes);
	s->subsys[scn_subsys_slot] = NULL;
}

static const struct sim_subsys scn_subsys = {
    .name = "scn",
    .thread_exit = scn_thread_exit,
    .end = scn_end,
    .destroy = scn_destroy,
};

static const struct scn_const core_consts[] = {
    {"true", 1},
    {"false", 0},
};

/* Trace view of a primitive's object argument: its declared name while
 * the run's program is loaded, else its declaration index. */
static void obj_format(int64_t idx, char *buf, size_t len)
{
	struct scn_run *r = cur_run();
	if (r != NULL && idx >= 0 && idx < r->prog->ndecls)
		snprintf(buf, len, "%s", r->prog->decls[idx].d.name);
	else if (idx < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "#%" PRId64, idx);
}

static bool registered; /* scn_register() ran: every layer's ops are in */

bool scn_registered(void)
{
	return registered;
}

void scn_register(void)
{
	syscall_set_arg_format(SA_SCN_OBJ, obj_format);
	scn_subsys_slot = sim_subsys_register(&scn_subsys);
	registered = true;
	scn_register_consts(core_consts, 2);
}

uint64_t scn_calls_run(const struct simk *s, int callsite)
{
	const struct scn_run *r = sim_subsys_state(s, scn_subsys_slot);
	if (r == NULL || callsite < 0 || callsite >= r->prog->ncalls)
		return 0;
	return r->calls_run[callsite];
}

/* The thread that was running when the run failed. */
static int failed_tid(const struct simk *s)
{
	if (s->outcome == SIMK_PASS || s->outcome == SIMK_FAIL_DEADLOCK)
		return 0; /* a deadlock is nobody's statement */
	return s->fail_tid;
}

static const struct scn_frame *frame_of(const struct simk_thread *t)
{
	const struct scn_frame *fr = t->scn;
	if (fr == NULL || t->state == TS_ZOMBIE || fr->pc == NULL)
		return NULL;
	return fr;
}

uint64_t scn_props_hit(const struct simk *s)
{
	const struct scn_run *r = scn_subsys_slot >= 0 ? s->subsys[scn_subsys_slot] : NULL;
	return r != NULL ? r->props.hit : 0;
}

int scn_failure_site(const struct simk *s, char *buf, size_t len)
{
	if (s->subsys[scn_subsys_slot] == NULL)
		return scn_foreign_failure_site(s, buf, len);
	int tid = failed_tid(s);
	if (tid <= 0 || tid > s->nthreads)
		return -1;
	const struct scn_frame *fr = frame_of(s->threads[tid - 1]);
	if (fr == NULL)
		return -1;
	snprintf(buf, len, "%s:%d:%d", fr->prog->name, fr->pc->line, fr->pc->col);
	return 0;
}

/* Lines of the live-thread list of a failure report: a run with 20,000
 * threads printed 20,000 lines. The failed thread is always shown. */
#define SCN_BLOCKED_SHOWN_MAX 16

void scn_print_blocked(const struct simk *s, void *file)
{
	if (s->subsys[scn_subsys_slot] == NULL) {
		scn_foreign_print_blocked(s, file);
		return;
	}
	FILE *f = file;
	int failed = failed_tid(s);
	int shown = 0, skipped = 0;
	for (int i = 0; i < s->nthreads; i++) {
		const struct simk_thread *t = s->threads[i];
		const struct scn_frame *fr = frame_of(t);
		if (fr == NULL)
			continue;
		if (shown >= SCN_BLOCKED_SHOWN_MAX && t->tid != failed) {
			skipped++;
			continue;
		}
		shown++;
		const struct scn_insn *in = fr->pc;
		char what[200] = "";
		if (in->op == S_CALL)
			snprintf(what, sizeof(what), "%s", fr->prog->calls[in->aux].label);
		else if (in->op == S_EXPECT)
			snprintf(what, sizeof(what), "expect %s", fr->prog->expects[in->aux].text);
		char state[SIM_NAME_MAX + 32];
		if (t->tid == failed)
			snprintf(state, sizeof(state), "failed");
		else if (t->state == TS_SLEEPING)
			snprintf(state, sizeof(state), "sleeps on %s", t->wchan ? t->wchan : "?");
		else
			snprintf(state, sizeof(state), "is runnable");
		fprintf(f, "  %s (tid %d) %s at %s:%d:%d%s%s\n", t->name, t->tid, state,
			fr->prog->name, in->line, in->col, what[0] ? ": " : "", what);
	}
	if (skipped > 0)
		fprintf(f, "  (%d more threads not shown)\n", skipped);
}
