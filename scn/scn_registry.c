/*
 * The scenario registries: operations, declaration kinds and constants.
 * Filled once per host process by simk_register_builtin(), read by the
 * parser. Lookups are linear: they only run at parse time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn/scn_internal.h"

#define OP_TABLES_MAX 64
#define OP_DESCS_MAX 1024 /* kernel-primitive operations, every table together */
#define KINDS_MAX 64
#define CONST_TABLES_MAX 64

struct op_table {
	const struct scn_op *ops;
	int n;
};
static struct op_table op_tables[OP_TABLES_MAX];
static int nop_tables;

/* The system-call descriptors of the operations that are not
 * SCN_OP_SYSCALL, made once at registration (kern/syscall.h). */
static struct scn_op_desc op_descs[OP_DESCS_MAX];
static const struct scn_op *op_desc_ops[OP_DESCS_MAX];
static int nop_descs;

#define ANNOTATED_MAX 512
static const struct scn_op *annotated[ANNOTATED_MAX];
static int nannotated;

static const struct scn_kind *kinds[KINDS_MAX];
static int nkinds;

struct const_table {
	const struct scn_const *c;
	int n;
};
static struct const_table const_tables[CONST_TABLES_MAX];
static int nconst_tables;

/* The built-in kinds; their objects are made by the interpreter itself. */
static const struct scn_kind kind_thread = {
    .name = "thread",
    .size = sizeof(struct scn_thread_obj),
    .doc = "thread NAME [in PROCESS] [manual]: a thread and its indented body",
};
static const struct scn_kind kind_process = {
    .name = "process",
    .size = sizeof(struct scn_proc_obj),
    .doc = "process NAME: a process for threads declared `in NAME`",
};

static _Noreturn void registry_abort(const char *what, const char *name)
{
	fprintf(stderr, "simk: scenario registry: %s '%s'\n", what, name);
	abort();
}

static void ensure_builtin_kinds(void)
{
	if (nkinds == 0) {
		kinds[nkinds++] = &kind_thread;
		kinds[nkinds++] = &kind_process;
	}
}

const struct scn_kind *scn_kind_thread(void)
{
	return &kind_thread;
}

const struct scn_kind *scn_kind_process(void)
{
	return &kind_process;
}

/* The traced arguments of a primitive: its INT, DUR and object arguments,
 * in order, as many as a system call has. */
static void make_op_desc(const struct scn_op *op)
{
	if (nop_descs >= OP_DESCS_MAX)
		registry_abort("too many operations, at", op->name);
	struct scn_op_desc *od = &op_descs[nop_descs];
	op_desc_ops[nop_descs++] = op;
	od->d.name = op->name;
	od->d.name_nh = hash_str(op->name);
	od->d.subsys = "scn";
	od->d.fn = scn_op_handler;
	/* scn_op_handler is opaque unless the op is annotated; a primitive's
	 * result is whatever the operation documents (a count, a stored value,
	 * -1 for "none"), not necessarily the errno convention */
	od->d.flags = SYSCALL_ANNOTATED | SYSCALL_VALUE;
	/* one that fails with an errno (SCN_OP_E) has it printed by name */
	if (op->flags & SCN_OP_ERRNO)
		od->d.flags |= SYSCALL_VALUE_ERRNO;
	od->d.res = SA_INT;
	int n = 0;
	for (int i = 0; i < op->nargs && n < SYSCALL_ARGS_MAX; i++) {
		uint8_t kind = op->args[i].type == SCN_INT   ? SA_INT
			       : op->args[i].type == SCN_DUR ? SA_NS
			       : op->args[i].type == SCN_OBJ ? SA_SCN_OBJ
							     : SA_NONE;
		const char *view = op->args[i].type == SCN_INT ? op->args[i].kind : NULL;
		if (view != NULL && strcmp(view, "iocb_op") == 0)
			kind = SA_IOCB_OP;
		else if (view != NULL && strcmp(view, "fd") == 0)
			kind = SA_FD;
		if (kind == SA_NONE)
			continue; /* strings and output variables are not traced */
		od->d.arg[n] = kind;
		od->argidx[n] = (int8_t)i;
		if (op->args[i].flags & SCN_NAMED) {
			od->named.name[n] = op->args[i].name;
			od->named.omitted[n] =
			    kind == SA_NS || kind == SA_SCN_OBJ ? -1 : op->args[i].def;
			od->d.named = &od->named;
		}
		n++;
	}
	od->d.nargs = (uint8_t)n;
}

bool scn_op_annotated(const struct scn_op *op)
{
	for (int i = 0; i < nannotated; i++)
		if (annotated[i] == op)
			return true;
	return false;
}

void scn_mark_annotated(const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		const struct scn_op *op = scn_op_find(names[i]);
		if (op == NULL)
			registry_abort("annotation of an unknown operation", names[i]);
		if (scn_op_annotated(op))
			continue;
		if (nannotated >= ANNOTATED_MAX)
			registry_abort("too many annotated operations, at", names[i]);
		annotated[nannotated++] = op;
	}
}

void scn_register_ops(const struct scn_op *ops, int n)
{
	for (int i = 0; i < nop_tables; i++)
		if (op_tables[i].ops == ops)
			return;
	if (nop_tables >= OP_TABLES_MAX)
		registry_abort("too many operation tables, at", ops[0].name);
	for (int i = 0; i < n; i++) {
		if (ops[i].nargs > SCN_ARGS_MAX)
			registry_abort("too many arguments for operation", ops[i].name);
		int lists = 0;
		for (int a = 0; a < ops[i].nargs; a++)
			lists += ops[i].args[a].type == SCN_LIST;
		if (lists > 1)
			registry_abort("more than one list argument for operation", ops[i].name);
		if (scn_op_find(ops[i].name) != NULL || scn_kind_find(ops[i].name) != NULL)
			registry_abort("duplicate operation", ops[i].name);
	}
	op_tables[nop_tables].ops = ops;
	op_tables[nop_tables].n = n;
	nop_tables++;
	for (int i = 0; i < n; i++)
		if (!(ops[i].flags & SCN_OP_SYSCALL))
			make_op_desc(&ops[i]);
}

const struct scn_op_desc *scn_op_desc(const struct scn_op *op)
{
	for (int i = 0; i < nop_descs; i++)
		if (op_desc_ops[i] == op)
			return &op_descs[i];
	return NULL;
}

const struct scn_op *scn_op_find(const char *name)
{
	for (int t = 0; t < nop_tables; t++)
		for (int i = 0; i < op_tables[t].n; i++)
			if (strcmp(op_tables[t].ops[i].name, name) == 0)
				return &op_tables[t].ops[i];
	return NULL;
}

const struct scn_op *scn_op_at(int idx)
{
	for (int t = 0; t < nop_tables; t++) {
		if (idx < op_tables[t].n)
			return &op_tables[t].ops[idx];
		idx -= op_tables[t].n;
	}
	return NULL;
}

void scn_register_kind(const struct scn_kind *k)
{
	ensure_builtin_kinds();
	for (int i = 0; i < nkinds; i++) {
		if (kinds[i] == k)
			return;
		if (strcmp(kinds[i]->name, k->name) == 0)
			registry_abort("duplicate declaration kind", k->name);
	}
	if (nkinds >= KINDS_MAX)
		registry_abort("too many declaration kinds, at", k->name);
	if (k->nargs > SCN_ARGS_MAX)
		registry_abort("too many arguments for kind", k->name);
	for (int a = 0; a < k->nargs; a++)
		if (k->args[a].type == SCN_LIST)
			registry_abort("a declaration takes no list argument", k->name);
	if (scn_op_find(k->name) != NULL)
		registry_abort("kind named like an operation", k->name);
	kinds[nkinds++] = k;
}

const struct scn_kind *scn_kind_find(const char *name)
{
	ensure_builtin_kinds();
	for (int i = 0; i < nkinds; i++)
		if (strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}

const struct scn_kind *scn_kind_at(int i)
{
	ensure_builtin_kinds();
	return i >= 0 && i < nkinds ? kinds[i] : NULL;
}

bool scn_kind_matches(const char *accepted, const char *kind)
{
	size_t klen = strlen(kind);
	const char *p = accepted;
	while (*p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == klen && memcmp(p, kind, len) == 0)
			return true;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return false;
}

void scn_register_consts(const struct scn_const *c, int n)
{
	for (int i = 0; i < nconst_tables; i++)
		if (const_tables[i].c == c)
			return;
	if (nconst_tables >= CONST_TABLES_MAX)
		registry_abort("too many constant tables, at", c[0].name);
	for (int i = 0; i < n; i++) {
		int64_t v;
		if (scn_const_find(c[i].name, &v) && v != c[i].value)
			registry_abort("constant registered twice with different values",
				       c[i].name);
	}
	const_tables[nconst_tables].c = c;
	const_tables[nconst_tables].n = n;
	nconst_tables++;
}

#define NEEDS_TABLES_MAX 16
static struct {
	const struct scn_needs *n;
	int count;
} needs_tables[NEEDS_TABLES_MAX];
static int nneeds_tables;

void scn_register_needs(const struct scn_needs *n, int count)
{
	for (int t = 0; t < nneeds_tables; t++)
		if (needs_tables[t].n == n)
			return;
	if (nneeds_tables >= NEEDS_TABLES_MAX)
		registry_abort("too many 'needs' tables, at", n[0].op);
	needs_tables[nneeds_tables].n = n;
	needs_tables[nneeds_tables].count = count;
	nneeds_tables++;
}

const struct scn_needs *scn_needs_find(const char *op)
{
	for (int t = 0; t < nneeds_tables; t++)
		for (int i = 0; i < needs_tables[t].count; i++)
			if (strcmp(needs_tables[t].n[i].op, op) == 0)
				return &needs_tables[t].n[i];
	return NULL;
}

const char *scn_const_name_at(int idx)
{
	for (int t = 0; t < nconst_tables; t++) {
		if (idx < const_tables[t].n)
			return const_tables[t].c[idx].name;
		idx -= const_tables[t].n;
	}
	return NULL;
}

bool scn_const_find(const char *name, int64_t *value)
{
	for (int t = 0; t < nconst_tables; t++)
		for (int i = 0; i < const_tables[t].n; i++)
			if (strcmp(const_tables[t].c[i].name, name) == 0) {
				*value = const_tables[t].c[i].value;
				return true;
			}
	return false;
}

static const char *type_word(const struct scn_argspec *a)
{
	switch (a->type) {
	case SCN_INT:
		return "INT";
	case SCN_DUR:
		return "DUR";
	case SCN_STR:
		return "\"STR\"";
	case SCN_OUT:
		return "VAR";
	case SCN_LIST:
		return "INT...";
	case SCN_OBJ:
		return a->kind;
	}
	return "?";
}

void scn_usage(const char *name, const struct scn_argspec *a, int n, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "%s", name);
	for (int i = 0; i < n && off < len; i++) {
		bool opt = (a[i].flags & (SCN_OPTIONAL | SCN_NAMED)) != 0;
		char word[64];
		if (a[i].flags & SCN_NAMED) {
			snprintf(word, sizeof(word), "%s=%s", a[i].name, type_word(&a[i]));
		} else {
			/* positional: the name in capitals */
			size_t k = 0;
			for (; a[i].name[k] != '\0' && k + 1 < sizeof(word); k++) {
				char ch = a[i].name[k];
				word[k] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
			}
			word[k] = '\0';
			if (a[i].type == SCN_LIST && k + 4 <= sizeof(word))
				memcpy(word + k, "...", 4);
		}
		off += (size_t)snprintf(buf + off, len - off, opt ? " [%s]" : " %s", word);
	}
}
