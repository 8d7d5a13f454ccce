/*
 * The scenario parser: compiles a .scn file into a struct scn_prog.
 *
 * Two passes over the lines. The first only collects the names of
 * top-level declarations (so a thread may spawn a thread declared further
 * down, or read a shared variable declared after it). The second parses
 * every line, keeping a stack of open blocks keyed by indentation, and
 * emits flat code: an `if` is a conditional jump patched when its block
 * closes, loops jump back. The parser runs on the host stack and may
 * recurse, but only through expressions, whose nesting is bounded.
 *
 * Errors stop the parse at the first problem ("file:line:col: message"),
 * through a longjmp to scn_parse(), which frees the half-built program.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/fault.h"
#include "sim/hostfile.h"
#include "scn/scn_internal.h"
#include "scn/scn_lex.h"
#include "scn/scn_suggest.h"

#define PAREN_MAX 64
#define SCN_SHARED_WORDS_MAX (1 << 22) /* the run's shared storage, in values */
#define FILE_MAX (16u << 20)

struct scn_chunk {
	struct scn_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

enum lkind { L_TOP = 0, L_BODY, L_IF, L_ELSE, L_WHILE, L_REPEAT };

struct level {
	enum lkind kind;
	int indent;
	int line;	  /* of the header */
	const char *word; /* header keyword, for messages */
	int nvis;	  /* visible locals when the block opened */
	int jfalse;	  /* L_IF: the test jumping past this branch */
	int ends;	  /* if chain: end jumps, linked through .target */
	int loop_head;	  /* L_WHILE: its test; L_REPEAT: its REP_TEST */
	int breaks, continues;
	/* the if/elif/else chain most recently closed directly inside */
	bool chain_open, chain_else;
	int chain_jfalse, chain_ends;
};

struct local {
	char name[SCN_NAME_MAX];
	int slot;
	int arr; /* an array's id in p->arrays, or -1 for a scalar */
};

/* What a top-level name is: an index into p->decls, p->shared or
 * p->arrays. */
enum ns { NS_DECL = 0, NS_SHARED, NS_ARRAY };

/* The top-level names (declarations and shared variables) by hash, so
 * that a file with many declarations parses in linear time. */
struct name_slot {
	const char *name; /* NULL: free */
	int32_t idx;
	uint8_t ns;
};

struct seen_var {
	const char *name;
	uint8_t vkind;
	int32_t var;
};

struct parser {
	struct scn_prog *p;
	char *err;
	size_t errlen;
	jmp_buf jb;
	const char *text;
	size_t textlen;
	int line;
	const char *ls; /* the current line */
	int llen;
	struct scn_lexline *ll;
	int ti;
	struct level lv[SCN_NEST_MAX + 2];
	int nlv;
	bool pending;
	struct level pend;
	int pend_body; /* body to start when a pending L_BODY opens */
	int cur_body;
	struct local locals[SCN_LOCALS_MAX];
	int nvis, nslots;
	int opt_line[8];
	int finally_line;
	/* expression state */
	int depth, depth_max, parens;
	bool argmode;
	int cmp_l, cmp_r, cmp_end;
	struct seen_var seen[6];
	int nseen;
	int last_line;
	struct name_slot *names; /* open addressing, at most half full */
	uint32_t names_cap, nnames;
};

static const char *const reserved[] = {
    "local",  "if",	   "elif",	"else",	     "while",	  "repeat", "as",
    "break",  "continue",  "pass",	"expect",    "print",	  "thread", "process",
    "shared", "finally",   "in",	"manual",    "seed",	  "policy", "preempt",
    "irq",    "pct_depth", "pct_steps", "max_steps", "step_cost", "fault",  "always",
    "eventually", "within", "sometimes", "reachable", NULL,
};

static const char *const options[] = {
    "seed", "policy", "preempt", "irq", "pct_depth", "pct_steps", "max_steps", "step_cost", NULL,
};

/* ---- errors and memory -------------------------------------------- */

static _Noreturn void perr(struct parser *P, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void perr(struct parser *P, int col, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(P->err, P->errlen, "%s:%d:%d: %s", P->p->name, P->line, col > 0 ? col : 1, msg);
	longjmp(P->jb, 1);
}

static void *xrealloc(struct parser *P, void *ptr, size_t n)
{
	void *q = realloc(ptr, n ? n : 1);
	if (q == NULL)
		perr(P, 1, "out of memory");
	return q;
}

#define GROW(P, arr, n, cap)                                                                       \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			int32_t ncap_ = (cap) ? (cap)*2 : 16;                                      \
			(arr) = xrealloc((P), (arr), (size_t)ncap_ * sizeof(*(arr)));              \
			memset((arr) + (cap), 0, (size_t)(ncap_ - (cap)) * sizeof(*(arr)));        \
			(cap) = ncap_;                                                             \
		}                                                                                  \
	} while (0)

static void *arena_alloc(struct parser *P, size_t n)
{
	struct scn_prog *p = P->p;
	n = (n + 15) & ~(size_t)15;
	struct scn_chunk *c = p->arena;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > 8192 ? n : 8192;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			perr(P, 1, "out of memory");
		c->next = p->arena;
		c->used = 0;
		c->cap = cap;
		p->arena = c;
	}
	void *r = (char *)c->data + c->used;
	c->used += n;
	return r;
}

static char *astrndup(struct parser *P, const char *s, size_t n)
{
	char *d = arena_alloc(P, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- tokens --------------------------------------------------------- */

static struct scn_tok *T(struct parser *P)
{
	return &P->ll->tok[P->ti];
}

static struct scn_tok *T1(struct parser *P)
{
	return P->ti < P->ll->ntok ? &P->ll->tok[P->ti + 1] : &P->ll->tok[P->ll->ntok];
}

static void adv(struct parser *P)
{
	if (P->ti < P->ll->ntok)
		P->ti++;
}

static bool is_word(const struct scn_tok *t, const char *w)
{
	return t->type == TK_IDENT && (size_t)t->len == strlen(w) &&
	       memcmp(t->s, w, (size_t)t->len) == 0;
}

static bool is_op(const struct scn_tok *t, int op)
{
	return t->type == TK_OP && t->op == op;
}

static void tokname(const struct scn_tok *t, char *buf)
{
	memcpy(buf, t->s, (size_t)t->len);
	buf[t->len] = '\0';
}

static const char *tokdesc(const struct scn_tok *t, char *buf, size_t len)
{
	if (t->type == TK_EOL)
		return "end of line";
	snprintf(buf, len, "'%.*s'", t->len > 40 ? 40 : t->len, t->s);
	return buf;
}

static void expect_eol(struct parser *P, const char *after)
{
	struct scn_tok *t = T(P);
	if (t->type != TK_EOL) {
		char b[64];
		perr(P, t->col, "unexpected %s after %s", tokdesc(t, b, sizeof(b)), after);
	}
}

static bool in_list(const char *const *list, const char *w)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], w) == 0)
			return true;
	return false;
}

/* ---- names ---------------------------------------------------------- */

enum nk { NK_NONE = 0, NK_LOCAL, NK_SHARED, NK_DECL, NK_CONST, NK_ARRAY };

struct nameref {
	enum nk k;
	int idx;
	int64_t val;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* Slots looked at by name_slot since the process started: the test of
 * linear-time parsing counts work instead of timing it. */
static uint64_t name_probes;

uint64_t scn_parse_name_probes(void)
{
	return name_probes;
}

/* The slot holding name, or the free slot where it would go. */
static struct name_slot *name_slot(struct name_slot *tab, uint32_t cap, const char *name)
{
	uint32_t i = name_hash(name) & (cap - 1);
	for (uint32_t n = 0; n < cap; n++, i = (i + 1) & (cap - 1)) {
		name_probes++;
		if (tab[i].name == NULL || strcmp(tab[i].name, name) == 0)
			return &tab[i];
	}
	return NULL; /* not reached: the table is at most half full */
}

/* Records a new top-level name (its string lives in the program). */
static void names_add(struct parser *P, const char *name, enum ns ns, int idx)
{
	if (2 * (P->nnames + 1) > P->names_cap) {
		uint32_t ncap = P->names_cap ? 2 * P->names_cap : 64;
		struct name_slot *n = calloc(ncap, sizeof(*n));
		if (n == NULL)
			perr(P, 1, "out of memory");
		for (uint32_t i = 0; i < P->names_cap; i++)
			if (P->names[i].name != NULL)
				*name_slot(n, ncap, P->names[i].name) = P->names[i];
		free(P->names);
		P->names = n;
		P->names_cap = ncap;
	}
	struct name_slot *sl = name_slot(P->names, P->names_cap, name);
	if (sl == NULL || sl->name != NULL)
		perr(P, 1, "internal: the name '%s' was recorded twice", name);
	sl->name = name;
	sl->idx = idx;
	sl->ns = (uint8_t)ns;
	P->nnames++;
}

static int find_name(const struct parser *P, const char *name, enum ns ns)
{
	if (P->names_cap == 0)
		return -1;
	const struct name_slot *sl = name_slot(P->names, P->names_cap, name);
	return sl != NULL && sl->name != NULL && sl->ns == ns ? sl->idx : -1;
}

static int find_decl(const struct parser *P, const char *name)
{
	return find_name(P, name, NS_DECL);
}

static int find_shared(const struct parser *P, const char *name)
{
	return find_name(P, name, NS_SHARED);
}

static int find_shared_array(const struct parser *P, const char *name)
{
	return find_name(P, name, NS_ARRAY);
}

/* The line a top-level variable (scalar or array) was declared at, or 0. */
static int shared_line(const struct parser *P, const char *name)
{
	int i = find_shared(P, name);
	if (i >= 0)
		return P->p->shared[i].line;
	i = find_shared_array(P, name);
	return i >= 0 ? P->p->arrays[i].line : 0;
}

static struct nameref lookup(struct parser *P, const char *name)
{
	struct nameref r = {NK_NONE, -1, 0};
	for (int i = P->nvis; i > 0; i--) {
		if (strcmp(P->locals[i - 1].name, name) == 0) {
			bool arr = P->locals[i - 1].arr >= 0;
			r.k = arr ? NK_ARRAY : NK_LOCAL;
			r.idx = arr ? P->locals[i - 1].arr : P->locals[i - 1].slot;
			return r;
		}
	}
	if ((r.idx = find_shared(P, name)) >= 0) {
		r.k = NK_SHARED;
		return r;
	}
	if ((r.idx = find_shared_array(P, name)) >= 0) {
		r.k = NK_ARRAY;
		return r;
	}
	if ((r.idx = find_decl(P, name)) >= 0) {
		r.k = NK_DECL;
		return r;
	}
	if (scn_const_find(name, &r.val)) {
		r.k = NK_CONST;
		return r;
	}
	return r;
}

/* Offers the names a statement or an expression can use here: visible
 * locals, shared variables and declared objects. */
static void suggest_names(const struct parser *P, struct scn_suggest *g)
{
	for (int i = P->nvis; i > 0; i--)
		scn_suggest_try(g, P->locals[i - 1].name);
	for (int i = 0; i < P->p->nshared; i++)
		scn_suggest_try(g, P->p->shared[i].name);
	for (int i = 0; i < P->p->ndecls; i++)
		scn_suggest_try(g, P->p->decls[i].d.name);
}

/* An unknown name in an expression: an operation's name misspelt reads
 * as "unknown operation", anything else as "undeclared name"; both
 * suggest the closest known name. */
_Noreturn static void unknown_in_expr(struct parser *P, int col, const char *name)
{
	char hint[96];
	struct scn_suggest g;
	scn_suggest_init(&g, name);
	scn_suggest_ops(&g);
	const char *op_guess = g.best;
	suggest_names(P, &g);
	scn_suggest_consts(&g);
	if (g.best != NULL && g.best == op_guess)
		perr(P, col, "unknown operation '%s'%s", name,
		     scn_suggest_text(&g, hint, sizeof(hint)));
	perr(P, col, "undeclared name '%s'%s", name, scn_suggest_text(&g, hint, sizeof(hint)));
}

/* A new name must not hide anything the reader could confuse it with. */
static void check_new_name(struct parser *P, const struct scn_tok *t, const char *name)
{
	int64_t v;
	if (in_list(reserved, name))
		perr(P, t->col, "'%s' is a reserved word; choose another name", name);
	if (scn_op_find(name) != NULL)
		perr(P, t->col, "'%s' is an operation; choose another name", name);
	if (scn_kind_find(name) != NULL)
		perr(P, t->col, "'%s' is a declaration keyword; choose another name", name);
	if (scn_const_find(name, &v))
		perr(P, t->col, "'%s' is a constant; choose another name", name);
}

static const char *decl_where(const struct scn_pdecl *d, char *buf, size_t len)
{
	if (d->d.line == 0)
		snprintf(buf, len, "implicitly (the default process)");
	else
		snprintf(buf, len, "at line %d", d->d.line);
	return buf;
}

/* ---- code emission -------------------------------------------------- */

static int emit(struct parser *P, enum scn_sop op, bool boundary, int line, int col)
{
	struct scn_prog *p = P->p;
	GROW(P, p->code, p->ncode, p->code_cap);
	struct scn_insn *in = &p->code[p->ncode];
	memset(in, 0, sizeof(*in));
	in->op = (uint8_t)op;
	in->boundary = boundary;
	in->var = -1;
	in->aux = -1;
	in->target = -1;
	in->line = line;
	in->col = col;
	return p->ncode++;
}

static void patch_list(struct parser *P, int head, int target)
{
	for (int i = head, guard = 0; i >= 0; guard++) {
		int next = P->p->code[i].target;
		P->p->code[i].target = target;
		i = next;
		if (guard > (1 << 28))
			break;
	}
}

static int emit_e(struct parser *P, enum scn_eop op, int col, int32_t arg, int64_t val)
{
	struct scn_prog *p = P->p;
	GROW(P, p->ecode, p->necode, p->ecode_cap);
	struct scn_einsn *e = &p->ecode[p->necode];
	e->op = (uint16_t)op;
	e->col = (uint16_t)(col > 65535 ? 65535 : col);
	e->arg = arg;
	e->val = val;
	return p->necode++;
}

static void push_depth(struct parser *P, int col)
{
	if (++P->depth > P->depth_max)
		P->depth_max = P->depth;
	if (P->depth > SCN_EVAL_STACK_MAX)
		perr(P, col, "expression too complex (more than %d pending operands)",
		     SCN_EVAL_STACK_MAX);
}

/* ---- expressions ---------------------------------------------------- */

/* C's precedence, loosest first. */
static int prec_of(int op)
{
	switch (op) {
	case OP_OR:
		return 1;
	case OP_AND:
		return 2;
	case '|':
		return 3;
	case '^':
		return 4;
	case '&':
		return 5;
	case OP_EQ:
	case OP_NE:
		return 6;
	case '<':
	case '>':
	case OP_LE:
	case OP_GE:
		return 7;
	case OP_SHL:
	case OP_SHR:
		return 8;
	case '+':
	case '-':
		return 9;
	case '*':
	case '/':
	case '%':
		return 10;
	}
	return 0;
}

static enum scn_eop eop_of(int op)
{
	switch (op) {
	case '+':
		return E_ADD;
	case '-':
		return E_SUB;
	case '*':
		return E_MUL;
	case '/':
		return E_DIV;
	case '%':
		return E_MOD;
	case OP_EQ:
		return E_EQ;
	case OP_NE:
		return E_NE;
	case '<':
		return E_LT;
	case OP_LE:
		return E_LE;
	case '>':
		return E_GT;
	case OP_GE:
		return E_GE;
	case OP_AND:
		return E_AND;
	case OP_OR:
		return E_OR;
	case '&':
		return E_BAND;
	case '|':
		return E_BOR;
	case '^':
		return E_BXOR;
	case OP_SHL:
		return E_SHL;
	case OP_SHR:
		return E_SHR;
	}
	return E_CONST;
}

static bool is_cmp(int eop)
{
	return eop >= E_EQ && eop <= E_GE;
}

const char *scn_arith_error(int rc, int64_t b, char *buf, size_t len)
{
	if (rc == SCN_ARITH_SHIFT)
		snprintf(buf, len, "shift count %lld out of range (0 to 63)", (long long)b);
	else
		snprintf(buf, len, "division by zero");
	return buf;
}

static void expr_bin(struct parser *P, int minprec);

static void note_var(struct parser *P, const char *name, uint8_t vk, int32_t var)
{
	for (int i = 0; i < P->nseen; i++)
		if (P->seen[i].vkind == vk && P->seen[i].var == var)
			return;
	if (P->nseen < (int)(sizeof(P->seen) / sizeof(P->seen[0]))) {
		P->seen[P->nseen].name = name;
		P->seen[P->nseen].vkind = vk;
		P->seen[P->nseen].var = var;
		P->nseen++;
	}
}

static const char *local_name(struct parser *P, int slot)
{
	for (int i = P->nvis; i > 0; i--)
		if (P->locals[i - 1].slot == slot)
			return P->locals[i - 1].name;
	return "?";
}

/* An expression between `open` (the current token) and its closing
 * bracket, outside any argument list: (a -1) is one value. */
static void expr_bracketed(struct parser *P, int close, const char *what)
{
	struct scn_tok *t = T(P);
	char b[64];
	if (++P->parens > PAREN_MAX)
		perr(P, t->col, "expression nested too deeply (more than %d parentheses)",
		     PAREN_MAX);
	bool saved = P->argmode;
	P->argmode = false;
	adv(P);
	expr_bin(P, 1);
	P->argmode = saved;
	struct scn_tok *c = T(P);
	if (!is_op(c, close))
		perr(P, c->col, "expected '%c' to close the '%c' at column %d%s, found %s", close,
		     t->op, t->col, what, tokdesc(c, b, sizeof(b)));
	adv(P);
	P->parens--;
}

static const char *array_name(const struct parser *P, int arr)
{
	return P->p->arrays[arr].name;
}

/* `NAME[INDEX]` after the array's name: pushes the element. */
static void array_element(struct parser *P, int arr, const struct scn_tok *nt)
{
	struct scn_tok *t = T(P);
	if (!is_op(t, '['))
		perr(P, nt->col,
		     "'%s' is an array: use %s[INDEX] for an element, len(%s) for its length",
		     array_name(P, arr), array_name(P, arr), array_name(P, arr));
	expr_bracketed(P, ']', " of the index");
	emit_e(P, E_AGET, nt->col, arr, 0);
}

/* `len(NAME)`: the array's length, a constant once its declaration was
 * parsed (a shared array declared further down is looked up at run time). */
static void array_len(struct parser *P, const struct scn_tok *lt)
{
	char b[64], name[SCN_NAME_MAX];
	adv(P); /* len */
	adv(P); /* ( */
	struct scn_tok *t = T(P);
	if (t->type != TK_IDENT)
		perr(P, t->col, "len() takes the name of an array, found %s",
		     tokdesc(t, b, sizeof(b)));
	tokname(t, name);
	struct nameref r = lookup(P, name);
	if (r.k != NK_ARRAY)
		perr(P, t->col, "len() takes the name of an array, '%s' is %s", name,
		     r.k == NK_NONE ? "undeclared" : "not an array");
	adv(P);
	struct scn_tok *c = T(P);
	if (!is_op(c, ')'))
		perr(P, c->col, "expected ')' after len(%s, found %s", name,
		     tokdesc(c, b, sizeof(b)));
	adv(P);
	push_depth(P, lt->col);
	int32_t len = P->p->arrays[r.idx].len;
	if (len >= 0)
		emit_e(P, E_CONST, lt->col, 0, len);
	else
		emit_e(P, E_ALEN, lt->col, r.idx, 0);
}

static void expr_primary(struct parser *P)
{
	struct scn_prog *p = P->p;
	struct scn_tok *t = T(P);
	char b[64];
	if (t->type == TK_OP && (t->op == '-' || t->op == '+' || t->op == '!' || t->op == '~')) {
		int op = t->op;
		adv(P);
		int start = p->necode;
		expr_primary(P);
		if (op == '+')
			return;
		if (p->necode == start + 1 && p->ecode[start].op == E_CONST) {
			int64_t v = p->ecode[start].val;
			p->ecode[start].val = op == '-'	  ? (int64_t)(0 - (uint64_t)v)
					      : op == '~' ? (int64_t) ~(uint64_t)v
							  : (v == 0);
			return;
		}
		emit_e(P, op == '-' ? E_NEG : op == '~' ? E_BNOT : E_NOT, t->col, 0, 0);
		return;
	}
	if (is_op(t, '(')) {
		expr_bracketed(P, ')', "");
		return;
	}
	if (t->type == TK_INT) {
		push_depth(P, t->col);
		emit_e(P, E_CONST, t->col, 0, t->v);
		adv(P);
		return;
	}
	if (t->type == TK_IDENT) {
		char name[SCN_NAME_MAX];
		tokname(t, name);
		struct nameref r = lookup(P, name);
		if (r.k == NK_NONE && strcmp(name, "len") == 0 && is_op(T1(P), '(')) {
			array_len(P, t);
			return;
		}
		switch (r.k) {
		case NK_ARRAY:
			adv(P);
			array_element(P, r.idx, t);
			return;
		case NK_LOCAL:
			push_depth(P, t->col);
			emit_e(P, E_LOCAL, t->col, r.idx, 0);
			note_var(P, local_name(P, r.idx), V_LOCAL, r.idx);
			break;
		case NK_SHARED:
			push_depth(P, t->col);
			emit_e(P, E_SHARED, t->col, r.idx, 0);
			note_var(P, p->shared[r.idx].name, V_SHARED, r.idx);
			break;
		case NK_CONST:
			push_depth(P, t->col);
			emit_e(P, E_CONST, t->col, 0, r.val);
			break;
		case NK_DECL:
			perr(P, t->col, "'%s' is a %s, not a value", name, p->decls[r.idx].d.kind);
		case NK_NONE:
			if (in_list(reserved, name))
				perr(P, t->col, "expected an expression, found the keyword '%s'",
				     name);
			if (scn_op_find(name) != NULL)
				perr(P, t->col,
				     "'%s' is an operation: call it as a statement (x = %s ...)",
				     name, name);
			unknown_in_expr(P, t->col, name);
		}
		adv(P);
		return;
	}
	if (t->type == TK_STR)
		perr(P, t->col, "strings are only allowed as operation arguments");
	if (t->type == TK_FLOAT)
		perr(P, t->col, "fractional number: only durations may have a fraction (1.5ms)");
	perr(P, t->col, "expected an expression, found %s", tokdesc(t, b, sizeof(b)));
}

static void expr_bin(struct parser *P, int minprec)
{
	struct scn_prog *p = P->p;
	char b[64];
	int lstart = p->necode;
	expr_primary(P);
	for (;;) {
		struct scn_tok *t = T(P);
		if (t->type != TK_OP)
			return;
		int prec = prec_of(t->op);
		if (prec == 0 || prec < minprec)
			return;
		/* In an argument list, `f a -1` passes -1 as a second argument. */
		if (P->argmode && (t->op == '+' || t->op == '-') && t->sp_before && !t->sp_after)
			return;
		adv(P);
		enum scn_eop eop = eop_of(t->op);
		if (eop == E_AND || eop == E_OR) {
			int j = emit_e(P, eop, t->col, 0, 0);
			P->depth--;
			int rstart = p->necode;
			expr_bin(P, prec + 1);
			emit_e(P, E_BOOL, t->col, 0, 0);
			p->ecode[j].arg = p->necode - j; /* relative: past the BOOL */
			if (j == lstart + 1 && p->ecode[lstart].op == E_CONST &&
			    p->necode == rstart + 2 && p->ecode[rstart].op == E_CONST) {
				int64_t a = p->ecode[lstart].val, bv = p->ecode[rstart].val;
				int64_t v =
				    eop == E_AND ? (a != 0 && bv != 0) : (a != 0 || bv != 0);
				p->ecode[lstart].val = v;
				p->necode = lstart + 1;
			}
			continue;
		}
		int rstart = p->necode;
		expr_bin(P, prec + 1);
		if (rstart == lstart + 1 && p->necode == rstart + 1 &&
		    p->ecode[lstart].op == E_CONST && p->ecode[rstart].op == E_CONST) {
			int64_t v;
			int rc = scn_arith(eop, p->ecode[lstart].val, p->ecode[rstart].val, &v);
			if (rc != 0)
				perr(P, t->col, "%s",
				     scn_arith_error(rc, p->ecode[rstart].val, b, sizeof(b)));
			p->ecode[lstart].val = v;
			p->necode = lstart + 1;
			P->depth--;
			continue;
		}
		emit_e(P, eop, t->col, 0, 0);
		P->depth--;
		if (is_cmp(eop)) {
			P->cmp_l = lstart;
			P->cmp_r = rstart;
			P->cmp_end = p->necode;
		}
	}
}

static struct scn_expr compile_expr(struct parser *P, bool argmode)
{
	struct scn_expr e;
	e.start = P->p->necode;
	P->argmode = argmode;
	P->depth = P->depth_max = 0;
	P->parens = 0;
	P->cmp_end = -1;
	expr_bin(P, 1);
	P->argmode = false;
	e.len = P->p->necode - e.start;
	return e;
}

/* A constant expression: folded to one E_CONST. */
static int64_t const_expr(struct parser *P, const char *what, bool argmode)
{
	struct scn_tok *t = T(P);
	int col = t->col;
	struct scn_expr e = compile_expr(P, argmode);
	struct scn_einsn *in = &P->p->ecode[e.start];
	if (e.len != 1 || in->op != E_CONST)
		perr(P, col, "%s must be a constant (numbers and named constants only)", what);
	int64_t v = in->val;
	P->p->necode = e.start; /* the value is all we keep */
	return v;
}

/* `[INDEX]` after an array's name (the current token is '['), compiled as
 * an expression of its own. */
static struct scn_expr compile_index(struct parser *P, int arr, const struct scn_tok *nt)
{
	if (!is_op(T(P), '['))
		perr(P, nt->col, "'%s' is an array: name one element, %s[INDEX]",
		     array_name(P, arr), array_name(P, arr));
	struct scn_expr e;
	e.start = P->p->necode;
	P->argmode = false;
	P->depth = P->depth_max = 0;
	P->parens = 0;
	P->cmp_end = -1;
	expr_bracketed(P, ']', " of the index");
	e.len = P->p->necode - e.start;
	return e;
}

/* `[A, B, ...]` (the current token is '['): at most max values, each an
 * expression (constant: folded into vals) compiled into items. Returns the
 * count. */
static int parse_values(struct parser *P, struct scn_expr *items, int64_t *vals, int max)
{
	char b[64];
	struct scn_tok *open = T(P);
	adv(P);
	if (is_op(T(P), ']'))
		perr(P, T(P)->col, "an array needs at least one value");
	int n = 0;
	for (;;) {
		struct scn_tok *t = T(P);
		if (n >= max)
			perr(P, t->col, "too many values for the array (at most %d)", max);
		if (vals != NULL)
			vals[n++] = const_expr(P, "the initial value of a shared array", false);
		else
			items[n++] = compile_expr(P, false);
		t = T(P);
		if (is_op(t, ']'))
			break;
		if (!is_op(t, ','))
			perr(P, t->col,
			     "expected ',' or ']' in the values of the '[' at column %d, found %s",
			     open->col, tokdesc(t, b, sizeof(b)));
		adv(P);
	}
	adv(P);
	return n;
}

/* `[N]` after an array's name: its length, 1 to max. */
static int array_length(struct parser *P, int max, const char *hint)
{
	char b[64];
	struct scn_tok *open = T(P);
	adv(P);
	struct scn_tok *t = T(P);
	if (is_op(t, ']'))
		perr(P, t->col, "give the array's length, or its values: NAME = [A, B, ...]");
	int64_t len = const_expr(P, "an array's length", false);
	if (len < 1 || len > max)
		perr(P, t->col, "an array's length must be between 1 and %d%s", max, hint);
	struct scn_tok *c = T(P);
	if (!is_op(c, ']'))
		perr(P, c->col, "expected ']' to close the '[' at column %d, found %s", open->col,
		     tokdesc(c, b, sizeof(b)));
	adv(P);
	return (int)len;
}

static int new_array(struct parser *P, const struct scn_tok *nt, bool local)
{
	struct scn_prog *p = P->p;
	GROW(P, p->arrays, p->narrays, p->arrays_cap);
	struct scn_array *a = &p->arrays[p->narrays];
	memset(a, 0, sizeof(*a));
	a->name = astrndup(P, nt->s, (size_t)nt->len);
	char wn[SCN_NAME_MAX + 8];
	snprintf(wn, sizeof(wn), "%s[] =", a->name);
	a->wname = astrndup(P, wn, strlen(wn));
	a->name_nh = hash_str(a->name);
	a->wname_nh = hash_str(a->wname);
	a->local = local;
	a->len = -1;
	a->line = P->line;
	a->col = nt->col;
	return p->narrays++;
}

/* ---- arguments ------------------------------------------------------ */

static const char *kind_article(const char *kind)
{
	return strchr("aeiou", kind[0]) != NULL ? "an" : "a";
}

static void describe_kinds(const char *kinds, char *buf, size_t len)
{
	size_t off = 0;
	const char *s = kinds;
	buf[0] = '\0';
	for (;;) {
		const char *bar = strchr(s, '|');
		int n = bar ? (int)(bar - s) : (int)strlen(s);
		off += (size_t)snprintf(buf + off, len - off, "%s%s %.*s", off ? " or " : "",
					kind_article(s), n, s);
		if (bar == NULL || off >= len)
			break;
		s = bar + 1;
	}
}

static void parse_arg(struct parser *P, const char *what, const struct scn_argspec *a,
		      struct scn_argsrc *out, bool constant, int self_decl)
{
	struct scn_prog *p = P->p;
	struct scn_tok *t = T(P);
	char name[SCN_NAME_MAX], b[64], kinds[160];
	out->given = true;
	switch (a->type) {
	case SCN_INT:
	case SCN_DUR:
		if (t->type == TK_EOL)
			perr(P, t->col, "missing value for '%s' of '%s'", a->name, what);
		if (constant) {
			int64_t v = const_expr(P, "a declaration argument", true);
			if (a->type == SCN_DUR && v < 0)
				perr(P, t->col, "'%s' of '%s' must not be negative", a->name, what);
			/* keep the value in the expression arrays as one constant */
			out->e.start = emit_e(P, E_CONST, t->col, 0, v);
			out->e.len = 1;
		} else {
			out->e = compile_expr(P, true);
		}
		return;
	case SCN_OBJ: {
		describe_kinds(a->kind, kinds, sizeof(kinds));
		if (t->type != TK_IDENT)
			perr(P, t->col, "'%s' expects the name of %s for '%s', found %s", what,
			     kinds, a->name, tokdesc(t, b, sizeof(b)));
		tokname(t, name);
		struct nameref r = lookup(P, name);
		if (r.k == NK_NONE) {
			char hint[96];
			struct scn_suggest g;
			scn_suggest_init(&g, name);
			for (int i = 0; i < p->ndecls; i++)
				if (scn_kind_matches(a->kind, p->decls[i].d.kind))
					scn_suggest_try(&g, p->decls[i].d.name);
			perr(P, t->col, "undeclared name '%s' ('%s' expects %s)%s", name, what,
			     kinds, scn_suggest_text(&g, hint, sizeof(hint)));
		}
		if (r.k != NK_DECL)
			perr(P, t->col, "wrong argument type: '%s' expects %s, '%s' is a %s", what,
			     kinds, name, r.k == NK_CONST ? "constant" : "variable");
		const struct scn_pdecl *d = &p->decls[r.idx];
		if (!scn_kind_matches(a->kind, d->d.kind))
			perr(P, t->col, "wrong argument type: '%s' expects %s, '%s' is %s %s", what,
			     kinds, name, kind_article(d->d.kind), d->d.kind);
		if (constant && self_decl >= 0 && r.idx >= self_decl)
			perr(P, t->col, "declare '%s' before '%s' uses it", name, what);
		out->obj = r.idx;
		adv(P);
		return;
	}
	case SCN_STR:
		if (t->type != TK_STR)
			perr(P, t->col, "'%s' expects a string (\"...\") for '%s', found %s", what,
			     a->name, tokdesc(t, b, sizeof(b)));
		out->str = astrndup(P, t->str, (size_t)t->strlen);
		adv(P);
		return;
	case SCN_LIST: {
		out->arr = -1;
		if (t->type == TK_IDENT && !is_op(T1(P), '[')) {
			tokname(t, name);
			struct nameref r = lookup(P, name);
			if (r.k == NK_ARRAY) {
				out->arr = r.idx;
				adv(P);
				return;
			}
		}
		struct scn_expr items[SCN_LIST_ITEMS_MAX];
		int n = 0;
		for (t = T(P); t->type != TK_EOL && !(t->type == TK_IDENT && is_op(T1(P), '='));
		     t = T(P)) {
			if (n >= SCN_LIST_ITEMS_MAX)
				perr(P, t->col,
				     "'%s' takes at most %d values for '%s' (put more in an array)",
				     what, SCN_LIST_ITEMS_MAX, a->name);
			items[n++] = compile_expr(P, true);
		}
		if (n == 0)
			perr(P, t->col, "missing values for '%s' of '%s'", a->name, what);
		struct scn_expr *keep = arena_alloc(P, (size_t)n * sizeof(*keep));
		memcpy(keep, items, (size_t)n * sizeof(*keep));
		out->items = keep;
		out->nitems = n;
		return;
	}
	case SCN_OUT: {
		if (constant)
			perr(P, t->col, "declarations cannot have output arguments");
		if (t->type != TK_IDENT)
			perr(P, t->col, "'%s' expects a variable name for '%s', found %s", what,
			     a->name, tokdesc(t, b, sizeof(b)));
		tokname(t, name);
		struct nameref r = lookup(P, name);
		if (r.k == NK_ARRAY) {
			adv(P);
			out->vkind = V_ELEM;
			out->var = r.idx;
			out->idx = compile_index(P, r.idx, t);
			return;
		}
		if (r.k == NK_LOCAL)
			out->vkind = V_LOCAL;
		else if (r.k == NK_SHARED)
			out->vkind = V_SHARED;
		else if (r.k == NK_NONE)
			perr(P, t->col,
			     "undeclared variable '%s' (declare it with local or shared)", name);
		else
			perr(P, t->col, "wrong argument type: '%s' expects a variable for '%s'",
			     what, a->name);
		out->var = r.idx;
		adv(P);
		return;
	}
	}
}

/* Parses "pos pos name=value ..." against specs. */
static void parse_args(struct parser *P, const char *what, const struct scn_argspec *specs, int n,
		       struct scn_argsrc *out, bool constant, int self_decl)
{
	char usage[256], b[64], name[SCN_NAME_MAX];
	scn_usage(what, specs, n, usage, sizeof(usage));
	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].arr = -1;
	}
	for (;;) {
		struct scn_tok *t = T(P);
		if (t->type == TK_EOL)
			break;
		int idx = -1;
		if (t->type == TK_IDENT && is_op(T1(P), '=')) {
			tokname(t, name);
			for (int i = 0; i < n; i++)
				if (strcmp(specs[i].name, name) == 0)
					idx = i;
			if (idx < 0)
				perr(P, t->col, "unknown argument '%s' for '%s' (usage: %s)", name,
				     what, usage);
			if (out[idx].given)
				perr(P, t->col, "argument '%s' given twice", name);
			adv(P);
			adv(P);
		} else {
			for (int i = 0; i < n; i++) {
				if (!out[i].given && !(specs[i].flags & SCN_NAMED)) {
					idx = i;
					break;
				}
			}
			if (idx < 0)
				perr(P, t->col, "too many arguments for '%s': %s (usage: %s)", what,
				     tokdesc(t, b, sizeof(b)), usage);
		}
		parse_arg(P, what, &specs[idx], &out[idx], constant, self_decl);
	}
	for (int i = 0; i < n; i++) {
		if (!out[i].given && !(specs[i].flags & (SCN_OPTIONAL | SCN_NAMED))) {
			char up[SCN_NAME_MAX];
			size_t k = 0;
			for (; specs[i].name[k] && k + 1 < sizeof(up); k++) {
				char c = specs[i].name[k];
				up[k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
			}
			up[k] = '\0';
			perr(P, T(P)->col, "missing argument %s for '%s' (usage: %s)", up, what,
			     usage);
		}
	}
}

/* ---- blocks --------------------------------------------------------- */

static struct level *top(struct parser *P)
{
	return &P->lv[P->nlv - 1];
}

static void open_pending(struct parser *P, enum lkind kind, const char *word, int line)
{
	memset(&P->pend, 0, sizeof(P->pend));
	P->pend.kind = kind;
	P->pend.word = word;
	P->pend.line = line;
	P->pend.nvis = P->nvis;
	P->pend.jfalse = -1;
	P->pend.ends = -1;
	P->pend.loop_head = -1;
	P->pend.breaks = -1;
	P->pend.continues = -1;
	P->pend.chain_jfalse = -1;
	P->pend.chain_ends = -1;
	P->pending = true;
}

/* The if/elif/else chain closed at this level is complete: its tests
 * that fell through and its end jumps land here. */
static void finish_chain(struct parser *P, struct level *l)
{
	if (!l->chain_open)
		return;
	int here = P->p->ncode;
	if (l->chain_jfalse >= 0)
		P->p->code[l->chain_jfalse].target = here;
	patch_list(P, l->chain_ends, here);
	l->chain_open = false;
	l->chain_else = false;
	l->chain_jfalse = -1;
	l->chain_ends = -1;
}

static void close_level(struct parser *P)
{
	struct scn_prog *p = P->p;
	struct level *l = top(P);
	finish_chain(P, l);
	P->nlv--;
	struct level *parent = top(P);
	P->nvis = l->nvis;
	switch (l->kind) {
	case L_TOP:
		break;
	case L_BODY: {
		emit(P, S_END, false, P->last_line, 1);
		struct scn_body *b = &p->bodies[P->cur_body];
		b->nlocals = P->nslots;
		P->cur_body = -1;
		P->nvis = 0;
		P->nslots = 0;
		break;
	}
	case L_IF:
	case L_ELSE:
		parent->chain_open = true;
		parent->chain_else = l->kind == L_ELSE;
		parent->chain_jfalse = l->jfalse;
		parent->chain_ends = l->ends;
		break;
	case L_WHILE: {
		int j = emit(P, S_JUMP, false, l->line, 1);
		p->code[j].target = l->loop_head;
		p->code[l->jfalse].target = p->ncode;
		patch_list(P, l->breaks, p->ncode);
		patch_list(P, l->continues, l->loop_head);
		break;
	}
	case L_REPEAT: {
		int step = emit(P, S_REP_STEP, false, l->line, 1);
		p->code[step].var = p->code[l->loop_head].var;
		p->code[step].target = l->loop_head;
		p->code[l->loop_head].target = p->ncode;
		patch_list(P, l->breaks, p->ncode);
		patch_list(P, l->continues, step);
		break;
	}
	}
}

static int new_slot(struct parser *P, int col)
{
	if (P->nslots >= SCN_LOCALS_MAX)
		perr(P, col, "too many local variables in one thread (max %d)", SCN_LOCALS_MAX);
	return P->nslots++;
}

/* A new local name must not clash with a visible one. */
static void check_local_name(struct parser *P, const struct scn_tok *t, const char *name)
{
	check_new_name(P, t, name);
	struct nameref r = lookup(P, name);
	if (r.k == NK_LOCAL || (r.k == NK_ARRAY && P->p->arrays[r.idx].local)) {
		/* only a clash in the same or an enclosing block */
		perr(P, t->col, "local '%s' is already declared", name);
	}
	if (r.k == NK_SHARED || r.k == NK_ARRAY)
		perr(P, t->col, "'%s' is already a shared variable", name);
	if (r.k == NK_DECL)
		perr(P, t->col, "'%s' is already declared as a %s", name,
		     P->p->decls[r.idx].d.kind);
	if (P->nvis >= SCN_LOCALS_MAX)
		perr(P, t->col, "too many local variables in one thread (max %d)", SCN_LOCALS_MAX);
}

/* Makes a checked name visible: a scalar at slot, or array arr. */
static void show_local(struct parser *P, const struct scn_tok *t, int slot, int arr)
{
	snprintf(P->locals[P->nvis].name, SCN_NAME_MAX, "%.*s", t->len, t->s);
	P->locals[P->nvis].slot = slot;
	P->locals[P->nvis].arr = arr;
	P->nvis++;
}

static int declare_local(struct parser *P, const struct scn_tok *t)
{
	char name[SCN_NAME_MAX];
	tokname(t, name);
	check_local_name(P, t, name);
	int slot = new_slot(P, t->col);
	show_local(P, t, slot, -1);
	return slot;
}

static struct level *innermost_loop(struct parser *P)
{
	for (int i = P->nlv - 1; i >= 0; i--) {
		if (P->lv[i].kind == L_WHILE || P->lv[i].kind == L_REPEAT)
			return &P->lv[i];
		if (P->lv[i].kind == L_BODY)
			break;
	}
	return NULL;
}

/* ---- statements inside a body --------------------------------------- */

static void call_stmt(struct parser *P, const struct scn_op *op, uint8_t vkind, int var,
		      struct scn_expr idx, int col)
{
	struct scn_prog *p = P->p;
	adv(P); /* the operation name */
	GROW(P, p->calls, p->ncalls, p->calls_cap);
	int ci = p->ncalls++;
	struct scn_callsite cs;
	memset(&cs, 0, sizeof(cs));
	cs.op = op;
	cs.desc = scn_op_desc(op);
	cs.annotated = scn_op_annotated(op);
	parse_args(P, op->name, op->args, op->nargs, cs.args, false, -1);
	/* the label: the operation and the objects it works on */
	char label[200];
	size_t off = (size_t)snprintf(label, sizeof(label), "%s", op->name);
	for (int i = 0; i < op->nargs && off < sizeof(label); i++)
		if (op->args[i].type == SCN_OBJ && cs.args[i].given)
			off += (size_t)snprintf(label + off, sizeof(label) - off, " %s",
						p->decls[cs.args[i].obj].d.name);
	cs.label = astrndup(P, label, strlen(label));
	p->calls[ci] = cs;
	int in = emit(P, S_CALL, false, P->line, col);
	p->code[in].aux = ci;
	p->code[in].vkind = vkind;
	p->code[in].var = var;
	p->code[in].idx = idx;
}

static const char *line_text(struct parser *P, const struct scn_tok *from, const struct scn_tok *to)
{
	/* source text from token `from` to the token before `to` */
	const char *s = from->s;
	const struct scn_tok *last = to - 1;
	size_t n = (size_t)(last->s + last->len - s);
	return astrndup(P, s, n);
}

/* The condition of an expect or a property, up to `end` (a keyword that
 * ends it, or NULL: the end of the line), kept with its text, the sides of
 * a top-level comparison and the variables it reads (for the messages).
 * Returns its index in p->expects; *ep: the compiled expression. */
static int condition(struct parser *P, const char *what, const char *end, struct scn_expr *ep)
{
	struct scn_prog *p = P->p;
	struct scn_tok *first = T(P);
	if (first->type == TK_EOL)
		perr(P, first->col, "'%s' needs a condition", what);
	P->nseen = 0;
	struct scn_expr e = compile_expr(P, false);
	if (end == NULL)
		expect_eol(P, what[0] == 'e' && what[1] == 'x' ? "the expectation" : "the condition");
	GROW(P, p->expects, p->nexpects, p->expects_cap);
	struct scn_expect *x = &p->expects[p->nexpects];
	memset(x, 0, sizeof(*x));
	x->text = line_text(P, first, T(P));
	int last = e.start + e.len - 1;
	if (P->cmp_end == e.start + e.len && is_cmp(p->ecode[last].op)) {
		static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};
		x->left.start = P->cmp_l;
		x->left.len = P->cmp_r - P->cmp_l;
		x->right.start = P->cmp_r;
		x->right.len = last - P->cmp_r;
		x->cmp = names[p->ecode[last].op - E_EQ];
	}
	x->nvars = P->nseen;
	for (int i = 0; i < P->nseen; i++) {
		x->vname[i] = astrndup(P, P->seen[i].name, strlen(P->seen[i].name));
		x->vkind[i] = P->seen[i].vkind;
		x->var[i] = P->seen[i].var;
	}
	*ep = e;
	return p->nexpects++;
}

static void expect_stmt(struct parser *P, int col)
{
	adv(P);
	struct scn_expr e;
	int xi = condition(P, "expect", NULL, &e);
	int in = emit(P, S_EXPECT, true, P->line, col);
	P->p->code[in].e = e;
	P->p->code[in].aux = xi;
}

static int new_prop(struct parser *P, enum scn_prop_kind kind, int col)
{
	struct scn_prog *p = P->p;
	if (p->nprops >= SCN_PROPS_MAX)
		perr(P, col, "too many properties (at most %d per scenario)", SCN_PROPS_MAX);
	GROW(P, p->props, p->nprops, p->props_cap);
	struct scn_prop *pr = &p->props[p->nprops];
	memset(pr, 0, sizeof(*pr));
	pr->kind = (uint8_t)kind;
	pr->expect = -1;
	pr->line = P->line;
	pr->col = col;
	return p->nprops++;
}

/* `sometimes COND` / `reachable` in a body: counted across an exploration. */
static void sometimes_stmt(struct parser *P, bool reachable, int col)
{
	struct scn_prog *p = P->p;
	adv(P);
	int k = new_prop(P, reachable ? SCN_PROP_REACHABLE : SCN_PROP_SOMETIMES, col);
	struct scn_expr e = {0, 0};
	if (reachable)
		expect_eol(P, "'reachable'");
	else
		p->props[k].expect = condition(P, "sometimes", NULL, &e);
	p->props[k].e = e;
	/* a switch point first, as before any statement that reads shared memory */
	int in = emit(P, S_SOMETIMES, !reachable, P->line, col);
	p->code[in].e = e;
	p->code[in].aux = k;
}

/* Top level: `always COND` / `eventually COND within DURATION`, over shared
 * variables and constants only (there is no thread whose locals to read). */
static void state_prop_stmt(struct parser *P, bool eventually, int col)
{
	struct scn_prog *p = P->p;
	adv(P);
	int k = new_prop(P, eventually ? SCN_PROP_EVENTUALLY : SCN_PROP_ALWAYS, col);
	struct scn_expr e;
	int xi = condition(P, eventually ? "eventually" : "always", eventually ? "within" : NULL, &e);
	p->props[k].expect = xi;
	p->props[k].e = e;
	p->state_props = true;
	if (eventually) {
		struct scn_tok *t = T(P);
		char b[64];
		if (t->type != TK_IDENT || t->len != 6 || memcmp(t->s, "within", 6) != 0)
			perr(P, t->col, "expected 'within DURATION' after the condition of 'eventually', found %s",
			     tokdesc(t, b, sizeof(b)));
		adv(P);
		int dcol = T(P)->col;
		if (T(P)->type == TK_EOL)
			perr(P, dcol, "'within' needs a duration (10ms)");
		int64_t ns = const_expr(P, "the duration of 'within'", false);
		if (ns <= 0)
			perr(P, dcol, "the duration of 'within' must be positive");
		p->props[k].within_ns = ns;
		expect_eol(P, "the duration");
	}
}

static void print_stmt(struct parser *P, int col)
{
	struct scn_prog *p = P->p;
	adv(P);
	struct scn_print pr;
	memset(&pr, 0, sizeof(pr));
	const char *label = NULL;
	for (;;) {
		struct scn_tok *t = T(P);
		if (t->type == TK_EOL)
			break;
		if (pr.n >= SCN_PRINT_MAX)
			perr(P, t->col, "print takes at most %d values", SCN_PRINT_MAX);
		if (t->type == TK_STR) {
			if (label != NULL) {
				/* two strings in a row: the first stands alone */
				pr.label[pr.n] = label;
				pr.e[pr.n].start = emit_e(P, E_CONST, t->col, 0, 0);
				pr.e[pr.n].len = 1;
				pr.n++;
				if (pr.n >= SCN_PRINT_MAX)
					perr(P, t->col, "print takes at most %d values",
					     SCN_PRINT_MAX);
			}
			label = astrndup(P, t->str, (size_t)t->strlen);
			adv(P);
			continue;
		}
		struct scn_tok *first = t;
		pr.e[pr.n] = compile_expr(P, true);
		pr.label[pr.n] = label ? label : line_text(P, first, T(P));
		label = NULL;
		pr.n++;
	}
	if (label != NULL) {
		if (pr.n >= SCN_PRINT_MAX)
			perr(P, T(P)->col, "print takes at most %d values", SCN_PRINT_MAX);
		pr.label[pr.n] = label;
		pr.e[pr.n].start = emit_e(P, E_CONST, col, 0, 0);
		pr.e[pr.n].len = 1;
		pr.n++;
	}
	if (pr.n == 0)
		perr(P, T(P)->col, "'print' needs a value or a \"string\"");
	GROW(P, p->prints, p->nprints, p->prints_cap);
	p->prints[p->nprints] = pr;
	int in = emit(P, S_PRINT, true, P->line, col);
	p->code[in].aux = p->nprints++;
}

static void assign_stmt(struct parser *P, struct nameref r, const char *name, int col)
{
	struct scn_prog *p = P->p;
	struct scn_tok *nt = T(P);
	adv(P); /* the variable */
	struct scn_expr idx = {0, 0};
	uint8_t vk = r.k == NK_LOCAL ? V_LOCAL : V_SHARED;
	if (r.k == NK_ARRAY) {
		idx = compile_index(P, r.idx, nt);
		vk = V_ELEM;
	}
	struct scn_tok *t = T(P);
	char aop;
	if (is_op(t, '='))
		aop = '=';
	else if (is_op(t, OP_ADDEQ))
		aop = '+';
	else if (is_op(t, OP_SUBEQ))
		aop = '-';
	else
		perr(P, t->col, "'%s' is a variable: expected '=', '+=' or '-=' after it", name);
	adv(P);
	struct scn_tok *v = T(P);
	if (aop == '=' && v->type == TK_IDENT) {
		char opname[SCN_NAME_MAX];
		tokname(v, opname);
		const struct scn_op *op = scn_op_find(opname);
		if (op != NULL && lookup(P, opname).k == NK_NONE) {
			call_stmt(P, op, vk, r.idx, idx, col);
			return;
		}
	}
	if (v->type == TK_EOL)
		perr(P, v->col, "expected an expression after '%c%s'", aop == '=' ? '=' : aop,
		     aop == '=' ? "" : "=");
	struct scn_expr e = compile_expr(P, false);
	expect_eol(P, "the expression");
	int in = emit(P, S_ASSIGN, true, P->line, col);
	p->code[in].vkind = vk;
	p->code[in].var = r.idx;
	p->code[in].aop = aop;
	p->code[in].e = e;
	p->code[in].idx = idx;
}

/* `local NAME[N]`, `local NAME = [A, B, ...]` or both: consecutive slots,
 * zeroed, then the values given (evaluated before NAME is visible). */
static void local_array(struct parser *P, struct scn_tok *nametok, int col)
{
	struct scn_prog *p = P->p;
	char name[SCN_NAME_MAX];
	int len = -1;
	if (is_op(T(P), '['))
		len = array_length(P, SCN_LOCALS_MAX, " for a local (a thread has 256 slots)");
	struct scn_expr items[SCN_TOK_MAX];
	int n = 0;
	if (is_op(T(P), '=')) {
		adv(P);
		if (!is_op(T(P), '['))
			perr(P, T(P)->col, "expected '[' and the values of the array");
		n = parse_values(P, items, NULL, len > 0 ? len : SCN_LOCALS_MAX);
	}
	expect_eol(P, "the array");
	if (len < 0)
		len = n;
	tokname(nametok, name);
	check_local_name(P, nametok, name);
	if (P->nslots + len > SCN_LOCALS_MAX)
		perr(P, nametok->col, "too many local variables in one thread (max %d)",
		     SCN_LOCALS_MAX);
	int base = P->nslots;
	P->nslots += len;
	int arr = new_array(P, nametok, true);
	p->arrays[arr].base = base;
	p->arrays[arr].len = len;
	int in = emit(P, S_AZERO, true, P->line, col);
	p->code[in].var = base;
	p->code[in].aux = len;
	for (int i = 0; i < n; i++) {
		in = emit(P, S_ASSIGN, false, P->line, col);
		p->code[in].vkind = V_LOCAL;
		p->code[in].var = base + i;
		p->code[in].aop = '=';
		p->code[in].e = items[i];
	}
	show_local(P, nametok, -1, arr);
}

static void local_stmt(struct parser *P, int col)
{
	struct scn_prog *p = P->p;
	adv(P);
	struct scn_tok *t = T(P);
	char b[64];
	if (t->type != TK_IDENT)
		perr(P, t->col, "expected a variable name after 'local', found %s",
		     tokdesc(t, b, sizeof(b)));
	struct scn_tok *nametok = t;
	adv(P);
	struct scn_tok *eq = T(P);
	if (is_op(eq, '[') || (is_op(eq, '=') && is_op(T1(P), '['))) {
		local_array(P, nametok, col);
		return;
	}
	if (eq->type == TK_EOL) {
		int slot = declare_local(P, nametok);
		int in = emit(P, S_ASSIGN, true, P->line, col);
		p->code[in].vkind = V_LOCAL;
		p->code[in].var = slot;
		p->code[in].aop = '=';
		p->code[in].e.start = emit_e(P, E_CONST, col, 0, 0);
		p->code[in].e.len = 1;
		return;
	}
	if (!is_op(eq, '='))
		perr(P, eq->col, "expected '=' after 'local %.*s', found %s", nametok->len,
		     nametok->s, tokdesc(eq, b, sizeof(b)));
	adv(P);
	struct scn_tok *v = T(P);
	if (v->type == TK_IDENT) {
		char opname[SCN_NAME_MAX];
		tokname(v, opname);
		const struct scn_op *op = scn_op_find(opname);
		if (op != NULL) {
			/* the local is not visible in its own initializer */
			char name[SCN_NAME_MAX];
			tokname(nametok, name);
			check_new_name(P, nametok, name);
			struct nameref r = lookup(P, name);
			if (r.k == NK_LOCAL || (r.k == NK_ARRAY && p->arrays[r.idx].local))
				perr(P, nametok->col, "local '%s' is already declared", name);
			if (r.k == NK_SHARED || r.k == NK_DECL || r.k == NK_ARRAY)
				perr(P, nametok->col, "'%s' is already declared at the top level",
				     name);
			if (P->nvis >= SCN_LOCALS_MAX)
				perr(P, nametok->col,
				     "too many local variables in one thread (max %d)",
				     SCN_LOCALS_MAX);
			int slot = new_slot(P, nametok->col);
			struct scn_expr none = {0, 0};
			call_stmt(P, op, V_LOCAL, slot, none, col);
			show_local(P, nametok, slot, -1);
			return;
		}
	}
	if (v->type == TK_EOL)
		perr(P, v->col, "expected an expression after '='");
	struct scn_expr e = compile_expr(P, false);
	expect_eol(P, "the expression");
	int slot = declare_local(P, nametok);
	int in = emit(P, S_ASSIGN, true, P->line, col);
	p->code[in].vkind = V_LOCAL;
	p->code[in].var = slot;
	p->code[in].aop = '=';
	p->code[in].e = e;
}

static void cond_header(struct parser *P, const char *word)
{
	struct scn_tok *t = T(P);
	if (t->type == TK_EOL)
		perr(P, t->col, "'%s' needs a condition", word);
}

static void body_stmt(struct parser *P)
{
	struct scn_prog *p = P->p;
	struct scn_tok *t = T(P);
	int col = t->col;
	char name[SCN_NAME_MAX], b[64];
	struct level *l = top(P);
	if (t->type != TK_IDENT)
		perr(P, t->col, "expected a statement, found %s", tokdesc(t, b, sizeof(b)));
	tokname(t, name);
	/* elif / else continue a chain closed at this level */
	if (strcmp(name, "elif") == 0 || strcmp(name, "else") == 0) {
		if (!l->chain_open)
			perr(P, col, "'%s' without a matching 'if'", name);
		if (l->chain_else)
			perr(P, col, "'%s' after 'else'", name);
		int j = emit(P, S_JUMP, false, P->line, col);
		p->code[j].target = l->chain_ends;
		int ends = j;
		if (l->chain_jfalse >= 0)
			p->code[l->chain_jfalse].target = p->ncode;
		l->chain_open = false;
		l->chain_jfalse = -1;
		l->chain_ends = -1;
		adv(P);
		if (name[1] == 'l' && name[2] == 'i') {
			cond_header(P, "elif");
			struct scn_expr e = compile_expr(P, false);
			expect_eol(P, "the condition");
			int jf = emit(P, S_JFALSE, true, P->line, col);
			p->code[jf].e = e;
			p->code[jf].aux = SCN_BRANCH_ELIF;
			open_pending(P, L_IF, "elif", P->line);
			P->pend.jfalse = jf;
		} else {
			expect_eol(P, "'else'");
			open_pending(P, L_ELSE, "else", P->line);
		}
		P->pend.ends = ends;
		return;
	}
	finish_chain(P, l);
	if (strcmp(name, "local") == 0) {
		local_stmt(P, col);
	} else if (strcmp(name, "if") == 0 || strcmp(name, "while") == 0) {
		bool is_if = name[0] == 'i';
		adv(P);
		cond_header(P, is_if ? "if" : "while");
		int head = p->ncode;
		struct scn_expr e = compile_expr(P, false);
		expect_eol(P, "the condition");
		int jf = emit(P, S_JFALSE, true, P->line, col);
		p->code[jf].e = e;
		p->code[jf].aux = is_if ? SCN_BRANCH_IF : SCN_BRANCH_WHILE;
		open_pending(P, is_if ? L_IF : L_WHILE, is_if ? "if" : "while", P->line);
		P->pend.jfalse = jf;
		P->pend.loop_head = head;
	} else if (strcmp(name, "repeat") == 0) {
		adv(P);
		cond_header(P, "repeat");
		struct scn_expr e = compile_expr(P, false);
		int nslot = new_slot(P, col);
		new_slot(P, col); /* the index, right after the count */
		int init = emit(P, S_REP_INIT, true, P->line, col);
		p->code[init].e = e;
		p->code[init].var = nslot;
		int nvis = P->nvis;
		int as_slot = -1;
		if (is_word(T(P), "as")) {
			adv(P);
			struct scn_tok *v = T(P);
			if (v->type != TK_IDENT)
				perr(P, v->col, "expected a variable name after 'as', found %s",
				     tokdesc(v, b, sizeof(b)));
			as_slot = declare_local(P, v);
			adv(P);
		}
		expect_eol(P, "the repeat count");
		int test = emit(P, S_REP_TEST, true, P->line, col);
		p->code[test].var = nslot;
		p->code[test].aux = as_slot;
		open_pending(P, L_REPEAT, "repeat", P->line);
		P->pend.nvis = nvis;
		P->pend.loop_head = test;
	} else if (strcmp(name, "break") == 0 || strcmp(name, "continue") == 0) {
		struct level *loop = innermost_loop(P);
		if (loop == NULL)
			perr(P, col, "'%s' outside a loop", name);
		adv(P);
		expect_eol(P, name);
		int j = emit(P, S_JUMP, false, P->line, col);
		if (name[0] == 'b') {
			p->code[j].target = loop->breaks;
			loop->breaks = j;
		} else {
			p->code[j].target = loop->continues;
			loop->continues = j;
		}
	} else if (strcmp(name, "pass") == 0) {
		adv(P);
		expect_eol(P, "'pass'");
		emit(P, S_NOP, true, P->line, col);
	} else if (strcmp(name, "expect") == 0) {
		expect_stmt(P, col);
	} else if (strcmp(name, "sometimes") == 0 || strcmp(name, "reachable") == 0) {
		sometimes_stmt(P, name[0] == 'r', col);
	} else if (strcmp(name, "print") == 0) {
		print_stmt(P, col);
	} else {
		struct nameref r = lookup(P, name);
		const struct scn_op *op = scn_op_find(name);
		if (r.k == NK_LOCAL || r.k == NK_SHARED || r.k == NK_ARRAY) {
			assign_stmt(P, r, name, col);
		} else if (op != NULL) {
			struct scn_expr none = {0, 0};
			call_stmt(P, op, V_NONE, -1, none, col);
		} else if (r.k == NK_DECL) {
			perr(P, col, "'%s' is a %s: it cannot start a statement", name,
			     p->decls[r.idx].d.kind);
		} else if (r.k == NK_CONST) {
			perr(P, col, "cannot assign to the constant '%s'", name);
		} else if (in_list(reserved, name) || scn_kind_find(name) != NULL) {
			perr(P, col, "'%s' belongs at the top level (no indentation)", name);
		} else if (is_op(T1(P), '=') || is_op(T1(P), OP_ADDEQ) || is_op(T1(P), OP_SUBEQ)) {
			char hint[96];
			struct scn_suggest g;
			scn_suggest_init(&g, name);
			suggest_names(P, &g);
			perr(P, col,
			     "undeclared variable '%s'%s (declare it with `local %s = ...` or "
			     "`shared %s = ...`)",
			     name, scn_suggest_text(&g, hint, sizeof(hint)), name, name);
		} else {
			char hint[96];
			struct scn_suggest g;
			scn_suggest_init(&g, name);
			scn_suggest_ops(&g);
			for (int i = 0; reserved[i] != NULL; i++)
				scn_suggest_try(&g, reserved[i]);
			suggest_names(P, &g);
			perr(P, col, "unknown operation '%s'%s", name,
			     scn_suggest_text(&g, hint, sizeof(hint)));
		}
	}
}

/* ---- top level ------------------------------------------------------ */

static void opt_once(struct parser *P, int which, const struct scn_tok *t, const char *name)
{
	if (P->opt_line[which] != 0)
		perr(P, t->col, "option '%s' already set at line %d", name, P->opt_line[which]);
	P->opt_line[which] = P->line;
}

static double prob_value(struct parser *P, const char *name)
{
	struct scn_tok *t = T(P);
	char b[64];
	if (t->type != TK_INT && t->type != TK_FLOAT)
		perr(P, t->col, "'%s' needs a probability between 0 and 1, found %s", name,
		     tokdesc(t, b, sizeof(b)));
	char num[64];
	snprintf(num, sizeof(num), "%.*s", t->len, t->s);
	char *end;
	double v = strtod(num, &end);
	if (*end != '\0' || !(v >= 0.0 && v <= 1.0))
		perr(P, t->col, "'%s' needs a probability between 0 and 1, found %s", name, num);
	adv(P);
	return v;
}

static int64_t int_option(struct parser *P, const char *name, int64_t lo, int64_t hi)
{
	struct scn_tok *t = T(P);
	if (t->type == TK_EOL)
		perr(P, t->col, "option '%s' needs a value", name);
	if (t->type == TK_FLOAT)
		perr(P, t->col, "option '%s' needs a whole number", name);
	int64_t v = const_expr(P, "an option value", false);
	if (v < lo || v > hi)
		perr(P, t->col, "option '%s' must be between %lld and %lld", name, (long long)lo,
		     (long long)hi);
	return v;
}

/* Validates a fault spec with sim_fault_enable's own parser; an unknown
 * point name is named with where to find the known ones. */
static void check_fault_spec(struct parser *P, const char *spec, int col)
{
	char err[512];
	if (sim_fault_spec_check(spec, err, sizeof(err)) == 0)
		return;
	char *known = strstr(err, " (known:");
	if (strncmp(err, "unknown fault point", 19) == 0 && known != NULL)
		snprintf(known, sizeof(err) - (size_t)(known - err),
			 " (`simk help faults` lists them)");
	perr(P, col, "%s", err);
}

static void option_stmt(struct parser *P, const char *name, const struct scn_tok *t)
{
	struct scn_options *o = &P->p->opts;
	char b[64];
	adv(P);
	if (strcmp(name, "seed") == 0) {
		opt_once(P, 0, t, name);
		o->seed = (uint64_t)int_option(P, name, 0, INT64_MAX);
		o->set |= SCN_OPT_SEED;
	} else if (strcmp(name, "policy") == 0) {
		opt_once(P, 1, t, name);
		struct scn_tok *v = T(P);
		if (is_word(v, "fifo"))
			o->policy = SIMK_POLICY_FIFO;
		else if (is_word(v, "random"))
			o->policy = SIMK_POLICY_RANDOM;
		else if (is_word(v, "pct"))
			o->policy = SIMK_POLICY_PCT;
		else
			perr(P, v->col, "unknown policy %s (fifo, random or pct)",
			     tokdesc(v, b, sizeof(b)));
		adv(P);
		o->set |= SCN_OPT_POLICY;
	} else if (strcmp(name, "preempt") == 0) {
		opt_once(P, 2, t, name);
		o->preempt_prob = prob_value(P, name);
		o->set |= SCN_OPT_PREEMPT;
	} else if (strcmp(name, "irq") == 0) {
		opt_once(P, 3, t, name);
		o->irq_prob = prob_value(P, name);
		o->set |= SCN_OPT_IRQ;
	} else if (strcmp(name, "pct_depth") == 0) {
		opt_once(P, 4, t, name);
		o->pct_depth = (int)int_option(P, name, 1, 16);
		o->set |= SCN_OPT_PCT_DEPTH;
	} else if (strcmp(name, "pct_steps") == 0) {
		opt_once(P, 5, t, name);
		o->pct_steps = (uint64_t)int_option(P, name, 1, INT64_MAX);
		o->set |= SCN_OPT_PCT_STEPS;
	} else if (strcmp(name, "max_steps") == 0) {
		opt_once(P, 6, t, name);
		o->max_steps = (uint64_t)int_option(P, name, 1, INT64_MAX);
		o->set |= SCN_OPT_MAX_STEPS;
	} else if (strcmp(name, "step_cost") == 0) {
		opt_once(P, 7, t, name);
		o->step_cost_ns = (uint64_t)int_option(P, name, 0, SIMK_STEP_COST_MAX_NS);
		o->set |= SCN_OPT_STEP_COST;
	}
	expect_eol(P, "the option value");
}

static void fault_stmt(struct parser *P, const struct scn_tok *t)
{
	/* the rest of the line, raw: fault names contain '/' */
	const char *s = P->ls + t->col - 1 + t->len;
	const char *e = P->ls + P->llen;
	const char *hash = memchr(s, '#', (size_t)(e - s));
	if (hash != NULL)
		e = hash;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	int col = (int)(s - P->ls) + 1;
	if (s == e)
		perr(P, col, "'fault' needs a spec: POINT:p=PROB or POINT:nth=K");
	if (*s == '"' && e - s >= 2 && e[-1] == '"') {
		s++;
		e--;
	}
	for (const char *c = s; c < e; c++)
		if (*c == ' ' || *c == '\t')
			perr(P, (int)(c - P->ls) + 1, "one fault spec per line");
	char *spec = astrndup(P, s, (size_t)(e - s));
	check_fault_spec(P, spec, col);
	struct scn_prog *p = P->p;
	const char **nf =
	    xrealloc(P, (void *)p->faults, (size_t)(p->opts.nfaults + 1) * sizeof(*nf));
	nf[p->opts.nfaults] = spec;
	p->faults = nf;
	p->opts.faults = nf;
	p->opts.nfaults++;
}

/* The declaration made by the first pass for this line. */
static int claim_decl(struct parser *P, const struct scn_tok *t, const char *kind)
{
	char name[SCN_NAME_MAX];
	tokname(t, name);
	check_new_name(P, t, name);
	int i = find_decl(P, name);
	char b[96];
	if (i >= 0) {
		struct scn_pdecl *d = &P->p->decls[i];
		if (d->d.line == P->line && d->d.col == t->col)
			return i;
		if (d->d.line == 0 && strcmp(kind, "process") == 0)
			return i; /* `process main` names the implicit one */
		perr(P, t->col, "'%s' is already declared %s", name, decl_where(d, b, sizeof(b)));
	}
	int sh = shared_line(P, name);
	if (sh > 0)
		perr(P, t->col, "'%s' is already declared at line %d", name, sh);
	perr(P, t->col, "internal: declaration '%s' missed by the first pass", name);
}

static void thread_decl(struct parser *P, int di)
{
	struct scn_prog *p = P->p;
	struct scn_pdecl *d = &p->decls[di];
	char b[64];
	d->proc = p->main_proc;
	bool has_in = false;
	int in_col = 0;
	for (;;) {
		struct scn_tok *t = T(P);
		if (t->type == TK_EOL)
			break;
		if (is_word(t, "in")) {
			if (has_in)
				perr(P, t->col, "'in' given twice");
			adv(P);
			struct scn_tok *pt = T(P);
			if (pt->type != TK_IDENT)
				perr(P, pt->col, "expected a process name after 'in', found %s",
				     tokdesc(pt, b, sizeof(b)));
			char name[SCN_NAME_MAX];
			tokname(pt, name);
			int pi = find_decl(P, name);
			if (pi < 0 && find_shared(P, name) >= 0)
				perr(P, pt->col, "'%s' is a variable, not a process", name);
			if (pi < 0)
				perr(P, pt->col,
				     "undeclared process '%s' (declare it with `process %s`)", name,
				     name);
			if (strcmp(p->decls[pi].d.kind, "process") != 0)
				perr(P, pt->col, "'%s' is a %s, not a process", name,
				     p->decls[pi].d.kind);
			d->proc = pi;
			has_in = true;
			in_col = t->col;
			adv(P);
		} else if (is_word(t, "manual")) {
			if (d->manual)
				perr(P, t->col, "'manual' given twice");
			d->manual = true;
			adv(P);
		} else {
			perr(P, t->col,
			     "unexpected %s after the thread name (expected 'in PROCESS' or "
			     "'manual')",
			     tokdesc(t, b, sizeof(b)));
		}
	}
	if (d->manual && has_in)
		perr(P, in_col,
		     "a manual thread runs in the process that spawns or forks it: "
		     "drop 'in'");
	GROW(P, p->bodies, p->nbodies, p->bodies_cap);
	struct scn_body *body = &p->bodies[p->nbodies];
	body->name = d->d.name;
	body->decl = di;
	body->start = -1;
	d->body = p->nbodies;
	P->pend_body = p->nbodies++;
	p->nthreads++;
}

static void start_body(struct parser *P)
{
	struct scn_body *b = &P->p->bodies[P->pend_body];
	b->start = P->p->ncode;
	P->cur_body = P->pend_body;
	P->nvis = 0;
	P->nslots = 0;
}

/* `shared NAME[N]`, `shared NAME = [A, B, ...]` or both (the name is
 * read): constant values, the rest 0. */
static void shared_array(struct parser *P, int ai)
{
	struct scn_prog *p = P->p;
	int len = -1;
	if (is_op(T(P), '['))
		len = array_length(P, SCN_ARRAY_MAX, "");
	int64_t vals[SCN_TOK_MAX];
	int n = 0;
	if (is_op(T(P), '=')) {
		adv(P);
		if (!is_op(T(P), '['))
			perr(P, T(P)->col, "expected '[' and the values of the array");
		n = parse_values(P, NULL, vals, len > 0 && len < SCN_TOK_MAX ? len : SCN_TOK_MAX);
	}
	expect_eol(P, "the array");
	struct scn_array *a = &p->arrays[ai];
	a->len = len < 0 ? n : len;
	a->ninit = n;
	if (n > 0) {
		int64_t *init = arena_alloc(P, (size_t)n * sizeof(*init));
		memcpy(init, vals, (size_t)n * sizeof(*init));
		a->init = init;
	}
}

static void top_stmt(struct parser *P)
{
	struct scn_prog *p = P->p;
	struct scn_tok *t = T(P);
	char name[SCN_NAME_MAX], b[64];
	if (t->type != TK_IDENT)
		perr(P, t->col, "expected a declaration or an option, found %s",
		     tokdesc(t, b, sizeof(b)));
	tokname(t, name);
	if (in_list(options, name)) {
		option_stmt(P, name, t);
		return;
	}
	if (strcmp(name, "fault") == 0) {
		fault_stmt(P, t);
		return;
	}
	if (strcmp(name, "always") == 0 || strcmp(name, "eventually") == 0) {
		state_prop_stmt(P, name[0] == 'e', t->col);
		return;
	}
	if (strcmp(name, "finally") == 0) {
		if (P->finally_line != 0)
			perr(P, t->col, "'finally' already given at line %d", P->finally_line);
		P->finally_line = P->line;
		adv(P);
		expect_eol(P, "'finally'");
		GROW(P, p->bodies, p->nbodies, p->bodies_cap);
		struct scn_body *body = &p->bodies[p->nbodies];
		body->name = "finally";
		body->decl = -1;
		body->start = -1;
		p->finally_body = p->nbodies;
		P->pend_body = p->nbodies++;
		open_pending(P, L_BODY, "finally", P->line);
		return;
	}
	if (strcmp(name, "shared") == 0) {
		adv(P);
		struct scn_tok *nt = T(P);
		if (nt->type != TK_IDENT)
			perr(P, nt->col, "expected a variable name after 'shared', found %s",
			     tokdesc(nt, b, sizeof(b)));
		char vn[SCN_NAME_MAX];
		tokname(nt, vn);
		check_new_name(P, nt, vn);
		int ai = find_shared_array(P, vn);
		if (ai >= 0 && p->arrays[ai].line == P->line && p->arrays[ai].col == nt->col) {
			adv(P);
			shared_array(P, ai);
			return;
		}
		int i = find_shared(P, vn);
		if (i < 0 || p->shared[i].line != P->line || p->shared[i].col != nt->col) {
			int di = find_decl(P, vn);
			char w[96];
			if (di >= 0)
				perr(P, nt->col, "'%s' is already declared %s", vn,
				     decl_where(&p->decls[di], w, sizeof(w)));
			perr(P, nt->col, "'%s' is already declared at line %d", vn,
			     shared_line(P, vn));
		}
		adv(P);
		struct scn_tok *eq = T(P);
		if (eq->type == TK_EOL) {
			p->shared[i].init = 0;
			return;
		}
		if (!is_op(eq, '='))
			perr(P, eq->col, "expected '=' after 'shared %s', found %s", vn,
			     tokdesc(eq, b, sizeof(b)));
		adv(P);
		p->shared[i].init = const_expr(P, "the initial value of a shared variable", false);
		expect_eol(P, "the initial value");
		return;
	}
	if (strcmp(name, "thread") == 0 || strcmp(name, "process") == 0) {
		bool thr = name[0] == 't';
		adv(P);
		struct scn_tok *nt = T(P);
		if (nt->type != TK_IDENT)
			perr(P, nt->col, "expected a %s name, found %s", name,
			     tokdesc(nt, b, sizeof(b)));
		int di = claim_decl(P, nt, name);
		if (strcmp(p->decls[di].d.kind, name) != 0) {
			char w[96];
			perr(P, nt->col, "'%.*s' is already declared %s", nt->len, nt->s,
			     decl_where(&p->decls[di], w, sizeof(w)));
		}
		adv(P);
		if (thr) {
			thread_decl(P, di);
			open_pending(P, L_BODY, "thread", P->line);
		} else {
			expect_eol(P, "the process name");
		}
		return;
	}
	const struct scn_kind *k = scn_kind_find(name);
	if (k != NULL) {
		adv(P);
		struct scn_tok *nt = T(P);
		if (nt->type != TK_IDENT)
			perr(P, nt->col, "expected a name after '%s', found %s", name,
			     tokdesc(nt, b, sizeof(b)));
		int di = claim_decl(P, nt, name);
		adv(P);
		parse_args(P, k->name, k->args, k->nargs, p->decls[di].args, true, di);
		return;
	}
	if (strcmp(name, "local") == 0)
		perr(P, t->col,
		     "'local' belongs inside a thread body; use 'shared' at the top level");
	if (scn_op_find(name) != NULL || in_list(reserved, name))
		perr(P, t->col, "'%s' belongs inside a thread body (indent it under a thread)",
		     name);
	char hint[96];
	struct scn_suggest g;
	scn_suggest_init(&g, name);
	scn_suggest_kinds(&g);
	for (int i = 0; reserved[i] != NULL; i++)
		scn_suggest_try(&g, reserved[i]);
	perr(P, t->col, "unknown declaration or option '%s'%s", name,
	     scn_suggest_text(&g, hint, sizeof(hint)));
}

/* ---- lines ---------------------------------------------------------- */

struct linecur {
	const char *text;
	size_t len, pos;
	int line;
};

static bool next_line(struct linecur *c, const char **s, int *len)
{
	if (c->pos >= c->len)
		return false;
	const char *start = c->text + c->pos;
	const char *nl = memchr(start, '\n', c->len - c->pos);
	size_t n = nl ? (size_t)(nl - start) : c->len - c->pos;
	c->pos += n + (nl ? 1 : 0);
	if (n > 0 && start[n - 1] == '\r')
		n--;
	c->line++;
	*s = start;
	*len = (int)n;
	return true;
}

/* Spaces before the first non-blank character; -1 for blank/comment lines,
 * -2 when a tab appears in the indentation (at *tabcol). */
static int indent_of(const char *s, int len, int *tabcol)
{
	int i = 0;
	for (; i < len; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] == '\t') {
			/* a tab on an otherwise blank line is harmless */
			int j = i;
			while (j < len && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j >= len || s[j] == '#')
				return -1;
			*tabcol = i + 1;
			return -2;
		}
		break;
	}
	if (i >= len || s[i] == '#')
		return -1;
	return i;
}

/* First pass: names of top-level declarations, in file order. */
static void prepass(struct parser *P)
{
	struct scn_prog *p = P->p;
	struct linecur c = {P->text, P->textlen, 0, 0};
	const char *s;
	int len;
	while (next_line(&c, &s, &len)) {
		int tabcol;
		if (len == 0 || indent_of(s, len, &tabcol) != 0)
			continue;
		if (scn_lex_line(P->ll, s, len) != 0 || P->ll->ntok < 2)
			continue;
		struct scn_tok *k = &P->ll->tok[0], *n = &P->ll->tok[1];
		if (k->type != TK_IDENT || n->type != TK_IDENT)
			continue;
		char kw[SCN_NAME_MAX], name[SCN_NAME_MAX];
		tokname(k, kw);
		tokname(n, name);
		if (find_decl(P, name) >= 0 || find_shared(P, name) >= 0 ||
		    find_shared_array(P, name) >= 0)
			continue; /* the second pass reports the duplicate */
		P->line = c.line;
		const struct scn_tok *t2 = &P->ll->tok[2];
		if (strcmp(kw, "shared") == 0 &&
		    (is_op(t2, '[') || (is_op(t2, '=') && is_op(&P->ll->tok[3], '[')))) {
			int ai = new_array(P, n, false);
			names_add(P, p->arrays[ai].name, NS_ARRAY, ai);
			continue;
		}
		if (strcmp(kw, "shared") == 0) {
			GROW(P, p->shared, p->nshared, p->shared_cap);
			struct scn_shared *sh = &p->shared[p->nshared++];
			sh->name = astrndup(P, name, strlen(name));
			char wn[SCN_NAME_MAX + 4];
			snprintf(wn, sizeof(wn), "%s =", name);
			sh->wname = astrndup(P, wn, strlen(wn));
			sh->name_nh = hash_str(sh->name);
			sh->wname_nh = hash_str(sh->wname);
			sh->line = c.line;
			sh->col = n->col;
			names_add(P, sh->name, NS_SHARED, p->nshared - 1);
			continue;
		}
		const struct scn_kind *kind = NULL;
		if (strcmp(kw, "thread") == 0)
			kind = scn_kind_thread();
		else if (strcmp(kw, "process") == 0)
			kind = scn_kind_process();
		else
			kind = scn_kind_find(kw);
		if (kind == NULL)
			continue;
		GROW(P, p->decls, p->ndecls, p->decls_cap);
		struct scn_pdecl *d = &p->decls[p->ndecls];
		memset(d, 0, sizeof(*d));
		d->d.name = astrndup(P, name, strlen(name));
		d->d.kind = kind->name;
		d->d.index = p->ndecls;
		d->d.line = c.line;
		d->d.col = n->col;
		d->kind = kind;
		d->body = -1;
		d->proc = -1;
		names_add(P, d->d.name, NS_DECL, p->ndecls);
		p->ndecls++;
	}
}

static void parse_lines(struct parser *P)
{
	struct linecur c = {P->text, P->textlen, 0, 0};
	const char *s;
	int len;
	P->nlv = 1;
	memset(&P->lv[0], 0, sizeof(P->lv[0]));
	P->lv[0].kind = L_TOP;
	P->lv[0].chain_jfalse = -1;
	P->lv[0].chain_ends = -1;
	while (next_line(&c, &s, &len)) {
		P->line = c.line;
		P->ls = s;
		P->llen = len;
		if (memchr(s, '\0', (size_t)len) != NULL)
			perr(P, (int)((const char *)memchr(s, '\0', (size_t)len) - s) + 1,
			     "NUL byte in the file");
		int tabcol = 0;
		int ind = indent_of(s, len, &tabcol);
		if (ind == -1)
			continue;
		if (ind == -2)
			perr(P, tabcol, "tab in indentation (indent with spaces only)");
		/* `fault SPEC` takes the rest of its line raw (names hold '/' and ':') */
		bool fault_line = ind == 0 && len >= 5 && memcmp(s, "fault", 5) == 0 &&
				  (len == 5 || s[5] == ' ' || s[5] == '\t' || s[5] == '#');
		if (fault_line) {
			P->ll->ntok = 1;
			P->ll->comment_col = 0;
			memset(&P->ll->tok[0], 0, sizeof(P->ll->tok[0]));
			P->ll->tok[0].type = TK_IDENT;
			P->ll->tok[0].col = 1;
			P->ll->tok[0].s = s;
			P->ll->tok[0].len = 5;
			memset(&P->ll->tok[1], 0, sizeof(P->ll->tok[1]));
			P->ll->tok[1].type = TK_EOL;
		} else if (scn_lex_line(P->ll, s, len) != 0) {
			perr(P, P->ll->err_col, "%s", P->ll->err);
		}
		P->ti = 0;
		P->last_line = c.line;
		if (P->pending) {
			if (ind <= top(P)->indent)
				perr(P, ind + 1, "expected an indented block after '%s' (line %d)",
				     P->pend.word, P->pend.line);
			if (P->nlv - 1 >= SCN_NEST_MAX)
				perr(P, ind + 1, "blocks nested too deeply (more than %d levels)",
				     SCN_NEST_MAX);
			P->pend.indent = ind;
			P->lv[P->nlv++] = P->pend;
			P->pending = false;
			if (P->pend.kind == L_BODY)
				start_body(P);
		} else {
			if (ind > top(P)->indent)
				perr(P, ind + 1, "unexpected indentation");
			while (ind < top(P)->indent)
				close_level(P);
			if (ind != top(P)->indent)
				perr(P, ind + 1,
				     "unindent does not match any outer indentation level");
		}
		if (top(P)->kind == L_TOP)
			top_stmt(P);
		else
			body_stmt(P);
	}
	if (P->pending) {
		P->line = P->pend.line;
		perr(P, 1, "expected an indented block after '%s'", P->pend.word);
	}
	while (P->nlv > 1)
		close_level(P);
}

/* The first call of an operation that needs a declaration kind the
 * scenario lacks (scn_register_needs) is an error at its line. */
static void check_needs(struct parser *P)
{
	const struct scn_prog *p = P->p;
	for (int i = 0; i < p->ncode; i++) {
		const struct scn_insn *in = &p->code[i];
		if (in->op != S_CALL)
			continue;
		const struct scn_needs *n = scn_needs_find(p->calls[in->aux].op->name);
		if (n == NULL)
			continue;
		bool have = false;
		for (int d = 0; d < p->ndecls && !have; d++)
			have = strcmp(p->decls[d].d.kind, n->kind) == 0;
		if (!have) {
			P->line = in->line;
			perr(P, in->col, "'%s' needs a `%s` declaration and the scenario has none: %s",
			     n->op, n->kind, n->hint);
		}
	}
}

static bool expr_shared(const struct scn_prog *p, struct scn_expr e)
{
	for (int i = 0; i < e.len; i++) {
		const struct scn_einsn *x = &p->ecode[e.start + i];
		if (x->op == E_SHARED || (x->op == E_AGET && !p->arrays[x->arg].local))
			return true;
	}
	return false;
}

static bool dest_shared(const struct scn_prog *p, const struct scn_insn *in)
{
	if (in->vkind == V_SHARED)
		return true;
	if (in->vkind == V_ELEM)
		return !p->arrays[in->var].local || expr_shared(p, in->idx);
	return false;
}

/*
 * A statement is a switch point only when it touches shared memory: what
 * a thread does with its locals no other thread can observe, so switching
 * there would only multiply equivalent interleavings.
 */
static void drop_local_boundaries(struct scn_prog *p)
{
	for (int i = 0; i < p->ncode; i++) {
		struct scn_insn *in = &p->code[i];
		if (!in->boundary)
			continue;
		bool shared = false;
		switch (in->op) {
		case S_ASSIGN:
			shared = dest_shared(p, in) || expr_shared(p, in->e);
			break;
		case S_EXPECT:
		case S_JFALSE:
		case S_REP_INIT:
			shared = expr_shared(p, in->e);
			break;
		case S_PRINT: {
			const struct scn_print *pr = &p->prints[in->aux];
			for (int k = 0; k < pr->n && !shared; k++)
				shared = expr_shared(p, pr->e[k]);
			break;
		}
		default:
			shared = false;
		}
		in->boundary = shared;
	}
}

/* An expression leaf S_SET reads itself (scn_exec.c's operand). */
static bool is_operand(const struct scn_einsn *x)
{
	return x->op == E_CONST || x->op == E_LOCAL || x->op == E_SHARED;
}

/* A binary operator of scn_arith (not && and ||, which jump). */
static bool is_arith(const struct scn_einsn *x)
{
	return (x->op >= E_ADD && x->op <= E_GE) || (x->op >= E_BAND && x->op <= E_SHR);
}

/*
 * `x = y`, `x = 5`, `x = y + 1`, `x = y < z`: an assignment into a variable
 * whose expression is one operand, or two and a binary operator, becomes
 * S_SET, which the interpreter runs without its expression loop. The
 * statement and its expression are otherwise as they were (their line,
 * columns and switch point), so every effect, event and message is too.
 */
static void fuse_assignments(struct scn_prog *p)
{
	for (int i = 0; i < p->ncode; i++) {
		struct scn_insn *in = &p->code[i];
		if (in->op != S_ASSIGN || in->aop != '=' ||
		    (in->vkind != V_LOCAL && in->vkind != V_SHARED))
			continue;
		const struct scn_einsn *x = &p->ecode[in->e.start];
		if ((in->e.len == 1 && is_operand(&x[0])) ||
		    (in->e.len == 3 && is_operand(&x[0]) && is_operand(&x[1]) && is_arith(&x[2])))
			in->op = S_SET;
	}
}

static void finish(struct parser *P)
{
	struct scn_prog *p = P->p;
	/* the names every run gives its threads and processes */
	for (int i = 0; i < p->ndecls; i++)
		sim_name_init(&p->decls[i].sname, p->decls[i].d.name);
	sim_name_init(&p->finally_name, "finally");
	if (p->nthreads == 0) {
		P->line = 1;
		perr(P, 1, "the scenario declares no thread");
	}
	int autos = 0;
	for (int i = 0; i < p->ndecls; i++)
		if (p->decls[i].body >= 0 && !p->decls[i].manual)
			autos++;
	if (autos == 0) {
		for (int i = 0; i < p->ndecls; i++)
			if (p->decls[i].body >= 0) {
				P->line = p->decls[i].d.line;
				perr(P, p->decls[i].d.col,
				     "every thread is manual: nothing would start");
			}
	}
	check_needs(P);
	p->obj_off = xrealloc(P, NULL, (size_t)p->ndecls * sizeof(size_t));
	size_t off = 0;
	for (int i = 0; i < p->ndecls; i++) {
		p->obj_off[i] = off;
		size_t sz = p->decls[i].kind->size;
		off += (sz + 15) & ~(size_t)15;
		if (p->decls[i].kind->destroy != NULL)
			p->objs_destroyed = true;
	}
	p->obj_bytes = off;
	for (int i = 0; i < p->nbodies; i++)
		p->bodies[i].prog = p;
	drop_local_boundaries(p);
	fuse_assignments(p); /* after: it looks at S_ASSIGN */
	/* the shared arrays' words follow the scalars */
	int64_t words = p->nshared;
	for (int i = 0; i < p->narrays; i++) {
		struct scn_array *a = &p->arrays[i];
		if (a->local)
			continue;
		if (a->len <= 0) {
			P->line = a->line;
			perr(P, a->col, "internal: shared array '%s' was never parsed", a->name);
		}
		a->base = (int32_t)words;
		words += a->len;
		if (words > SCN_SHARED_WORDS_MAX) {
			P->line = a->line;
			perr(P, a->col, "the shared arrays hold more than %d values together",
			     SCN_SHARED_WORDS_MAX);
		}
	}
	p->shared_words = (int32_t)words;
}

struct scn_prog *scn_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	char dummy[8];
	if (err == NULL) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!scn_registered()) {
		snprintf(err, errlen,
			 "%s: no scenario operations are registered (call simk_register_builtin() "
			 "before parsing)",
			 name);
		return NULL;
	}
	struct scn_prog *p = calloc(1, sizeof(*p));
	struct parser *P = calloc(1, sizeof(*P));
	struct scn_lexline *ll = malloc(sizeof(*ll));
	if (p == NULL || P == NULL || ll == NULL || len > FILE_MAX) {
		snprintf(err, errlen, "%s: %s", name,
			 len > FILE_MAX ? "file too large" : "out of memory");
		free(p);
		free(P);
		free(ll);
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	p->finally_body = -1;
	P->p = p;
	P->err = err;
	P->errlen = errlen;
	P->text = text;
	P->textlen = len;
	P->ll = ll;
	P->cur_body = -1;
	if (setjmp(P->jb) != 0) {
		free(P->names);
		free(P);
		free(ll);
		scn_free(p);
		return NULL;
	}
	p->name = astrndup(P, name, strlen(name));
	p->src = astrndup(P, P->text, P->textlen);
	p->srclen = P->textlen;
	/* the implicit process "main" is declaration 0 */
	GROW(P, p->decls, p->ndecls, p->decls_cap);
	struct scn_pdecl *m = &p->decls[p->ndecls++];
	memset(m, 0, sizeof(*m));
	m->d.name = "main";
	m->d.kind = "process";
	m->kind = scn_kind_process();
	m->body = -1;
	m->proc = -1;
	p->main_proc = 0;
	names_add(P, m->d.name, NS_DECL, 0);
	prepass(P);
	parse_lines(P);
	finish(P);
	free(P->names);
	free(P);
	free(ll);
	return p;
}

struct scn_prog *scn_load(const char *path, char *err, size_t errlen)
{
	FILE *f = host_open_regular(path, err, errlen);
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			if (cap >= FILE_MAX) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: file too large", path);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int read_errno = errno;
	bool bad = ferror(f) != 0;
	fclose(f);
	if (buf == NULL || bad) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 buf == NULL ? "out of memory" : strerror(read_errno));
		free(buf);
		return NULL;
	}
	struct scn_prog *p = scn_parse(path, buf, n, err, errlen);
	free(buf);
	return p;
}

void scn_free(struct scn_prog *p)
{
	if (p == NULL || scn_foreign_free(p))
		return;
	free(p->code);
	free(p->ecode);
	free(p->calls);
	free(p->expects);
	free(p->props);
	free(p->prints);
	free(p->decls);
	free(p->bodies);
	free(p->shared);
	free(p->arrays);
	free(p->obj_off);
	free((void *)p->faults);
	struct scn_chunk *c = p->arena;
	while (c != NULL) {
		struct scn_chunk *n = c->next;
		free(c);
		c = n;
	}
	free(p);
}

const struct scn_options *scn_prog_options(const struct scn_prog *p)
{
	return &p->opts;
}

const char *scn_prog_name(const struct scn_prog *p)
{
	return p->name;
}

int scn_prog_threads(const struct scn_prog *p)
{
	return p->nthreads;
}

void scn_apply_options(const struct scn_prog *p, struct simk_opts *o)
{
	if (scn_foreign_apply_options(p, o))
		return;
	const struct scn_options *so = &p->opts;
	if (so->set & SCN_OPT_SEED)
		o->seed = so->seed;
	if (so->set & SCN_OPT_POLICY)
		o->policy = so->policy;
	if (so->set & SCN_OPT_PREEMPT)
		o->preempt_prob = so->preempt_prob;
	if (so->set & SCN_OPT_IRQ)
		o->irq_prob = so->irq_prob;
	if (so->set & SCN_OPT_PCT_DEPTH)
		o->pct_depth = so->pct_depth;
	if (so->set & SCN_OPT_PCT_STEPS)
		o->pct_steps = so->pct_steps;
	if (so->set & SCN_OPT_MAX_STEPS)
		o->max_steps = so->max_steps;
	if (so->set & SCN_OPT_STEP_COST)
		o->step_cost_ns = so->step_cost_ns;
}
