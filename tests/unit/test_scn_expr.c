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
