/*
 * The scenario language: a parser that compiles a .scn file once into flat
 * code, and an interpreter that runs that code on simulated threads, run
 * after run, without parsing again.
 *
 * The language knows no operation by itself. Every layer registers what scenarios
 * may use through three registries:
 *  - operations ("syscalls"): a name, argument specs, and a C function that
 *    gets the evaluated arguments and returns an int64 (a result >= 0 or a
 *    negative errno, Linux style);
 *  - declaration kinds: a top-level keyword ("mutex", "waitqueue", later
 *    "file", "buffer") that declares a named object, with per-run create and
 *    destroy callbacks and per-run storage of a given size;
 *  - constants: identifiers with an integer value (EINTR, SIGUSR1,
 *    O_RDONLY, ...).
 * Registration happens once per host process, before the first parse
 * (simk_register_builtin() in syscalls/builtin.c, called by the top layer:
 * the CLI, simk_create(), a test; scn/ never calls it); the registries are
 * read-only afterwards. Registering a table twice is a no-op; two different
 * entries with the same name abort the host (a programming error).
 *
 * The interpreter runs on a simulated thread's 64 KiB stack: it never
 * recurses (blocks compile to jumps; expressions to postfix code evaluated
 * with a bounded stack), and nesting is limited at parse time.
 *
 * The language itself is documented in docs/scenarios.md.
 */
#ifndef SIMK_SCN_H
#define SIMK_SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simk/sim.h"

/* Limits, enforced as parse errors. */
#define SCN_NEST_MAX 32	      /* nested blocks, the thread body included */
#define SCN_LOCALS_MAX 256    /* local variable slots per thread body */
#define SCN_EVAL_STACK_MAX 32 /* operand stack depth of one expression */
#define SCN_ARGS_MAX 16	      /* arguments of one operation or declaration */
#define SCN_PRINT_MAX 8	      /* values of one print */
#define SCN_LIST_ITEMS_MAX 32 /* values written out in one list argument */
#define SCN_ARRAY_MAX 65536   /* elements of one array */

/* ---- Argument specifications --------------------------------------- */

enum scn_type {
	SCN_INT = 0, /* integer expression */
	SCN_DUR,     /* integer expression in ns (10ms, 5us...); negative is a panic */
	SCN_OBJ,     /* name of a declared object; spec.kind lists accepted kinds */
	SCN_STR,     /* string literal */
	SCN_OUT,     /* name of a variable that receives an output value */
	SCN_LIST,    /* integers: an array's name, or expressions up to the next
			name=value (at most SCN_LIST_ITEMS_MAX); one per operation */
};

/* Argument flags. */
#define SCN_OPTIONAL 0x1 /* may be omitted: INT/DUR take .def, others are absent */
#define SCN_NAMED 0x2	 /* only as name=value (implies optional) */

struct scn_argspec {
	const char *name; /* for name=value, messages and the usage line */
	enum scn_type type;
	const char *kind; /* SCN_OBJ: "mutex", or alternatives "thread|process";
			   * SCN_INT: how the trace shows the value, "iocb_op"
			   * (IOCB_CMD_PWRITE), "fd" — NULL: a number */
	unsigned flags;
	int64_t def; /* default of an omitted optional INT/DUR */
};

struct scn_decl;

/* One evaluated argument, in spec order. */
struct scn_val {
	bool given;		     /* false: an optional argument was omitted */
	int64_t i;		     /* SCN_INT, SCN_DUR (the default when omitted) */
	void *obj;		     /* SCN_OBJ: the object's per-run storage */
	const struct scn_decl *decl; /* SCN_OBJ: its declaration */
	const char *str;	     /* SCN_STR (lives as long as the program) */
	int64_t *out;		     /* SCN_OUT: where to store (valid during the call) */
	const int64_t *list;	     /* SCN_LIST: n values (valid during the call) */
	int n;
};

/* A declared object, as the parser saw it. */
struct scn_decl {
	const char *name;
	const char *kind; /* the kind's keyword */
	int index;	  /* declaration order, from 0; stable across runs */
	int line, col;
};

/* ---- Operations ----------------------------------------------------- */

struct scn_op;

/* What an operation's function receives. */
struct scn_call {
	const struct scn_op *op;
	struct scn_val *args; /* one per spec (op->nargs) */
	const char *file;     /* call site, for messages */
	int line, col;
};

typedef int64_t (*scn_op_fn)(struct scn_call *c);

/* Operation flags. */
#define SCN_OP_SYSCALL 0x1 /* fn makes the system call itself (a simk_ stub) */
#define SCN_OP_ERRNO 0x2   /* a primitive that fails with a negative errno: traced by name */

struct scn_op {
	const char *name;
	const struct scn_argspec *args;
	int nargs;
	scn_op_fn fn;
	const char *doc;   /* one line for `simk help ops` and docs */
	unsigned flags;	   /* SCN_OP_* */
	const char *where; /* "file.c:function" of fn, for `simk help ops --where` */
};

/*
 * Every statement that calls an operation is one system call: exactly one
 * entry and one exit, through kern/syscall.c, with a switch point on each
 * side. The interpreter evaluates the arguments, then:
 *  - an operation that wraps a system call (SCN_OP_SYSCALL) prepares its
 *    user memory and calls the system call's simk_ stub itself, exactly
 *    once (never a second stub: that would nest, a kernel bug);
 *  - any other operation (a kernel primitive: lock, sleep, compute, a
 *    buffer helper...) is made a system call by the interpreter, with a
 *    descriptor built for it at registration (subsystem "scn", the
 *    operation's INT, DUR and object arguments traced).
 * fn runs in thread context; it may sleep, exit the thread, or fail the
 * run.
 */
void scn_register_ops(const struct scn_op *ops, int n);

/* The one way to write an operation table (SCN_OP0: no arguments). */
#define SCN_NARGS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define SCN_OP(name, args, fn, doc)                                                                \
	{                                                                                          \
		name, args, SCN_NARGS(args), fn, doc, 0, __FILE__ ":" #fn                                            \
	}
/* A primitive whose failures are negative errnos (its doc names them:
 * "0, -ETIMEDOUT or -EINTR"): the trace prints cv_wait = -ETIMEDOUT. */
#define SCN_OP_E(name, args, fn, doc)                                                              \
	{                                                                                          \
		name, args, SCN_NARGS(args), fn, doc, SCN_OP_ERRNO, __FILE__ ":" #fn                                 \
	}
#define SCN_OP0(name, fn, doc)                                                                     \
	{                                                                                          \
		name, NULL, 0, fn, doc, 0, __FILE__ ":" #fn                                                          \
	}
#define SCN_SYSCALL_OP(name, args, fn, doc)                                                        \
	{                                                                                          \
		name, args, SCN_NARGS(args), fn, doc, SCN_OP_SYSCALL, __FILE__ ":" #fn                               \
	}
#define SCN_SYSCALL_OP0(name, fn, doc)                                                             \
	{                                                                                          \
		name, NULL, 0, fn, doc, SCN_OP_SYSCALL, __FILE__ ":" #fn                                             \
	}
/* A constant table entry named like its C macro: SCN_CONST(O_RDWR). */
#define SCN_CONST(x)                                                                               \
	{                                                                                          \
#x, (int64_t)(x)                                                                   \
	}
const struct scn_op *scn_op_find(const char *name);

/*
 * These registered operations annotate every access to shared state they
 * make (sim/access.h), so the dfs search may reorder their calls with the
 * steps they do not conflict with. Every other operation's call makes each
 * of its steps depend on every other step (sound, slow to search).
 */
void scn_mark_annotated(const char *const *names, int n);
bool scn_op_annotated(const struct scn_op *op);

/* Fails the run with outcome o and a "file:line:col: " prefix. */
_Noreturn void scn_call_fail(const struct scn_call *c, enum simk_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Declaration kinds --------------------------------------------- */

/*
 * A top-level line "KIND NAME arg..." declares an object. Its arguments
 * follow the kind's specs and must be constant (literals, constants,
 * objects declared earlier). Per run, the interpreter gives every object
 * `size` zeroed bytes and calls create (host context, before any thread
 * runs, in declaration order); destroy runs in reverse order, with
 * run_ok = true at the end of a run where every thread exited (thread
 * context is over; the object may assert it is idle and must release its
 * kmem before the leak check), or run_ok = false when a failed run is torn
 * down (just release; never assert).
 */
struct scn_kind {
	const char *name;
	size_t size;
	const struct scn_argspec *args;
	int nargs;
	/* Returns 0 or a negative errno: the run does not start. */
	int (*create)(void *obj, const struct scn_decl *d, const struct scn_val *args);
	void (*destroy)(void *obj, const struct scn_decl *d, bool run_ok);
	const char *doc;
};

void scn_register_kind(const struct scn_kind *k);
const struct scn_kind *scn_kind_find(const char *name);

/* Built-in kinds "thread" and "process": their per-run objects. */
struct scn_thread_obj {
	const char *name;
	simk_thread_fn fn; /* with arg: runs the thread's body (spawn, fork) */
	void *arg;
	int last_tid; /* the latest started instance; 0 = none yet */
	int started;  /* instances started in this run */
	uint64_t oid; /* dfs: the record's object id (sim/access.h) */
	bool manual;  /* starts only through an operation */
};

struct scn_proc_obj {
	const char *name;
	struct simk_proc *proc;
};

/* Called by operations that start a thread running a body, so that the
 * name of the thread declaration finds it (kill waiter ...). */
void scn_thread_started(struct scn_thread_obj *o, struct simk_thread *t);

/* The process of an optional argument of kind "process" (proc=P), or the
 * run's process "main" when it was omitted (NULL if there is none). Host
 * or thread context. */
struct simk_proc *scn_proc_arg(const struct scn_val *v);

/*
 * Per-thread state of a layer's scenario operations (kept events, scratch
 * addresses), in host memory, by tid: zeroed `size` bytes made on a
 * thread's first call and kept until scn_thread_table_free (from the
 * layer's destroy). One table holds one struct type. Thread context.
 */
struct scn_thread_table {
	void **by_tid; /* index tid; NULL until that thread asks */
	int cap;
};
void *scn_thread_table_get(struct scn_thread_table *t, int tid, size_t size);
void scn_thread_table_free(struct scn_thread_table *t);

/* Stores x in an optional SCN_OUT argument (nothing when it was omitted). */
static inline void scn_out(const struct scn_val *v, int64_t x)
{
	if (v->given && v->out != NULL)
		*v->out = x;
}

/* Stores vals[i] in each of the n SCN_OUT arguments outs[i] that was given. */
static inline void scn_outs(const struct scn_val *outs, const int64_t *vals, int n)
{
	for (int i = 0; i < n; i++)
		scn_out(&outs[i], vals[i]);
}

/* ---- Constants ------------------------------------------------------ */

struct scn_const {
	const char *name;
	int64_t value;
};

void scn_register_consts(const struct scn_const *c, int n);
bool scn_const_find(const char *name, int64_t *value);
/* Operations that only make sense when the scenario declares an object of
 * some kind (the file calls need an `fs`): calling one in a scenario that
 * declares none is a parse error at the call, with the hint ("add `device
 * disk` and `fs root disk`"), instead of a run where every call fails. */
struct scn_needs {
	const char *op;
	const char *kind;
	const char *hint;
};
void scn_register_needs(const struct scn_needs *n, int count);
/* What op needs (NULL: nothing). */
const struct scn_needs *scn_needs_find(const char *op);

/* The i-th registered constant's name (NULL past the end). */
const char *scn_const_name_at(int i);

/* ---- Programs and runs --------------------------------------------- */

struct scn_prog;

/* Run options a scenario may set (bits of .set). */
#define SCN_OPT_SEED 0x01
#define SCN_OPT_POLICY 0x02
#define SCN_OPT_PREEMPT 0x04
#define SCN_OPT_PCT_DEPTH 0x08
#define SCN_OPT_PCT_STEPS 0x10
#define SCN_OPT_MAX_STEPS 0x20
#define SCN_OPT_IRQ 0x40
#define SCN_OPT_STEP_COST 0x80

struct scn_options {
	unsigned set;
	uint64_t seed;
	enum simk_policy policy;
	double preempt_prob;
	double irq_prob;
	int pct_depth;
	uint64_t pct_steps;
	uint64_t max_steps;
	uint64_t step_cost_ns;
	const char *const *faults; /* fault specs, in file order */
	int nfaults;
};

/* Parses text (name is used in messages). On error returns NULL and writes
 * "name:line:col: message" to err. */
struct scn_prog *scn_parse(const char *name, const char *text, size_t len, char *err,
			   size_t errlen);
/* Reads and parses a file. */
struct scn_prog *scn_load(const char *path, char *err, size_t errlen);
void scn_free(struct scn_prog *p);

const struct scn_options *scn_prog_options(const struct scn_prog *p);
/* Overwrites the fields of o that the scenario sets. */
void scn_apply_options(const struct scn_prog *p, struct simk_opts *o);
const char *scn_prog_name(const struct scn_prog *p);
int scn_prog_threads(const struct scn_prog *p); /* thread declarations */

/*
 * Prepares the current simulation s (created, not yet run) to run p:
 * enables the scenario's faults, creates the objects, the processes and
 * the automatic threads, in declaration order. p must outlive s. Returns 0,
 * or -1 with a message in err.
 */
int scn_instantiate(struct simk *s, const struct scn_prog *p, char *err, size_t errlen);

/*
 * Properties (docs/scenarios.md, "Properties"): `sometimes` / `reachable`
 * statements and top-level `always` / `eventually` conditions, numbered in
 * the order of the file (at most 64). scn_prop_at fills kind ("sometimes",
 * "reachable", "always", "eventually"), the condition as written ("" for
 * reachable) and its line; false past the last. scn_props_hit: after a
 * run of s, bit k set when property k held in it (sometimes/reachable:
 * the statement ran with its condition true; eventually: it came true).
 */
struct scn_prop_info {
	const char *kind;
	const char *text;
	int line;
};
bool scn_prop_at(const struct scn_prog *p, int k, struct scn_prop_info *out);
uint64_t scn_props_hit(const struct simk *s);

/* After a failed run: where each live scenario thread stopped
 * ("  waiter (tid 2) sleeps on wq at lost-wakeup.scn:14:5: sleep wq"). */
void scn_print_blocked(const struct simk *s, void *file);
/* After a failed run: "file:line:col" of the statement the failing thread
 * was running, if it was a scenario thread; -1 otherwise. */
int scn_failure_site(const struct simk *s, char *buf, size_t len);

/*
 * Programs that are not scenarios. A layer that runs another kind of
 * program — the guest runtime, whose programs are ELF shared objects
 * (docs/guest.md) — registers it here, so every command that takes a
 * scenario (run, explore, check-determinism, and whatever loads through
 * scn_load) takes such a program too: scn_load hands it the files it
 * claims, and scn_free, scn_apply_options, scn_instantiate,
 * scn_print_blocked and scn_failure_site hand it its own programs and
 * runs. A foreign program has no scenario text: the parts of this API
 * that read statements see an empty program.
 */
struct scn_foreign {
	const char *name; /* "guest" */
	/* Whether path is one of its programs (read the file's magic). */
	bool (*claims)(const char *path);
	/* args: the program's own arguments (after `--` on the command line). */
	void *(*load)(const char *path, const char *const *args, int nargs, char *err,
		      size_t errlen);
	void (*free)(void *prog);
	void (*apply_options)(const void *prog, struct simk_opts *o);
	int (*instantiate)(struct simk *s, const void *prog, char *err, size_t errlen);
	/* After a failed run of one of its programs (it checks s is). */
	void (*print_blocked)(const struct simk *s, void *file);
	int (*failure_site)(const struct simk *s, char *buf, size_t len);
	/* After any run of one of its programs: its output, if it has one. */
	void (*print_output)(const struct simk *s, void *out, void *err);
	/* Where thread t of one of its programs is (the source file and line
	 * of its call in progress), for messages and the trace; false for a
	 * thread that is not its program's. NULL if it cannot tell. */
	bool (*thread_site)(const struct simk_thread *t, const char **file, int *line);
};
/* Registered once per host process (simk_register_builtin). */
void scn_register_foreign(const struct scn_foreign *f);
/* scn_load with arguments for a foreign program (a scenario takes none:
 * nargs > 0 is an error for one). */
struct scn_prog *scn_load_args(const char *path, const char *const *args, int nargs, char *err,
			       size_t errlen);
/* The foreign program behind p, or NULL for a scenario. */
void *scn_foreign_prog(const struct scn_prog *p);
/* Prints the output of the run (a foreign program's console), if any. */
void scn_print_output(const struct simk *s, void *out, void *err);
/* Where a thread of a foreign program is (its kind's thread_site). */
bool scn_foreign_thread_site(const struct simk_thread *t, const char **file, int *line);

/*
 * Where a scenario thread is, for messages that explain a schedule (simk
 * shrink): the statement it is at (about to run, or inside when it is a
 * call) and the one it ran before it, with their source text. False for a
 * thread that is not a scenario thread or has not started its body.
 */
#define SCN_STMT_TEXT_MAX 80
struct scn_where {
	const char *file;
	int line, col;	     /* the statement it is at */
	bool call;	     /* that statement calls an operation */
	int prev_line;	     /* the statement before it; 0: none yet */
	char text[SCN_STMT_TEXT_MAX];	   /* "sleep wq" (the source line, trimmed) */
	char prev_text[SCN_STMT_TEXT_MAX]; /* "if flag == 0" */
};
bool scn_thread_where(const struct simk_thread *t, struct scn_where *w);
/* The source of line `line` of p without indentation and comment ("" when
 * there is no such line); cut to len - 1 bytes. */
void scn_source_line(const struct scn_prog *p, int line, char *buf, size_t len);
/* The line of the first statement of thread `name`'s body (0: none). */
int scn_thread_body_line(const struct scn_prog *p, const char *name);

/* Registers the interpreter's engine plug-in (per-run state, finally,
 * teardown); called by simk_register_builtin(), after every layer. */
void scn_register(void);
/* scn_register() has run, so the registries are complete: scn_parse()
 * refuses to parse before. */
bool scn_registered(void);

/* Usage line of an operation or kind ("sleep WQ [timeout=DUR] ..."). */
void scn_usage(const char *name, const struct scn_argspec *a, int n, char *buf, size_t len);
/* Iterates the registries (for `simk help ops` and docs). */
const struct scn_op *scn_op_at(int i);
const struct scn_kind *scn_kind_at(int i);

#endif
