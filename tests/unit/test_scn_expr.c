/* Scenario expressions: precedence, arithmetic, short-circuit, literals. */
#include "scn_test.h"

#include "scn/scn_internal.h"

/* Every line of body is an expect that must hold, on runtime values (the
 * locals keep the evaluator from folding them at parse time). */
static void holds(const char *exprs)
{
	char text[4096];
	size_t off =
	    (size_t)snprintf(text, sizeof(text),
			     "thread t\n  local zero = 0\n  local one = 1\n  local two = 2\n"
			     "  local seven = 7\n  local big = 9223372036854775807\n");
	const char *p = exprs;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		off +=
		    (size_t)snprintf(text + off, sizeof(text) - off, "  expect %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	struct scn_result r = scn_run_text(text);
	cr_assert_eq(r.out, SIMK_PASS, "%s", r.reason);
}

Test(scn_expr, precedence_follows_c)
{
	holds("one + two * seven == 15\n"
	      "(one + two) * seven == 21\n"
	      "seven - two - one == 4\n"
	      "seven / two / two == 1\n"
	      "one + two < seven == 1\n"
	      "one < two == two < seven\n"
	      "one || zero && zero\n"
	      "!zero + one == 2\n"
	      "-two * -two == 4\n");
}

Test(scn_expr, division_truncates_toward_zero)
{
	holds("seven / two == 3\n"
	      "-seven / two == -3\n"
	      "-seven % two == -1\n"
	      "seven % -two == 1\n");
}

Test(scn_expr, arithmetic_wraps_at_64_bits)
{
	holds("big + one == -big - one\n"
	      "(-big - one) / -one == -big - one\n"
	      "(-big - one) % -one == 0\n"
	      "big * two == -2\n");
}

Test(scn_expr, comparisons_and_logic_give_0_or_1)
{
	holds("(seven > two) == 1\n"
	      "(seven <= two) == 0\n"
	      "(two && seven) == 1\n"
	      "(zero || seven) == 1\n"
	      "(zero || zero) == 0\n"
	      "!seven == 0\n"
	      "!!seven == 1\n"
	      "seven != two\n"
	      "two >= two\n");
}

Test(scn_expr, and_or_short_circuit)
{
	/* the right side would divide by zero */
	holds("zero == 0 || one / zero\n"
	      "!(zero != 0 && one / zero)\n"
	      "(zero && one / zero) == 0\n"
	      "(one || one / zero) == 1\n");
}

Test(scn_expr, literals_durations_and_constants)
{
	holds("10ns == 10\n"
	      "3us == 3000\n"
	      "2ms == 2000000\n"
	      "1s == 1000000000\n"
	      "1.5us == 1500\n"
	      "0.25ms == 250000\n"
	      "0x1F == 31\n"
	      "1_000_000 == 1000000\n"
	      "EINTR == 4\n"
	      "-ETIMEDOUT == -110\n"
	      "true == 1 && false == 0\n");
}

Test(scn_expr, constant_expressions_fold_to_one_instruction)
{
	const char *text = "thread t\n  expect 1 + 2 * 3 == 7 && -EINTR < 0\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	int found = 0;
	for (int i = 0; i < p->ncode; i++) {
		if (p->code[i].op != S_EXPECT)
			continue;
		found++;
		cr_assert_eq(p->code[i].e.len, 1);
		cr_assert_eq(p->ecode[p->code[i].e.start].op, E_CONST);
		cr_assert_eq(scn_eval(p, p->code[i].e, NULL, NULL, 1), 1);
	}
	cr_assert_eq(found, 1);
	scn_free(p);
}

Test(scn_expr, runtime_division_by_zero_panics_with_its_position)
{
	struct scn_result r = scn_run_text("thread t\n  local z = 0\n  local q = 5 / z\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "t.scn:3:15: division by zero") != NULL, "%s", r.reason);
	r = scn_run_text("thread t\n  local z = 0\n  local q = 5 % z\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
}

Test(scn_expr, failed_expect_names_file_line_values)
{
	struct scn_result r = scn_run_text("shared x = 1\nthread t\n  local y = 2\n"
					   "  expect x + y == 4\n");
	cr_assert_eq(r.out, SIMK_FAIL_EXPECT);
	cr_assert(strstr(r.reason, "t.scn:4:3: expect failed: x + y == 4 (3 == 4, x=1, y=2)") !=
		      NULL,
		  "%s", r.reason);
	r = scn_run_text("thread t\n  local f = 0\n  expect f\n");
	cr_assert(strstr(r.reason, "t.scn:3:3: expect failed: f (f=0)") != NULL, "%s", r.reason);
}

Test(scn_expr, argument_lists_split_on_unary_minus)
{
	/* `print a -1` is two values; `print a - 1` and `print a-1` one */
	const char *text = "thread t\n  local a = 5\n  print a -1\n  print a - 1\n  print a-1\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	cr_assert_eq(p->nprints, 3);
	cr_assert_eq(p->prints[0].n, 2);
	cr_assert_str_eq(p->prints[0].label[0], "a");
	cr_assert_str_eq(p->prints[0].label[1], "-1");
	cr_assert_eq(p->prints[1].n, 1);
	cr_assert_str_eq(p->prints[1].label[0], "a - 1");
	cr_assert_eq(p->prints[2].n, 1);
	scn_free(p);
}

Test(scn_expr, bitwise_operators_and_shifts_follow_c)
{
	holds("(seven & two) == 2\n"
	      "(seven | 8) == 15\n"
	      "(seven ^ two) == 5\n"
	      "~zero == -1\n"
	      "~seven == -8\n"
	      "one << 4 == 16\n"
	      "-seven >> one == -4\n"
	      "big >> 62 == 1\n"
	      "(one << 63) < 0\n"
	      "(one << 63) >> 63 == -1\n");
}

Test(scn_expr, bitwise_precedence_is_c_precedence)
{
	/* | below ^ below & below ==; shifts between comparisons and + */
	holds("(one | two ^ two) == 1\n"
	      "(seven & two | one) == 3\n"
	      "(two & one == one) == 0\n"
	      "one << two + one == 8\n"
	      "one << two < seven == 1\n"
	      "(one | two && zero) == 0\n"
	      "(seven ^ seven || one) == 1\n"
	      "-one & seven == 7\n"
	      "~one + two == 0\n");
}

Test(scn_expr, constant_bitwise_expressions_fold)
{
	const char *text =
	    "thread t\n  expect ((1 << 4 | 3 & ~1) ^ 2) == 16 && (6 ^ 2 == 2) == 7\n";
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	for (int i = 0; i < p->ncode; i++)
		if (p->code[i].op == S_EXPECT) {
			cr_assert_eq(p->code[i].e.len, 1);
			cr_assert_eq(scn_eval(p, p->code[i].e, NULL, NULL, 1), 1);
		}
	scn_free(p);
}

Test(scn_expr, shift_count_out_of_range_panics_or_fails_the_parse)
{
	struct scn_result r = scn_run_text("thread t\n  local n = 64\n  local q = 1 << n\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "t.scn:3:15: shift count 64 out of range (0 to 63)") != NULL,
		  "%s", r.reason);
	r = scn_run_text("thread t\n  local n = -1\n  local q = 8 >> n\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "shift count -1 out of range") != NULL, "%s", r.reason);
	assert_parse_error("thread t\n  expect 1 << 70\n",
			   "t.scn:2:12: shift count 70 out of range");
}

Test(scn_expr, arrays_index_assign_and_measure)
{
	assert_passes("shared s[3]\n"
		      "shared v = [5, 1 << 3, -2]\n"
		      "thread t\n"
		      "  local a[4]\n"
		      "  local b = [10, 20, 30]\n"
		      "  local i = 1\n"
		      "  a[i] = b[i + 1]\n"
		      "  a[0] += 2\n"
		      "  a[0] -= 5\n"
		      "  expect a[1] == 30 && a[0] == -3 && a[3] == 0\n"
		      "  expect len(a) == 4 && len(b) == 3 && len(s) == 3 && len(v) == 3\n"
		      "  expect v[0] == 5 && v[1] == 8 && v[2] == -2\n"
		      "  s[2] = gettid\n"
		      "  expect s[2] == 1\n"
		      "  repeat len(b) as k\n"
		      "    s[0] += b[k]\n"
		      "  expect s[0] == 60\n"
		      "  local st = wait -1 status=a[2]\n"
		      "  expect st == -ECHILD\n");
}

Test(scn_expr, shared_arrays_are_shared_and_declared_anywhere)
{
	/* u is declared below the thread that reads it and its length */
	assert_passes("thread w\n"
		      "  u[len(u) - 1] = 7\n"
		      "thread r\n"
		      "  while u[4] == 0\n"
		      "    yield\n"
		      "  expect u[4] == 7\n"
		      "shared u[5]\n");
}

Test(scn_expr, a_local_array_is_zeroed_at_each_declaration)
{
	assert_passes("thread t\n"
		      "  repeat 3 as k\n"
		      "    local a[2] = [k]\n"
		      "    expect a[1] == 0 && a[0] == k\n"
		      "    a[1] = 9\n");
}

Test(scn_expr, index_out_of_bounds_panics_with_its_position)
{
	struct scn_result r = scn_run_text("thread t\n  local a[3]\n  local i = 3\n"
					   "  expect a[i] == 0\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "t.scn:4:10: index 3 out of bounds of 'a' (length 3)") != NULL,
		  "%s", r.reason);
	r = scn_run_text("shared s = [1, 2]\nthread t\n  local i = -1\n  s[i] = 4\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "t.scn:4:3: index -1 out of bounds of 's' (length 2)") != NULL,
		  "%s", r.reason);
	r = scn_run_text(
	    "thread t\n  local a[2]\n  local i = 2\n  local x = wait -1 status=a[i]\n");
	cr_assert_eq(r.out, SIMK_FAIL_PANIC);
	cr_assert(strstr(r.reason, "index 2 out of bounds of 'a'") != NULL, "%s", r.reason);
}

Test(scn_expr, array_declaration_errors)
{
	assert_parse_error("thread t\n  local a[0]\n", "t.scn:2:11: an array's length must be");
	assert_parse_error("thread t\n  local a[300]\n", "must be between 1 and 256");
	assert_parse_error("shared a[70000]\nthread t\n  pass\n", "must be between 1 and 65536");
	assert_parse_error("thread t\n  local a[]\n", "give the array's length");
	assert_parse_error("thread t\n  local a = []\n", "an array needs at least one value");
	assert_parse_error("thread t\n  local a[2] = [1, 2, 3]\n",
			   "too many values for the array (at most 2)");
	assert_parse_error("thread t\n  local a = [1 2]\n", "expected ',' or ']'");
	assert_parse_error("thread t\n  local x = 1\n  local a[x]\n", "must be a constant");
	assert_parse_error("shared x = 1\nshared a = [x]\nthread t\n  pass\n",
			   "must be a constant");
	assert_parse_error("thread t\n  local a[2]\n  local b = a\n",
			   "t.scn:3:13: 'a' is an array");
	assert_parse_error("thread t\n  local a[2]\n  a = 1\n",
			   "'a' is an array: name one element");
	assert_parse_error("thread t\n  local a[2]\n  local a = 1\n",
			   "local 'a' is already declared");
	assert_parse_error("shared a[2]\nthread t\n  local a[2]\n",
			   "'a' is already a shared variable");
	assert_parse_error("shared a[2]\nshared a = 1\nthread t\n  pass\n",
			   "'a' is already declared at line 1");
	assert_parse_error("thread t\n  local x = 2\n  expect len(x) == 1\n",
			   "len() takes the name of an array, 'x' is not an array");
	assert_parse_error("thread t\n  local a[2]\n  expect a[1 == 0\n", "expected ']' to close");
}

/* The S_SET statements of p (fused assignments, scn_parse.c). */
static int count_sets(const struct scn_prog *p)
{
	int n = 0;
	for (int i = 0; i < p->ncode; i++)
		n += p->code[i].op == S_SET;
	return n;
}

/* The scenario with each assignment's expression E written as `(E) + z + z`
 * (z a local 0: nothing to fold), which the parser leaves to the
 * expression loop, or as E, which it fuses: the same runs, events and
 * hashes either way. */
static struct scn_prog *assignments_program(bool fused)
{
	static const char *const exprs[] = {"y + 1", "x", "k * y", "x < 40", "7", "x - y", "k"};
	const char *e[7];
	char wrapped[7][32];
	for (int i = 0; i < 7; i++) {
		snprintf(wrapped[i], sizeof(wrapped[i]), "(%s) + z + z", exprs[i]);
		e[i] = fused ? exprs[i] : wrapped[i];
	}
	char text[1024];
	snprintf(text, sizeof(text),
		 "shared x = 1\nshared y = 2\n"
		 "thread a\n  local z = 0\n  local k = 5\n  repeat 3\n"
		 "    x = %s\n    y = %s\n    x = %s\n    y = %s\n"
		 "thread b\n  local z = 0\n  local k = 3\n  repeat 3\n"
		 "    y = %s\n    x = %s\n    k = %s\n",
		 e[0], e[1], e[2], e[3], e[4], e[5], e[6]);
	char err[256];
	struct scn_prog *p = scn_test_parse(text, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	return p;
}

Test(scn_expr, fused_assignments_run_as_the_expression_loop_does)
{
	struct scn_prog *fused = assignments_program(true);
	struct scn_prog *plain = assignments_program(false);
	/* the locals' declarations (`= 0`, `= 5`) are fused in both */
	cr_assert_eq(count_sets(fused), 4 + 7);
	cr_assert_eq(count_sets(plain), 4);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct scn_result a = scn_run_prog(fused, seed, SIMK_POLICY_RANDOM, false);
		struct scn_result b = scn_run_prog(plain, seed, SIMK_POLICY_RANDOM, false);
		cr_assert_eq(a.out, SIMK_PASS, "%s", a.reason);
		cr_assert_eq(b.out, SIMK_PASS, "%s", b.reason);
		cr_assert_eq(a.hash, b.hash, "seed %llu", (unsigned long long)seed);
	}
	scn_free(fused);
	scn_free(plain);
}
