/*
 * Private to scn/: the compiled form of a scenario.
 *
 * A program is a set of flat arrays. Thread bodies are runs of statement
 * instructions (struct scn_insn) in one code array; blocks became jumps.
 * Expressions are runs of postfix instructions (struct scn_einsn) in
 * another array, referred to by (start, len). Nothing points into a run's
 * memory, so one program serves any number of runs.
 *
 * Invariant: every loop iteration either passes an instruction with
 * `boundary` set (a switch point) or counts a tick (sim_tick) at its back
 * edge, so a spinning scenario still hits the run's step limit.
 */
#ifndef SIMK_SCN_INTERNAL_H
#define SIMK_SCN_INTERNAL_H

#include "kern/callout.h"
#include "kern/syscall.h"
#include "scn/scn.h"

/* Expression instructions (postfix). */
enum scn_eop {
	E_CONST = 0, /* push val */
	E_LOCAL,     /* push locals[arg] */
	E_SHARED,    /* push shared[arg] */
	E_NEG,
	E_NOT,
	E_ADD,
	E_SUB,
	E_MUL,
	E_DIV,
	E_MOD,
	E_EQ,
	E_NE,
	E_LT,
	E_LE,
	E_GT,
	E_GE,
	E_AND,	/* &&: top == 0 ? (keep 0, jump to arg) : pop */
	E_OR,	/* ||: top != 0 ? (top = 1, jump to arg) : pop */
	E_BOOL, /* top = top != 0 */
	E_BAND, /* the bitwise operators, on the 64-bit two's complement */
	E_BOR,
	E_BXOR,
	E_SHL, /* shift counts outside 0..63 are an error, as division by zero */
	E_SHR, /* arithmetic: the sign is kept */
	E_BNOT,
	E_AGET, /* top = element top of array arg (bounds checked) */
	E_ALEN, /* push the length of array arg (one declared further down) */
};

/* scn_arith's failures. */
enum { SCN_ARITH_DIV0 = -1, SCN_ARITH_SHIFT = -2 };

struct scn_einsn {
	uint16_t op;
	uint16_t col; /* of the operator (division by zero messages) */
	int32_t arg;  /* slot, or jump target relative to the expression start */
	int64_t val;
};

struct scn_expr {
	int32_t start, len; /* len == 0: no expression */
};

/* Statement instructions. */
enum scn_sop {
	S_END = 0, /* the body is done: the thread exits with 0 */
	S_NOP,	   /* pass */
	S_ASSIGN,  /* var = e (aop '=', '+', '-') */
	S_EXPECT,
	S_PRINT,
	S_CALL,
	S_JUMP,	    /* to target */
	S_JFALSE,   /* if !e: to target */
	S_REP_INIT, /* locals[var] = e (count); locals[var + 1] = 0 (index) */
	S_REP_TEST, /* if index >= count: to target; else as-var (aux) = index */
	S_REP_STEP, /* index++; to target */
	S_AZERO,    /* locals[var .. var + aux) = 0: a local array's declaration */
	S_SOMETIMES, /* property aux (sometimes / reachable) holds here if e (or no e) */
	S_SET, /* an S_ASSIGN `var = e` into a variable whose e is one operand (a
		* constant or a variable) or two and a binary operator: the
		* commonest assignments, run without the expression loop
		* (scn_parse.c's fuse_assignments) */
};

/* Where a value goes: V_ELEM is element `idx` of array `var`. */
enum scn_vkind { V_NONE = 0, V_LOCAL, V_SHARED, V_ELEM };

struct scn_insn {
	uint8_t op;
	uint8_t boundary; /* a switch point comes first */
	uint8_t vkind;	  /* destination of S_ASSIGN / S_CALL result */
	char aop;	  /* S_ASSIGN: '=', '+', '-' */
	int32_t var;
	int32_t aux;	/* S_REP_TEST: as-variable slot or -1; S_CALL/EXPECT/PRINT: index;
			 * S_JFALSE: enum scn_branch_kind */
	int32_t target; /* jumps: absolute instruction index */
	struct scn_expr e;
	struct scn_expr idx; /* vkind V_ELEM: the element's index */
	int32_t line, col;
};

/* Which statement a conditional jump tests (its trace event's name). */
enum scn_branch_kind { SCN_BRANCH_IF = 0, SCN_BRANCH_WHILE, SCN_BRANCH_ELIF };

struct scn_argsrc {
	bool given;
	struct scn_expr e;   /* INT, DUR */
	int32_t obj;	     /* OBJ: declaration index */
	const char *str;     /* STR */
	uint8_t vkind;	     /* OUT */
	int32_t var;	     /* OUT */
	struct scn_expr idx; /* OUT into an element (V_ELEM) */
	int32_t arr;	     /* LIST: a whole array, or -1 */
	int32_t nitems;	     /* LIST: else these expressions */
	const struct scn_expr *items;
};

/*
 * An array of values. A local array is `len` consecutive local slots from
 * `base`; a shared array is `len` words of the run's shared storage from
 * `base` (after the scalars), set by finish() once every length is known.
 */
struct scn_array {
	const char *name;
	const char *wname; /* "a[] =": the trace name of a write (index in a[1]) */
	uint64_t name_nh, wname_nh; /* their hashes (hash_str), carried by their
				       events (trace_emit_line_nh) */
	bool local;
	int32_t base;
	int32_t len;	     /* -1 until its declaration line is parsed */
	const int64_t *init; /* shared: the first ninit values (the rest are 0) */
	int32_t ninit;
	int line, col;
};

/* How a kernel-primitive operation enters the kernel: its descriptor, and
 * for each traced argument the index of the operation's argument. */
struct scn_op_desc {
	struct syscall_desc d;
	int8_t argidx[SYSCALL_ARGS_MAX];
	struct syscall_named_args named; /* d.named points here */
};

struct scn_callsite {
	const struct scn_op *op;
	const struct scn_op_desc *desc; /* NULL for SCN_OP_SYSCALL operations */
	bool annotated;			/* scn_op_annotated(op) */
	const char *label;		/* "sleep wq": names the statement in reports */
	struct scn_argsrc args[SCN_ARGS_MAX];
};

struct scn_expect {
	const char *text;	     /* the expression as written */
	struct scn_expr left, right; /* sides of a top-level comparison, or empty */
	const char *cmp;	     /* "==" ... or NULL */
	/* variables the expression reads, for the failure message */
	int nvars;
	const char *vname[6];
	uint8_t vkind[6];
	int32_t var[6];
};

/* Properties (docs/scenarios.md, "Properties"). `always` and `eventually`
 * are top-level conditions over shared variables, checked in every state
 * (after each store into shared memory, and before the first statement of
 * each thread); `sometimes` and `reachable` are statements, counted across
 * an exploration. */
enum scn_prop_kind {
	SCN_PROP_SOMETIMES = 0,
	SCN_PROP_REACHABLE,
	SCN_PROP_ALWAYS,
	SCN_PROP_EVENTUALLY,
};
#define SCN_PROPS_MAX 64 /* per scenario: a run's hits are one word */

struct scn_prop {
	uint8_t kind;
	int32_t expect;	    /* its condition's text, sides and variables (-1: reachable) */
	struct scn_expr e;  /* the condition (len 0: reachable) */
	int64_t within_ns;  /* eventually: the deadline on the virtual clock */
	int32_t line, col;
};

/* A run's properties (scn_props.c). */
struct scn_props_run {
	const struct scn_prog *prog;
	const int64_t *shared;
	uint64_t hit; /* bit k: sometimes/reachable k held, or eventually k came true */
	struct callout deadline;
	bool armed;
	int64_t armed_at;
};
void scn_props_start(struct scn_props_run *pr, const struct scn_prog *p, const int64_t *shared);
/* After a store into shared memory at line:col (line 0: the initial state). */
void scn_props_check(struct scn_props_run *pr, const int64_t *locals, int line, int col);
/* A `sometimes` / `reachable` statement (property k) runs. */
void scn_props_reached(struct scn_props_run *pr, int k, const int64_t *locals, int line);
/* The last user thread exits: every `eventually` must have come true. */
void scn_props_end(struct scn_props_run *pr);
void scn_props_stop(struct scn_props_run *pr);
/* scn_eval without trace events for its reads (they still count for dfs). */
int64_t scn_eval_quiet(const struct scn_prog *p, struct scn_expr e, const int64_t *locals,
		       const int64_t *shared, int line);

struct scn_print {
	int n;
	const char *label[SCN_PRINT_MAX]; /* a "string" before it, or its text */
	struct scn_expr e[SCN_PRINT_MAX];
};

/* A declaration (object, thread, process) with its compiled details. */
struct scn_pdecl {
	struct scn_decl d;
	const struct scn_kind *kind;
	struct scn_argsrc args[SCN_ARGS_MAX]; /* constant arguments (kinds) */
	struct sim_name sname; /* a thread's or process's name, made once (finish) */
	/* threads */
	int32_t body; /* index in bodies, -1 for other kinds */
	int32_t proc; /* declaration index of the process */
	bool manual;
};

struct scn_body {
	const char *name;
	int32_t decl;  /* thread declaration index, -1 for finally */
	int32_t start; /* first instruction */
	int32_t nlocals;
	struct scn_prog *prog;
};

struct scn_shared {
	const char *name;
	const char *wname; /* "name =": the trace name of a write */
	uint64_t name_nh, wname_nh; /* as scn_array's */
	int64_t init;
	int line, col;
};

struct scn_prog {
	char *name;
	struct scn_options opts;
	const char **faults;
	/* arrays */
	struct scn_insn *code;
	int32_t ncode, code_cap;
	struct scn_einsn *ecode;
	int32_t necode, ecode_cap;
	struct scn_callsite *calls;
	int32_t ncalls, calls_cap;
	struct scn_expect *expects;
	int32_t nexpects, expects_cap;
	struct scn_prop *props;
	int32_t nprops, props_cap;
	bool state_props; /* an `always` or `eventually`: stores check them */
	struct scn_print *prints;
	int32_t nprints, prints_cap;
	struct scn_pdecl *decls;
	int32_t ndecls, decls_cap;
	struct scn_body *bodies;
	int32_t nbodies, bodies_cap;
	struct scn_shared *shared;
	int32_t nshared, shared_cap;
	struct scn_array *arrays;
	int32_t narrays, arrays_cap;
	int32_t shared_words; /* scalars, then every shared array */
	int32_t finally_body; /* -1: none */
	struct sim_name finally_name; /* of its process and thread */
	int32_t main_proc;    /* declaration index of process "main" */
	int32_t nthreads;
	size_t obj_bytes; /* per-run object storage, all declarations */
	bool objs_destroyed; /* a declaration's kind has a destroy */
	size_t *obj_off;  /* per declaration offset into that storage */
	/* strings owned by the program */
	struct scn_chunk *arena;
	/* a program of another kind (scn_foreign.c): everything above unused */
	const struct scn_foreign *foreign;
	void *foreign_prog;
	/* the source text, for messages that quote a line (scn_thread_where) */
	const char *src;
	size_t srclen;
};

/* A thread's interpreter state, on its stack; t->scn points to it. */
struct scn_frame {
	const struct scn_prog *prog;
	const struct scn_insn *pc;   /* the statement being run */
	const struct scn_insn *prev; /* the one run before it (not a jump), or NULL */
	int64_t *locals; /* the body's nlocals slots, on the thread's stack */
	struct scn_call *call; /* its operation call, during the call */
	bool call_opaque;      /* that operation does not annotate its accesses */
};

/* Foreign programs (scn_foreign.c): true when they handled the call. */
bool scn_foreign_free(struct scn_prog *p);
bool scn_foreign_apply_options(const struct scn_prog *p, struct simk_opts *o);
bool scn_foreign_instantiate(struct simk *s, const struct scn_prog *p, char *err, size_t errlen,
			     int *result);
void scn_foreign_print_blocked(const struct simk *s, void *file);
int scn_foreign_failure_site(const struct simk *s, char *buf, size_t len);

/* Registries (scn_registry.c). */
const struct scn_op_desc *scn_op_desc(const struct scn_op *op);
/* The handler of every primitive's descriptor (scn_exec.c): runs the
 * operation of the statement the calling thread is executing. */
int64_t scn_op_handler(const int64_t *a);
/* How many times the statement at call site i ran in s's current run
 * (tests: every executed operation statement is one system call). */
uint64_t scn_calls_run(const struct simk *s, int callsite);
const struct scn_kind *scn_kind_thread(void);
const struct scn_kind *scn_kind_process(void);
bool scn_kind_matches(const char *accepted, const char *kind);

/* a op b for the binary E_* operators (wrapping); 0, or SCN_ARITH_DIV0 /
 * SCN_ARITH_SHIFT, which scn_arith_error() words. */
/* The arithmetic of the language: 64-bit two's complement, wrapping.
 * Inline: the interpreter runs it for every binary operator. */
static inline int scn_arith(int op, int64_t a, int64_t b, int64_t *out)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	switch (op) {
	case E_ADD:
		*out = (int64_t)(ua + ub);
		return 0;
	case E_SUB:
		*out = (int64_t)(ua - ub);
		return 0;
	case E_MUL:
		*out = (int64_t)(ua * ub);
		return 0;
	case E_DIV:
	case E_MOD:
		if (b == 0)
			return SCN_ARITH_DIV0;
		if (a == INT64_MIN && b == -1)
			*out = op == E_DIV ? INT64_MIN : 0;
		else
			*out = op == E_DIV ? a / b : a % b;
		return 0;
	case E_EQ:
		*out = a == b;
		return 0;
	case E_NE:
		*out = a != b;
		return 0;
	case E_LT:
		*out = a < b;
		return 0;
	case E_LE:
		*out = a <= b;
		return 0;
	case E_GT:
		*out = a > b;
		return 0;
	case E_GE:
		*out = a >= b;
		return 0;
	case E_BAND:
		*out = (int64_t)(ua & ub);
		return 0;
	case E_BOR:
		*out = (int64_t)(ua | ub);
		return 0;
	case E_BXOR:
		*out = (int64_t)(ua ^ ub);
		return 0;
	case E_SHL:
	case E_SHR:
		if (b < 0 || b > 63)
			return SCN_ARITH_SHIFT;
		/* >> keeps the sign, as C compilers do on int64_t */
		*out = op == E_SHL ? (int64_t)(ua << b)
				   : (a < 0 ? (int64_t) ~(~ua >> b) : (int64_t)(ua >> b));
		return 0;
	}
	return SCN_ARITH_DIV0;
}

const char *scn_arith_error(int rc, int64_t b, char *buf, size_t len);

/* Expression evaluation (scn_exec.c), exposed for unit tests. */
int64_t scn_eval(const struct scn_prog *p, struct scn_expr e, const int64_t *locals,
		 const int64_t *shared, int line);

/* Hash-table slots the parser has looked at so far in this process (a
 * work count for the linear-time parsing test). */
uint64_t scn_parse_name_probes(void);

#endif
