"""Malformed scenarios: exit 2 with a `file:line:col: message` on stderr,
and no result line."""
import re

import pytest

HEAD = "waitqueue wq\nmutex m\ncv c\nshared flag = 0\n"

CASES = [
    # (id, text, line, col, message)
    ("tab-indent", "thread t\n\tpass\n", 2, 1, "tab in indentation"),
    ("unexpected-indent", "thread t\n  pass\n      pass\n", 3, 7, "unexpected indentation"),
    ("bad-dedent", "thread t\n    if 1\n        pass\n  pass\n", 4, 3,
     "unindent does not match any outer indentation level"),
    ("missing-block", "thread t\n  if flag\n  pass\n", 3, 3,
     "expected an indented block after 'if' (line 6)"),
    ("missing-body-at-eof", "thread t\n", 1, 1, "expected an indented block after 'thread'"),
    ("unknown-op", "thread t\n  florp wq\n", 2, 3, "unknown operation 'florp'"),
    ("undeclared-name", "thread t\n  expect nothing == 1\n", 2, 10, "undeclared name 'nothing'"),
    # a typo gets the closest known name (it used to say "undeclared name")
    # a file call in a scenario without a filesystem: every call would fail
    # with -ENOENT (it ran, silently)
    ("open-without-fs", "thread t\n  local fd = open \"/a\" O_CREAT + O_RDWR\n", 2, 3,
     "'open' needs a `fs` declaration and the scenario has none: declare a device and a "
     "filesystem at the top, for example `device disk` and `fs root disk`"),
    ("watch-without-fs", "thread t\n  local p = port_create\n  local r = port_watch p \"/a\" 1\n",
     3, 3, "'port_watch' needs a `fs` declaration"),
    ("typo-op", "thread t\n  lokc m\n", 2, 3, "unknown operation 'lokc', did you mean 'lock'?"),
    ("typo-op-in-assignment", "thread t\n  local r = lokc m\n", 2, 13,
     "unknown operation 'lokc', did you mean 'lock'?"),
    ("typo-keyword", "thread t\n  whiel flag\n    pass\n", 2, 3,
     "unknown operation 'whiel', did you mean 'while'?"),
    ("typo-const", "thread t\n  local r = sleep wq timeout=1ms\n  expect r == -ETIMEOUT\n", 3, 16,
     "undeclared name 'ETIMEOUT', did you mean 'ETIMEDOUT'?"),
    ("typo-variable", "thread t\n  flga = 1\n", 2, 3, "undeclared variable 'flga', did you mean 'flag'?"),
    ("typo-object", "thread t\n  lock mm\n", 2, 8,
     "undeclared name 'mm' ('lock' expects a mutex), did you mean 'm'?"),
    ("typo-declaration", "mutexx q\nthread t\n  pass\n", 1, 1,
     "unknown declaration or option 'mutexx', did you mean 'mutex'?"),
    ("undeclared-var", "thread t\n  x = 1\n", 2, 3, "undeclared variable 'x'"),
    ("undeclared-object", "thread t\n  lock nothing\n", 2, 8, "undeclared name 'nothing'"),
    ("bad-number", "thread t\n  delay 10xs\n", 2, 11, "unknown number suffix"),
    ("huge-number", "thread t\n  delay 123456789012345678901234\n", 2, 9, "number out of range"),
    ("fraction", "thread t\n  delay 0.5\n", 2, 9, "fractional number"),
    ("unterminated-string", "thread t\n  print \"oops\n", 2, 9, "unterminated string"),
    ("too-deep", "thread t\n" + "".join("  " * (i + 1) + "if 1\n" for i in range(32))
     + "  " * 33 + "pass\n", 34, 67, "blocks nested too deeply (more than 32 levels)"),
    ("wrong-arg-type", "thread t\n  lock wq\n", 2, 8,
     "wrong argument type: 'lock' expects a mutex, 'wq' is a waitqueue"),
    ("wrong-arg-type-int", "thread t\n  cv_wait c 5\n", 2, 13, "'cv_wait' expects the name of a mutex"),
    ("value-for-object", "thread t\n  delay m\n", 2, 9, "'m' is a mutex, not a value"),
    ("missing-arg", "thread t\n  cv_wait c\n", 2, 12, "missing argument MUTEX for 'cv_wait'"),
    ("too-many-args", "thread t\n  unlock m m\n", 2, 12, "too many arguments for 'unlock'"),
    ("unknown-named-arg", "thread t\n  lock m timeout=5\n", 2, 10, "unknown argument 'timeout' for 'lock'"),
    ("unknown-option", "speed 3\nthread t\n  pass\n", 1, 1, "unknown declaration or option 'speed'"),
    ("bad-policy", "policy lottery\nthread t\n  pass\n", 1, 8, "unknown policy 'lottery'"),
    ("bad-preempt", "preempt 2\nthread t\n  pass\n", 1, 9, "needs a probability between 0 and 1"),
    ("bad-fault", "fault blk/write\nthread t\n  pass\n", 1, 7, "expected POINT:p=PROB"),
    ("duplicate", "mutex m\nthread t\n  pass\n", 1, 7, "'m' is already declared at line 2"),
    ("elif-without-if", "thread t\n  elif 1\n    pass\n", 2, 3, "'elif' without a matching 'if'"),
    ("break-outside-loop", "thread t\n  break\n", 2, 3, "'break' outside a loop"),
    ("op-at-top-level", "lock m\nthread t\n  pass\n", 1, 1, "'lock' belongs inside a thread body"),
    ("decl-in-body", "thread t\n  mutex q\n", 2, 3, "'mutex' belongs at the top level"),
    ("assign-constant", "thread t\n  EINTR = 1\n", 2, 3, "cannot assign to the constant 'EINTR'"),
    ("reserved-name", "thread t\n  local if = 1\n", 2, 9, "'if' is a reserved word"),
    ("no-threads", "", -3, 1, "the scenario declares no thread"),
    ("all-manual", "thread t manual\n  pass\n", 1, 8, "every thread is manual"),
    ("bad-char", "thread t\n  expect flag $ 1\n", 2, 15, "unexpected character"),
    ("unclosed-paren", "thread t\n  expect (flag == 1\n", 2, 20, "expected ')'"),
    ("div-zero-const", "thread t\n  expect 1 % 0\n", 2, 12, "division by zero"),
    ("negative-seed", "seed -3\nthread t\n  pass\n", 1, 6, "option 'seed' must be between"),
    ("seed-word", "seed lots\nthread t\n  pass\n", 1, 6, "undeclared name 'lots'"),
    ("twice-option", "seed 1\nseed 2\nthread t\n  pass\n", 2, 1, "option 'seed' already set at line 5"),
    ("string-in-expr", "thread t\n  expect \"x\"\n", 2, 10, "strings are only allowed as operation arguments"),
    ("thread-in-unknown", "thread t in nowhere\n  pass\n", 1, 13, "undeclared process 'nowhere'"),
    ("kill-wrong-kind", "thread t\n  kill wq SIGUSR1\n", 2, 8,
     "'kill' expects a thread or a process, 'wq' is a waitqueue"),
    ("out-needs-variable", "thread t\n  wait 1 status=5\n", 2, 17, "'wait' expects a variable name for 'status'"),
    ("shift-const-range", "thread t\n  expect 1 >> 64\n", 2, 12, "shift count 64 out of range (0 to 63)"),
    ("array-zero-length", "thread t\n  local a[0]\n", 2, 11, "an array's length must be between 1 and 256"),
    ("array-as-value", "thread t\n  local a[2]\n  print a\n", 3, 9, "'a' is an array: use a[INDEX]"),
    ("array-unclosed-index", "shared s[2]\nthread t\n  s[1 = 3\n", 3, 7, "expected ']' to close the '['"),
    ("array-bad-values", "thread t\n  local a = [1; 2]\n", 2, 15, "unexpected character"),
    ("array-missing-comma", "thread t\n  local a = [1 2]\n", 2, 16, "expected ',' or ']'"),
    ("len-of-scalar", "thread t\n  expect len(flag) == 1\n", 2, 14, "len() takes the name of an array"),
    ("list-too-long", "thread t\n  io_submit 1" + " 2" * 33 + "\n", 2, 79,
     "'io_submit' takes at most 32 values for 'cb' (put more in an array)"),
    ("list-missing", "thread t\n  kevent 3 changes= max=1\n", 2, 21, "missing values for 'changes' of 'kevent'"),
    # found while fuzzing: the fifth long string overflowed the lexer's buffer
    ("strings-fill-the-line-buffer", "thread t\n  print" + (' "' + "s" * 1022 + '"') * 5 + "\n",
     2, 4109, "too many strings on one line"),
]


@pytest.mark.parametrize("name,text,line,col,msg", CASES, ids=[c[0] for c in CASES])
def test_malformed_scenario(simk, scn, name, text, line, col, msg):
    """Each case follows a few declarations (HEAD); its line numbers count
    from its own first line."""
    p = scn(HEAD + text, name=f"{name}.scn")
    line += HEAD.count("\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2, r
    assert r.m is None and r.out == "", "no result line on a parse error"
    first = r.err.splitlines()[0]
    assert re.match(rf"^{re.escape(str(p))}:\d+:\d+: ", first), first
    assert first.startswith(f"{p}:{line}:{col}: "), (first, line, col)
    assert msg in first, first


def test_every_command_reports_parse_errors(simk, scn):
    p = scn("thread t\n  florp\n")
    for args in (["run", p], ["explore", p, "--runs", 3], ["check-determinism", p]):
        r = simk(*args)
        assert r.code == 2 and f"{p}:2:3: unknown operation 'florp'" in r.err, (args, r)


def test_a_declaration_that_cannot_be_made_names_its_line(simk, scn):
    """Found while fuzzing: past the engine's 4096 processes the run did not
    start with a message that named no line."""
    p = scn("".join(f"process p{i}\n" for i in range(4100)) + "thread t\n  pass\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2 and r.out == "", r
    assert f"simk: {p}:4096:9: cannot create process p4095 (at most 4096)" in r.err, r.err


def test_no_suggestion_when_nothing_is_close(simk, scn):
    r = simk("run", scn("thread t\n  xyzzy 1\n"), "--quiet")
    assert r.code == 2 and r.err.rstrip().endswith("unknown operation 'xyzzy'"), r
