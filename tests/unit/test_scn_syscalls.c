/*
 * Every scenario statement that calls an operation is exactly one system
 * call: one traced entry, one traced exit, one switch point on each side
 * (kern/syscall.c), whether the operation wraps a system call (it calls
 * the simk_ stub) or is a kernel primitive the interpreter enters for it.
 *
 * The example scenarios and tests/unit/every_op.scn run with their own
 * options; in each run that passes, the number of executed operation
 * statements must equal the entry events and the entry switch points, the
 * exits must match the entries (less calls that never return), and each
 * thread's entries and exits must alternate. Together the runs must
 * execute every registered operation.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/builtin.h"
#include "kern/syscall.h"
#include "scn/scn_internal.h"
#include "sim/engine.h"

static const char *root(void)
{
	const char *r = getenv("SIMK_ROOT");
	return r != NULL ? r : ".";
}

struct tally {
	bool *op_run; /* by registry index */
	int nops;
	int runs_checked;
};

static int op_index(const struct scn_op *op)
{
	for (int i = 0; scn_op_at(i) != NULL; i++)
		if (scn_op_at(i) == op)
			return i;
	return -1;
}

/* Entries and exits alternate per thread, each exit naming its entry. */
static void check_pairs(const struct simk *s, const char *path)
{
	const struct trace_ev **open_call = calloc((size_t)s->nthreads + 1, sizeof(*open_call));
	cr_assert_not_null(open_call);
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type == TR_SYSCALL_ENTER) {
			cr_assert_null(open_call[e->tid], "%s: T%d enters %s inside %s", path,
				       e->tid, e->name,
				       open_call[e->tid] ? open_call[e->tid]->name : "");
			open_call[e->tid] = e;
		} else if (e->type == TR_SYSCALL_EXIT) {
			cr_assert_not_null(open_call[e->tid], "%s: T%d leaves %s never entered",
					   path, e->tid, e->name);
			cr_assert_eq(open_call[e->tid]->desc, e->desc,
				     "%s: T%d enters %s, leaves %s", path, e->tid,
				     open_call[e->tid]->name, e->name);
			open_call[e->tid] = NULL;
		}
	}
	free(open_call);
}

static void run_file(const char *path, struct tally *t)
{
	char err[512];
	struct scn_prog *p = scn_load(path, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	o.keep_trace = true;
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "%s: %s", path, err);
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), 0, "%s: %s", path, err);
	if (simk_run(s) == SIMK_PASS) {
		uint64_t statements = 0, entries = 0, exits = 0, noreturn = 0;
		for (int i = 0; i < p->ncalls; i++) {
			uint64_t n = scn_calls_run(s, i);
			statements += n;
			if (n > 0)
				t->op_run[op_index(p->calls[i].op)] = true;
		}
		for (size_t i = 0; i < s->trace.len; i++) {
			const struct trace_ev *e = &s->trace.evs[i];
			const struct syscall_desc *d = e->desc;
			if (e->type == TR_SYSCALL_ENTER) {
				entries++;
				noreturn += (d->flags & SYSCALL_NORETURN) != 0;
			}
			exits += e->type == TR_SYSCALL_EXIT;
		}
		cr_assert_eq(entries, statements, "%s: %llu operation statements, %llu entries",
			     path, (unsigned long long)statements, (unsigned long long)entries);
		cr_assert_eq(exits, entries - noreturn,
			     "%s: %llu entries (%llu never return), %llu exits", path,
			     (unsigned long long)entries, (unsigned long long)noreturn,
			     (unsigned long long)exits);
		cr_assert_eq(s->points[PT_SYSCALL_ENTER], entries, "%s: entry switch points", path);
		cr_assert_eq(s->points[PT_SYSCALL_EXIT], exits, "%s: exit switch points", path);
		check_pairs(s, path);
		t->runs_checked++;
	}
	simk_destroy(s);
	scn_free(p);
}

static void run_glob(const char *pattern, struct tally *t)
{
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", root(), pattern);
	glob_t g;
	if (glob(full, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		run_file(g.gl_pathv[i], t);
	globfree(&g);
}

Test(scn_syscalls, every_operation_statement_is_one_entry_and_one_exit)
{
	simk_register_builtin();
	struct tally t = {0};
	while (scn_op_at(t.nops) != NULL)
		t.nops++;
	t.op_run = calloc((size_t)t.nops, sizeof(bool));
	run_glob("tests/unit/every_op.scn", &t);
	run_glob("scenarios/*.scn", &t);
	run_glob("scenarios/*/*.scn", &t);
	cr_assert_gt(t.runs_checked, 20, "runs from %s (set SIMK_ROOT to the source tree)", root());
	for (int i = 0; i < t.nops; i++)
		cr_expect(t.op_run[i], "operation %s never ran", scn_op_at(i)->name);
	free(t.op_run);
}

/* A primitive's result is the value the operation documents, not an errno:
 * a user value below -4095 passes through the system-call path untouched
 * (the errno range check is for kernel system calls only). */
Test(scn_syscalls, a_primitive_may_return_any_value)
{
	const char *text = "thread t\n  local port = port_create\n"
			   "  local r = port_send port 1 -5000\n  expect r == 0\n"
			   "  r = port_get port timeout=0\n  expect r == 0\n"
			   "  local u = pev_user\n  expect u == -5000\n";
	simk_register_builtin();
	char err[256];
	struct scn_prog *p = scn_parse("t.scn", text, strlen(text), err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	struct simk_opts o;
	simk_opts_default(&o);
	o.keep_trace = true;
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(scn_instantiate(s, p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	bool seen = false;
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type == TR_SYSCALL_EXIT && strcmp(e->name, "pev_user") == 0) {
			char buf[64];
			trace_format_ev(e, buf, sizeof(buf));
			cr_assert_str_eq(buf, "pev_user = -5000");
			seen = true;
		}
	}
	cr_assert(seen);
	simk_destroy(s);
	scn_free(p);
}

/* A primitive that fails with a negative errno says so (SCN_OP_E), so the
 * trace prints its failures by name; the flag, not the doc's wording,
 * decides. The two must agree: an operation whose one-line doc names an
 * errno ("0, -ETIMEDOUT or -EINTR") and lacks the flag would print
 * "cv_wait = -110". */
Test(scn_syscalls, primitives_documenting_an_errno_are_flagged)
{
	simk_register_builtin();
	int flagged = 0;
	for (int i = 0; scn_op_at(i) != NULL; i++) {
		const struct scn_op *op = scn_op_at(i);
		if (op->flags & SCN_OP_SYSCALL)
			continue; /* a system call's own descriptor decides */
		bool names_errno = op->doc != NULL && strstr(op->doc, "-E") != NULL;
		bool flag = (op->flags & SCN_OP_ERRNO) != 0;
		cr_expect_eq(names_errno, flag, "%s (%s): doc names an errno: %d, SCN_OP_E: %d",
			     op->name, op->where, names_errno, flag);
		flagged += flag;
		const struct scn_op_desc *od = scn_op_desc(op);
		cr_assert_not_null(od, "%s has no descriptor", op->name);
		cr_expect_eq((od->d.flags & SYSCALL_VALUE_ERRNO) != 0, flag, "%s", op->name);
	}
	cr_assert_geq(flagged, 10, "the kernel's sleeping primitives are flagged");
}
