/* Scenario parser: what parses, and the file:line:col of what does not. */
#include "scn_test.h"
#include "scn/scn_internal.h"

#define T1(body) "thread t\n" body

/* scn/ never calls up to the composition point: before anything is
 * registered, a parse is refused with a message that says what to do. */
Test(scn_parse, refused_before_the_operations_are_registered)
{
	if (scn_registered())
		cr_skip_test("this test process registered already (--no-fork?)");
	char err[256];
	const char *text = "thread t\n  pass\n";
	cr_assert_null(scn_parse("t.scn", text, strlen(text), err, sizeof(err)));
	cr_assert_str_eq(err, "t.scn: no scenario operations are registered (call "
			      "simk_register_builtin() before parsing)");
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	scn_free(p);
}

Test(scn_parse, minimal_scenario_parses)
{
	cr_assert_str_eq(scn_parse_error("thread t\n  pass\n"), "");
	cr_assert_str_eq(scn_parse_error("# comment only line\n\nthread t   # trailing\n"
					 "    pass\n\n   # indented comment\n"),
			 "");
}

Test(scn_parse, crlf_line_ends_are_accepted)
{
	cr_assert_str_eq(scn_parse_error("shared x = 1\r\nthread t\r\n  x = 2\r\n"), "");
}

Test(scn_parse, forward_references_to_later_declarations_resolve)
{
	cr_assert_str_eq(scn_parse_error("thread t\n  flag = 1\n  wake wq\nshared flag\n"
					 "waitqueue wq\n"),
			 "");
}

Test(scn_parse, tab_in_indentation_is_an_error_at_its_column)
{
	assert_parse_error("thread t\n\tpass\n", "t.scn:2:1: tab in indentation");
	assert_parse_error("thread t\n  \tpass\n", "t.scn:2:3: tab in indentation");
}

Test(scn_parse, tab_between_tokens_is_whitespace)
{
	cr_assert_str_eq(scn_parse_error("shared\tx = 1\nthread t\n  x =\t2\n"), "");
}

Test(scn_parse, unexpected_indentation)
{
	assert_parse_error("thread t\n  pass\n    pass\n", "t.scn:3:5: unexpected indentation");
	assert_parse_error("  shared x\nthread t\n  pass\n", "t.scn:1:3: unexpected indentation");
}

Test(scn_parse, unindent_must_match_an_outer_level)
{
	assert_parse_error("thread t\n    if 1\n        pass\n  pass\n",
			   "t.scn:4:3: unindent does not match any outer indentation level");
}

Test(scn_parse, header_without_a_body)
{
	assert_parse_error("thread t\nthread u\n  pass\n",
			   "t.scn:2:1: expected an indented block after 'thread' (line 1)");
	assert_parse_error("thread t\n  if 1\n  pass\n",
			   "t.scn:3:3: expected an indented block after 'if' (line 2)");
	assert_parse_error("thread t\n  pass\nfinally\n",
			   "t.scn:3:1: expected an indented block after 'finally'");
}

Test(scn_parse, unknown_operation)
{
	assert_parse_error(T1("  frobnicate 3\n"), "t.scn:2:3: unknown operation 'frobnicate'");
}

Test(scn_parse, undeclared_names)
{
	assert_parse_error(T1("  x = 1\n"), "t.scn:2:3: undeclared variable 'x'");
	assert_parse_error(T1("  expect y == 1\n"), "t.scn:2:10: undeclared name 'y'");
	assert_parse_error(T1("  wake nowhere\n"), "t.scn:2:8: undeclared name 'nowhere'");
	assert_parse_error("thread t in nowhere\n  pass\n",
			   "t.scn:1:13: undeclared process 'nowhere'");
}

Test(scn_parse, bad_numbers)
{
	assert_parse_error(T1("  expect 12x == 1\n"), "t.scn:2:12: unknown number suffix");
	assert_parse_error(T1("  expect 99999999999999999999 == 1\n"),
			   "t.scn:2:10: number out of range");
	assert_parse_error(T1("  expect 1.5 == 1\n"), "t.scn:2:10: fractional number");
	assert_parse_error(T1("  expect 1.5ns == 1\n"),
			   "t.scn:2:10: duration is not a whole number of ns");
	assert_parse_error(T1("  expect 0x == 1\n"), "t.scn:2:10: bad hexadecimal number");
	assert_parse_error(T1("  expect 9223372036854775807s > 0\n"),
			   "t.scn:2:10: duration out of range");
	assert_parse_error("seed abc\nthread t\n  pass\n", "t.scn:1:6: undeclared name 'abc'");
	assert_parse_error("seed -1\nthread t\n  pass\n",
			   "t.scn:1:6: option 'seed' must be between");
}

Test(scn_parse, strings)
{
	assert_parse_error(T1("  print \"abc\n"), "t.scn:2:9: unterminated string");
	assert_parse_error(T1("  print \"a\\qb\"\n"), "t.scn:2:11: unknown escape in string");
	assert_parse_error(T1("  expect \"a\" == 1\n"),
			   "t.scn:2:10: strings are only allowed as operation arguments");
	cr_assert_str_eq(scn_parse_error(T1("  print \"say \\\"hi\\\"\\n\" 1\n")), "");
}

static char *nested_ifs(int depth)
{
	static char buf[8192];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "thread t\n");
	for (int i = 0; i < depth; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%*sif 1\n", 2 * (i + 1), "");
	snprintf(buf + off, sizeof(buf) - off, "%*spass\n", 2 * (depth + 1), "");
	return buf;
}

Test(scn_parse, nesting_is_bounded)
{
	/* the thread body is one level: 31 ifs fit, 32 do not */
	cr_assert_str_eq(scn_parse_error(nested_ifs(SCN_NEST_MAX - 1)), "");
	assert_parse_error(nested_ifs(SCN_NEST_MAX),
			   "blocks nested too deeply (more than 32 levels)");
}

Test(scn_parse, parentheses_are_bounded)
{
	char buf[1024];
	int n = 70;
	size_t off = (size_t)snprintf(buf, sizeof(buf), "thread t\n  expect ");
	for (int i = 0; i < n; i++)
		buf[off++] = '(';
	buf[off++] = '1';
	for (int i = 0; i < n; i++)
		buf[off++] = ')';
	snprintf(buf + off, sizeof(buf) - off, "\n");
	assert_parse_error(buf, "expression nested too deeply");
}

Test(scn_parse, operand_stack_is_bounded)
{
	/* a right-leaning chain keeps every left operand pending */
	char buf[4096];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "shared x\nthread t\n  expect ");
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "x + (");
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, "x");
	for (int i = 0; i < 40; i++)
		buf[off++] = ')';
	snprintf(buf + off, sizeof(buf) - off, " > 0\n");
	assert_parse_error(buf, "expression too complex");
}

Test(scn_parse, wrong_argument_types)
{
	assert_parse_error(
	    "shared flag\nthread t\n  wake flag\n",
	    "t.scn:3:8: wrong argument type: 'wake' expects a waitqueue, 'flag' is a "
	    "variable");
	assert_parse_error(T1("  wake 5\n"), "t.scn:2:8: 'wake' expects the name of a waitqueue");
	assert_parse_error("waitqueue wq\nthread t\n  delay wq\n",
			   "t.scn:3:9: 'wq' is a waitqueue, not a value");
	assert_parse_error("waitqueue wq\nthread t\n  delay \"5ms\"\n",
			   "t.scn:3:9: strings are only allowed");
	assert_parse_error("waitqueue wq\nthread t\n  sleep wq intr=wq\n",
			   "'wq' is a waitqueue, not a value");
}

Test(scn_parse, missing_and_extra_arguments)
{
	assert_parse_error(T1("  sleep\n"),
			   "t.scn:2:8: missing argument WQ for 'sleep' (usage: sleep WQ "
			   "[timeout=DUR] [intr=INT] [excl=INT])");
	assert_parse_error("waitqueue wq\nthread t\n  wake wq wq\n",
			   "t.scn:3:11: too many arguments for 'wake'");
	assert_parse_error("waitqueue wq\nthread t\n  sleep wq bogus=1\n",
			   "t.scn:3:12: unknown argument 'bogus' for 'sleep'");
	assert_parse_error("waitqueue wq\nthread t\n  sleep wq timeout=1 timeout=2\n",
			   "t.scn:3:22: argument 'timeout' given twice");
	assert_parse_error("waitqueue wq\nthread t\n  sleep wq timeout=\n",
			   "t.scn:3:20: missing value for 'timeout' of 'sleep'");
}

Test(scn_parse, unknown_top_level_words)
{
	assert_parse_error("frobnicate 3\nthread t\n  pass\n",
			   "t.scn:1:1: unknown declaration or option 'frobnicate'");
	assert_parse_error("wake wq\nthread t\n  pass\n",
			   "t.scn:1:1: 'wake' belongs inside a thread body");
	assert_parse_error("local x = 1\nthread t\n  pass\n", "t.scn:1:1: 'local' belongs inside");
	assert_parse_error(T1("  waitqueue q\n"),
			   "t.scn:2:3: 'waitqueue' belongs at the top level");
}

Test(scn_parse, options_are_checked)
{
	assert_parse_error("policy lifo\nthread t\n  pass\n", "t.scn:1:8: unknown policy 'lifo'");
	assert_parse_error("policy replay\nthread t\n  pass\n", "unknown policy 'replay'");
	assert_parse_error("preempt 1.5\nthread t\n  pass\n",
			   "t.scn:1:9: 'preempt' needs a probability between 0 and 1");
	assert_parse_error("pct_depth 20\nthread t\n  pass\n",
			   "t.scn:1:11: option 'pct_depth' must be between 1 and 16");
	assert_parse_error("seed 1\nseed 2\nthread t\n  pass\n",
			   "t.scn:2:1: option 'seed' already set at line 1");
	assert_parse_error("max_steps 0\nthread t\n  pass\n", "option 'max_steps' must be between");
	assert_parse_error("seed 1 2\nthread t\n  pass\n", "t.scn:1:8: unexpected '2'");
}

Test(scn_parse, fault_specs_are_checked)
{
	cr_assert_str_eq(
	    scn_parse_error("fault kmem/alloc/enomem:p=0.1\nfault blk/read/eio:nth=3,every\n"
			    "thread t\n  pass\n"),
	    "");
	assert_parse_error("fault kmem/alloc/enomem\nthread t\n  pass\n",
			   "t.scn:1:7: fault spec 'kmem/alloc/enomem': expected POINT:p=PROB");
	assert_parse_error("fault blk/read/eio:p=2\nthread t\n  pass\n",
			   "probability must be in [0, 1]");
	assert_parse_error("fault blk/read/eio:nth=0\nthread t\n  pass\n",
			   "nth needs a positive integer");
	assert_parse_error("fault\nthread t\n  pass\n", "'fault' needs a spec");
	assert_parse_error("fault blk/raed/eio:p=0.5\nthread t\n  pass\n",
			   "t.scn:1:7: unknown fault point 'blk/raed/eio'");
}

Test(scn_parse, duplicate_declarations)
{
	assert_parse_error("waitqueue q\nwaitqueue q\nthread t\n  pass\n",
			   "t.scn:2:11: 'q' is already declared at line 1");
	assert_parse_error("shared q\nwaitqueue q\nthread t\n  pass\n",
			   "t.scn:2:11: 'q' is already declared at line 1");
	assert_parse_error("thread main\n  pass\n", "'main' is already declared implicitly");
	cr_assert_str_eq(scn_parse_error("process main\nthread t in main\n  pass\n"), "");
}

Test(scn_parse, names_must_not_shadow_keywords_operations_or_constants)
{
	assert_parse_error("shared sleep\nthread t\n  pass\n",
			   "t.scn:1:8: 'sleep' is an operation");
	assert_parse_error("shared EINTR\nthread t\n  pass\n", "'EINTR' is a constant");
	assert_parse_error(T1("  local while = 1\n"), "'while' is a reserved word");
	assert_parse_error("shared x\nthread t\n  local x = 1\n",
			   "'x' is already a shared variable");
	assert_parse_error(T1("  local a = 1\n  local a = 2\n"),
			   "t.scn:3:9: local 'a' is already declared");
}

Test(scn_parse, locals_are_scoped_to_their_block)
{
	cr_assert_str_eq(scn_parse_error(T1("  if 1\n    local a = 1\n  local a = 2\n")), "");
	assert_parse_error(T1("  if 1\n    local a = 1\n  expect a == 1\n"),
			   "t.scn:4:10: undeclared name 'a'");
	assert_parse_error(T1("  repeat 3 as i\n    pass\n  expect i == 3\n"),
			   "undeclared name 'i'");
	assert_parse_error(T1("  local a = a + 1\n"), "t.scn:2:13: undeclared name 'a'");
}

Test(scn_parse, if_chain_structure)
{
	assert_parse_error(T1("  elif 1\n    pass\n"), "t.scn:2:3: 'elif' without a matching 'if'");
	assert_parse_error(T1("  pass\n  else\n    pass\n"), "'else' without a matching 'if'");
	assert_parse_error(T1("  if 1\n    pass\n  else\n    pass\n  else\n    pass\n"),
			   "t.scn:6:3: 'else' after 'else'");
	assert_parse_error(T1("  if 1\n    pass\n  pass\n  else\n    pass\n"),
			   "'else' without a matching 'if'");
	assert_parse_error(T1("  if\n    pass\n"), "t.scn:2:5: 'if' needs a condition");
	assert_parse_error(T1("  else 1\n"), "'else' without");
}

Test(scn_parse, break_and_continue_need_a_loop)
{
	assert_parse_error(T1("  break\n"), "t.scn:2:3: 'break' outside a loop");
	assert_parse_error(T1("  if 1\n    continue\n"), "'continue' outside a loop");
	cr_assert_str_eq(scn_parse_error(T1("  while 1\n    if 1\n      break\n")), "");
}

Test(scn_parse, assignments)
{
	assert_parse_error(T1("  EINTR = 3\n"), "t.scn:2:3: cannot assign to the constant 'EINTR'");
	assert_parse_error("waitqueue wq\nthread t\n  wq = 3\n",
			   "'wq' is a waitqueue: it cannot start");
	assert_parse_error("shared x\nthread t\n  x 3\n",
			   "t.scn:3:5: 'x' is a variable: expected '='");
	assert_parse_error("shared x\nthread t\n  x = 1 2\n", "t.scn:3:9: unexpected '2'");
	assert_parse_error("shared x\nthread t\n  x =\n", "expected an expression after '='");
}

Test(scn_parse, constant_folding_catches_division_by_zero)
{
	assert_parse_error(T1("  expect 1 / 0 == 0\n"), "t.scn:2:12: division by zero");
	assert_parse_error("shared x = 5 % (3 - 3)\nthread t\n  pass\n", "division by zero");
}

Test(scn_parse, shared_initial_values_are_constant)
{
	assert_parse_error("shared a = 1\nshared b = a\nthread t\n  pass\n",
			   "t.scn:2:12: the initial value of a shared variable must be a constant");
	cr_assert_str_eq(scn_parse_error("shared a = -EINTR * 2\nthread t\n  pass\n"), "");
}

Test(scn_parse, threads_must_exist_and_some_must_start)
{
	assert_parse_error("shared x\n", "t.scn:1:1: the scenario declares no thread");
	assert_parse_error("thread a manual\n  pass\n", "t.scn:1:8: every thread is manual");
	assert_parse_error("process p\nthread a in p manual\n  pass\nthread b\n  pass\n",
			   "t.scn:2:10: a manual thread runs in the process that spawns");
	assert_parse_error("shared x\nthread t in x\n  pass\n", "'x' is a variable");
}

Test(scn_parse, print_and_expect_shapes)
{
	assert_parse_error(T1("  print\n"), "t.scn:2:8: 'print' needs a value");
	assert_parse_error(T1("  print 1 2 3 4 5 6 7 8 9\n"), "t.scn:2:25: print takes at most 8");
	assert_parse_error(T1("  expect\n"), "t.scn:2:9: 'expect' needs a condition");
	cr_assert_str_eq(scn_parse_error(T1("  print \"a\" 1 \"b\" \"c\" 2\n")), "");
}

Test(scn_parse, too_many_locals)
{
	static char buf[16384];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "thread t\n");
	for (int i = 0; i < SCN_LOCALS_MAX + 1; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "  local v%d = %d\n", i, i);
	assert_parse_error(buf, "t.scn:258:9: too many local variables");
}

Test(scn_parse, unexpected_characters)
{
	assert_parse_error(T1("  expect 1 @ 2\n"), "t.scn:2:12: unexpected character");
	assert_parse_error(T1("  expect 1 $ 2\n"), "t.scn:2:12: unexpected character");
	assert_parse_error(T1("  expect 1 { 2\n"), "t.scn:2:12: unexpected character");
	assert_parse_error(T1("  expect (1 == 2\n"), "t.scn:2:17: expected ')' to close the '('");
}

Test(scn_parse, options_are_read)
{
	const char *text = "seed 42\npolicy pct\npreempt 0.5\npct_depth 2\npct_steps 30\n"
			   "max_steps 1000\nirq 0.25\nfault blk/read/eio:p=0.5\nthread t\n  pass\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	cr_assert_eq(o.seed, 42);
	cr_assert_eq(o.policy, SIMK_POLICY_PCT);
	cr_assert_float_eq(o.preempt_prob, 0.5, 1e-12);
	cr_assert_float_eq(o.irq_prob, 0.25, 1e-12);
	cr_assert_eq(o.pct_depth, 2);
	cr_assert_eq(o.pct_steps, 30);
	cr_assert_eq(o.max_steps, 1000);
	const struct scn_options *so = scn_prog_options(p);
	cr_assert_eq(so->nfaults, 1);
	cr_assert_str_eq(so->faults[0], "blk/read/eio:p=0.5");
	cr_assert_eq(scn_prog_threads(p), 1);
	scn_free(p);
}

Test(scn_parse, missing_file_is_reported)
{
	char err[256];
	cr_assert_null(scn_load("/nonexistent/x.scn", err, sizeof(err)));
	cr_assert(strstr(err, "/nonexistent/x.scn: cannot open") != NULL, "%s", err);
}

Test(scn_parse, bytes_above_127_are_rejected_cleanly)
{
	assert_parse_error(T1("  expect 1 \xc3\xa9 2\n"), "t.scn:2:12: unexpected character");
	assert_parse_error(T1("  \xff\n"), "t.scn:2:3: unexpected character");
}

/* Found by fuzzing: the strings of one line share a 4 KiB buffer; the fifth
 * long string used to be copied past its end before the check. */
Test(scn_parse, strings_of_one_line_overflowing_the_line_buffer_are_an_error)
{
	static char text[8192];
	size_t off = (size_t)snprintf(text, sizeof(text), "thread t\n  print");
	for (int k = 0; k < 5; k++) {
		text[off++] = ' ';
		text[off++] = '"';
		memset(text + off, 'a', 1022);
		off += 1022;
		text[off++] = '"';
	}
	snprintf(text + off, sizeof(text) - off, "\n");
	/* the fifth string starts at column 9 + 4 * 1025 */
	assert_parse_error(text, "t.scn:2:4109: too many strings on one line");
	/* four fit */
	off = strlen("thread t\n  print") + 4 * 1025;
	snprintf(text + off, sizeof(text) - off, "\n");
	cr_assert_str_eq(scn_parse_error(text), "");
}

/* Found by fuzzing: every declaration looked its name up in a list, so a
 * file of 40,000 declarations took half a minute to parse. The work is
 * counted (hash-table probes per name), not timed: a timeout failed on a
 * loaded machine. */
Test(scn_parse, many_declarations_parse_in_linear_time)
{
	enum { N = 50000 };
	size_t cap = (size_t)N * 40 + 256, off = 0;
	char *text = malloc(cap);
	cr_assert_not_null(text);
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(text + off, cap - off,
					i % 2 ? "mutex m%d\n" : "shared v%d = %d\n", i, i);
	off += (size_t)snprintf(text + off, cap - off,
				"thread t\n  lock m%d\n  expect v%d == %d\n  unlock m%d\n"
				"mutex m%d\n",
				N - 1, N - 2, N - 2, N - 1, N - 3);
	assert_parse_error(text, "t.scn:50005:7: 'm49997' is already declared at line 49998");
	text[off - strlen("mutex m49997\n")] = '\0'; /* without the duplicate */
	uint64_t probes = scn_parse_name_probes();
	struct scn_prog *p = scn_parse("t.scn", text, strlen(text), NULL, 0);
	cr_assert_not_null(p);
	probes = scn_parse_name_probes() - probes;
	/* each name is added once (plus rehashes) and looked up a few times;
	 * a list walk would be N * N / 2 = 1.25e9 */
	cr_assert_lt(probes, (uint64_t)N * 16, "%llu probes for %d names",
		     (unsigned long long)probes, (int)N);
	struct scn_result r = scn_run_prog(p, 1, SIMK_POLICY_FIFO, false);
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
	scn_free(p);
	free(text);
}
