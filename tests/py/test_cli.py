"""The simk command line: flags, usage errors, result lines, exit codes,
trace and schedule files."""
import json
import re

import pytest

from conftest import ROOT, SCENARIOS, SIMK, run_simk

DEMO = SCENARIOS / "demo.scn"
LOST = SCENARIOS / "lost-wakeup.scn"

# A seed that shows the lost wake-up under random (stated in the scenario).
LOST_SEED = 11


def test_help_lists_commands_and_exit_codes(simk):
    for args in (["--help"], ["-h"], ["help"]):
        r = simk(*args)
        assert r.code == 0, r
        for word in ("run FILE", "explore FILE --runs N", "check-determinism FILE",
                     "4 deadlock"):
            assert word in r.out


@pytest.mark.parametrize("topic,words", [
    ("run", ["--seed N", "--policy P", "--trace-out", "--schedule-out", "--replay",
             "--quiet", "--fault SPEC", "--preempt", "--pct-depth", "--pct-steps"]),
    ("explore", ["--runs N", "--seed-start S", "--shard I/N", "fifo run's decision count"]),
    ("check-determinism", ["twice", "exits 0"]),
    ("ops", ["sleep WQ [timeout=DUR]", "cv_wait CV MUTEX", "spawn THREAD", "mutex NAME"]),
])
def test_help_topics(simk, topic, words):
    r = simk("help", topic)
    assert r.code == 0, r
    for w in words:
        assert w in r.out, w


def test_version_from_the_version_file(simk):
    version = (ROOT / "VERSION").read_text().strip()
    for args in (["--version"], ["version"]):
        r = simk(*args)
        assert r.code == 0, r
        assert r.out == f"simk {version}\n", r


def test_flag_forms_the_parser_accepts(simk):
    want = simk("run", DEMO, "--seed", "3", "--quiet").last
    assert want.startswith("PASS seed=3 ")
    for args in (["--seed=3", "--quiet", DEMO],      # flags before the file
                 ["--qui", DEMO, "--seed", "3"],     # an unambiguous prefix
                 ["--seed", "3", "--quiet", "--", DEMO]):  # `--` ends the flags
        r = simk("run", *args)
        assert r.code == 0 and r.last == want, (args, r)


def test_posixly_correct_does_not_change_parsing(simk):
    r = run_simk("run", DEMO, "--seed", "3", "--quiet",
                 env={"POSIXLY_CORRECT": "1"})
    assert r.code == 0 and r.last.startswith("PASS seed=3 "), r


def test_command_help_flag(simk):
    r = simk("run", "--help")
    assert r.code == 0 and "usage: simk run FILE" in r.out
    r = simk("explore", "-h")
    assert r.code == 0 and "usage: simk explore" in r.out


@pytest.mark.parametrize("args,msg", [
    ([], "usage: simk <command>"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["help", "nope"], "unknown topic 'nope'"),
    (["run"], "missing the scenario FILE"),
    (["run", DEMO, DEMO], "unexpected argument"),
    (["run", DEMO, "--bogus"], "unknown option '--bogus'"),
    (["run", DEMO, "-x"], "unknown option '-x'"),
    (["run", DEMO, "--seed"], "option '--seed' needs a value"),
    (["run", DEMO, "--seed", "abc"], "--seed needs a non-negative integer, got 'abc'"),
    (["run", DEMO, "--seed", "-1"], "--seed needs a non-negative integer, got '-1'"),
    (["run", DEMO, "--seed", "12x"], "--seed needs a non-negative integer"),
    (["run", DEMO, "--seed", "99999999999999999999999"], "--seed needs a non-negative integer"),
    (["run", DEMO, "--seed=abc"], "got 'abc'"),
    (["run", DEMO, "--policy", "lifo"], "unknown policy 'lifo'"),
    (["run", DEMO, "--policy", "replay"], "--policy replay needs --replay FILE"),
    (["run", DEMO, "--policy", "pct", "--replay", "x"], "--replay implies --policy replay"),
    (["run", DEMO, "--preempt", "1.5"], "--preempt needs a probability between 0 and 1"),
    (["run", DEMO, "--preempt", "nan"], "--preempt needs a probability"),
    (["run", DEMO, "--preempt", "-0.1"], "--preempt needs a probability"),
    (["run", DEMO, "--irq", "2"], "--irq needs a probability"),
    (["run", DEMO, "--pct-depth", "0"], "--pct-depth needs an integer from 1 to 16"),
    (["run", DEMO, "--pct-depth", "17"], "--pct-depth needs an integer from 1 to 16"),
    (["run", DEMO, "--pct-steps", "0"], "--pct-steps needs a positive integer"),
    (["run", DEMO, "--max-steps", "x"], "--max-steps needs a positive integer"),
    (["run", DEMO, "--quiet=1"], "option '--quiet' takes no value"),
    (["run", DEMO, "--runs", "5"], "option '--runs' does not apply to run"),
    (["run", DEMO, "--fault", "nonsense"], "expected POINT:p=PROB, POINT:nth=K or POINT:off"),
    (["run", DEMO, "--fault", "a/b:p=7"], "probability must be in [0, 1]"),
    (["run", DEMO, "--replay", "/nonexistent/sched"], "/nonexistent/sched"),
    (["run", DEMO, "--schedule-out", "/nonexistent/dir/s"], "cannot write /nonexistent/dir/s"),
    (["run", "/nonexistent/x.scn"], "/nonexistent/x.scn: cannot open"),
    (["explore", DEMO], "missing --runs N"),
    (["explore", DEMO, "--runs", "-1"], "--runs needs a positive integer, got '-1'"),
    (["explore", DEMO, "--runs", "0"], "--runs needs a positive integer"),
    (["explore", DEMO, "--runs", "ten"], "--runs needs a positive integer"),
    (["explore", DEMO, "--runs", "5", "--seed-start", "x"], "--seed-start needs a non-negative"),
    (["explore", DEMO, "--runs", "5", "--shard", "4/4"], "--shard needs I/N with 0 <= I < N"),
    (["explore", DEMO, "--runs", "5", "--shard", "1"], "--shard needs I/N"),
    (["explore", DEMO, "--runs", "5", "--shard", "a/b"], "--shard needs I/N"),
    (["explore", DEMO, "--runs", "5", "--shard", "0/0"], "--shard needs I/N"),
    (["explore", DEMO, "--runs", "5", "--seed", "3"], "option '--seed' does not apply to explore"),
    (["explore", DEMO, "--runs", "5", "--policy", "replay"],
     "--policy replay does not apply (explore's policies: random, pct, fifo, dfs)"),
    (["explore", DEMO, "--runs", "5", "--policy", "lifo"],
     "unknown policy 'lifo' (random, pct, fifo or dfs)"),
    (["explore", DEMO, "--runs", "5", "--trace-out", "x.json"], "does not apply to explore"),
    (["check-determinism"], "missing the scenario FILE"),
    (["check-determinism", DEMO, "--seed", "x"], "--seed needs a non-negative integer"),
    (["check-determinism", DEMO, "--runs", "3"], "does not apply to check-determinism"),
    # the getopt_long parser's own errors, each naming the flag
    (["run", DEMO, "--bogus=3"], "unknown option '--bogus' "),
    (["run", DEMO, "-xq"], "unknown option '-x'"),
    (["run", DEMO, "--s", "1"], "option '--s' is ambiguous (--seed, --schedule-out"),
    (["run", DEMO, "--fault"], "option '--fault' needs a value"),
    (["explore", DEMO, "--runs"], "option '--runs' needs a value"),
    (["explore", DEMO, "--runs", "5", "--jobs", "x"], "--jobs needs an integer from 0 to 256, got 'x'"),
    (["explore", DEMO, "--runs", "5", "--bound", "2"], "--bound applies to --policy dfs"),
    (["explore", DEMO, "--runs", "5", "--policy", "dfs", "--bound", "1001"],
     "--bound needs an integer from 0 to 1000, got '1001'"),
    (["run", DEMO, "--policy", "dfs"], "--policy dfs is a search"),
    (["run", DEMO, "--runs"], "option '--runs' does not apply to run"),
    (["run", DEMO, "--help=1"], "option '--help' takes no value"),
    (["run", "--", DEMO, DEMO], "unexpected argument"),
    (["version", "x"], "simk: version: unexpected argument 'x'"),
    (["version", "--seed", "1"], "option '--seed' does not apply to version"),
    (["help", "run", "explore"], "simk: help: unexpected argument 'explore'"),
])
def test_usage_errors_exit_2_with_a_message(simk, args, msg):
    r = simk(*args)
    assert r.code == 2, r
    assert msg in r.err, r
    assert "ERROR: AddressSanitizer" not in r.err


def test_pass_line_format_and_exit_0(simk):
    r = simk("run", DEMO, "--quiet")
    assert r.code == 0, r
    assert r.out.count("\n") == 1, "--quiet prints only the result line"
    assert re.fullmatch(r"PASS seed=1 hash=[0-9a-f]{16} switches=\d+ vtime=\d+ns", r.last)
    assert r.err == ""


def test_readable_trace_without_quiet(simk):
    r = simk("run", DEMO)
    assert r.code == 0, r
    lines = r.out.splitlines()
    header = lines[0]
    assert "vtime" in header and "T1 producer" in header and "T2 consumer" in header
    # virtual time on the left of every event line
    assert all(re.match(r"\s*\d+ns  ", ln) for ln in lines[1:-1]), lines[:5]
    assert any("cv_wait(not_empty, m" in ln for ln in lines)
    assert r.passed


def test_fail_line_and_reproducer_for_a_deadlock(simk):
    r = simk("run", LOST, "--seed", LOST_SEED, "--policy", "random")
    assert r.code == 4, r
    assert re.fullmatch(r"FAIL seed=11 hash=[0-9a-f]{16} reason=deadlock: .*waiter.*wq.*", r.last)
    assert "last events:" in r.err
    assert "waiter (tid 2) sleeps on wq at" in r.err and "lost-wakeup.scn:" in r.err
    repro = [ln for ln in r.err.splitlines() if ln.startswith("reproduce: ")]
    assert len(repro) == 1
    assert f" run {LOST} --seed 11 --policy random --preempt 0.25" in repro[0]


def test_exit_1_on_a_failed_expectation(simk):
    r = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2, "--quiet")
    assert r.code == 1, r
    assert "reason=" in r.last and "racy-counter.scn:" in r.last
    assert "expect failed: counter == 6" in r.last
    assert "reproduce: " in r.err


def test_exit_3_on_a_kernel_panic(simk):
    r = simk("run", SCENARIOS / "unlock-not-owner.scn")
    assert r.code == 3, r
    assert r.last.startswith("FAIL seed=1 ")
    assert "unlocked by non-owner intruder" in r.last
    assert r.last.endswith("(at %s:14:3)" % (SCENARIOS / "unlock-not-owner.scn"))
    assert "intruder (tid 2) failed at" in r.err and ":14:3: unlock m" in r.err
    assert "reproduce: " in r.err and "--policy fifo" in r.err


@pytest.mark.parametrize("scenario,code", [("unlock-not-owner.scn", 3), ("lost-wakeup.scn", 4),
                                           ("racy-counter.scn", 1)])
def test_quiet_failure_prints_the_result_line_and_the_reproducer(simk, scenario, code):
    """--quiet printed about 25 lines to stderr on a failure (the reason,
    the trace tail, every thread); now the FAIL line and the reproducer."""
    r = simk("run", SCENARIOS / scenario, "--quiet", "--seed", 11, "--policy", "random")
    assert r.code == code, r
    assert r.out.count("\n") == 1 and r.last.startswith("FAIL seed=11 "), r
    assert r.err.count("\n") == 1 and r.err.startswith("reproduce: "), r
    assert " --seed 11 --policy random" in r.err


def test_exit_3_on_the_step_limit(simk, scn):
    p = scn("thread spin\n  while 1\n    pass\n")
    r = simk("run", p, "--max-steps", 1000, "--quiet")
    assert r.code == 3, r
    assert "step limit of 1000" in r.last
    assert "--max-steps 1000" in r.err


def test_last_line_is_the_result_even_with_stderr_merged(tmp_path):
    import subprocess
    out = subprocess.run(f"'{SIMK}' run '{LOST}' --seed {LOST_SEED} 2>&1", shell=True,
                         capture_output=True, text=True)
    assert out.returncode == 4
    assert out.stdout.rstrip("\n").split("\n")[-1].startswith("FAIL seed=11 ")


def test_command_line_overrides_scenario_options(simk, scn):
    p = scn("seed 5\npolicy fifo\nshared x\nthread a\n  x = 1\nthread b\n  x = 2\n")
    assert simk("run", p, "--quiet").last.startswith("PASS seed=5 ")
    assert simk("run", p, "--quiet", "--seed", 9).last.startswith("PASS seed=9 ")
    fifo = simk("run", p, "--quiet").hash
    # with many seeds, random must leave fifo's interleaving at least once
    hashes = {simk("run", p, "--quiet", "--policy", "random", "--preempt", "1", "--seed", s).hash
              for s in range(1, 8)}
    assert hashes - {fifo}


def test_seed_accepts_the_full_64_bit_range(simk):
    r = simk("run", DEMO, "--quiet", "--seed", "18446744073709551615")
    assert r.code == 0 and r.last.startswith("PASS seed=18446744073709551615 "), r


def test_option_equals_form(simk):
    a = simk("run", DEMO, "--quiet", "--seed=3", "--policy=pct", "--pct-depth=2")
    b = simk("run", DEMO, "--quiet", "--seed", "3", "--policy", "pct", "--pct-depth", "2")
    assert a.code == 0 and a.hash == b.hash


def test_pct_options_change_the_run(simk):
    base = simk("run", DEMO, "--quiet", "--policy", "pct", "--seed", 4)
    steps = simk("run", DEMO, "--quiet", "--policy", "pct", "--seed", 4, "--pct-steps", 5)
    depth = simk("run", DEMO, "--quiet", "--policy", "pct", "--seed", 4, "--pct-depth", 1)
    assert base.passed and steps.passed and depth.passed
    assert len({base.hash, steps.hash, depth.hash}) > 1


def test_preempt_option_changes_the_run(simk):
    never = simk("run", DEMO, "--quiet", "--policy", "random", "--preempt", "0")
    often = simk("run", DEMO, "--quiet", "--policy", "random", "--preempt", "0.9")
    assert never.passed and often.passed and never.hash != often.hash


def test_irq_option(simk):
    a = simk("run", SCENARIOS / "timeout-vs-wakeup.scn", "--quiet", "--irq", "0", "--seed", 3)
    b = simk("run", SCENARIOS / "timeout-vs-wakeup.scn", "--quiet", "--irq", "1", "--seed", 3)
    assert a.passed and b.passed


def test_fault_option_reaches_the_run(simk, scn):
    # a fault point that never fires and one enabled on the command line
    p = scn("thread t\n  pass\n")
    r = simk("run", p, "--quiet", "--fault", "kmem/alloc/enomem:p=0", "--fault", "blk/read/eio:nth=2,every")
    assert r.code == 0, r


def test_trace_out_writes_chrome_json(simk, tmp_path):
    out = tmp_path / "t.json"
    r = simk("run", DEMO, "--quiet", "--trace-out", out)
    assert r.code == 0, r
    data = json.loads(out.read_text())
    evs = data["traceEvents"]
    assert len(evs) > 10
    names = {e.get("args", {}).get("name") for e in evs if e.get("ph") == "M"}
    assert {"producer", "consumer"} <= names
    assert any("cv_wait(not_empty, m" in e.get("name", "") for e in evs)


def test_trace_out_on_a_failed_run(simk, tmp_path):
    out = tmp_path / "fail.json"
    r = simk("run", LOST, "--seed", LOST_SEED, "--quiet", "--trace-out", out)
    assert r.code == 4
    assert json.loads(out.read_text())["traceEvents"]


def test_trace_out_to_an_unwritable_path_is_a_usage_error(simk):
    r = simk("run", DEMO, "--quiet", "--trace-out", "/nonexistent/dir/t.json")
    assert r.code == 2 and "cannot write /nonexistent/dir/t.json" in r.err


@pytest.mark.parametrize("scenario,seed,policy", [
    ("demo.scn", 3, "random"),
    ("demo.scn", 3, "pct"),
    ("lost-wakeup.scn", LOST_SEED, "random"),
    ("timeout-vs-wakeup.scn", 7, "random"),
    ("spawn-join.scn", 2, "pct"),
])
def test_schedule_out_then_replay_gives_the_same_hash(simk, tmp_path, scenario, seed, policy):
    sched = tmp_path / "s.sched"
    a = simk("run", SCENARIOS / scenario, "--quiet", "--seed", seed, "--policy", policy,
             "--schedule-out", sched)
    assert a.m, a
    assert sched.read_text().startswith("simk-schedule 1\n")
    b = simk("run", SCENARIOS / scenario, "--quiet", "--replay", sched)
    assert b.code == a.code, (a, b)
    assert b.hash == a.hash
    assert b.last.split()[1] == f"seed={seed}", "the seed comes from the schedule file"
    if a.code != 0:
        assert f"--replay {sched}" in b.err


def test_replay_of_a_foreign_schedule_diverges(simk, tmp_path):
    sched = tmp_path / "s.sched"
    simk("run", DEMO, "--quiet", "--seed", 2, "--policy", "random", "--schedule-out", sched)
    r = simk("run", SCENARIOS / "spawn-join.scn", "--quiet", "--replay", sched)
    assert r.code == 3 and "replay" in r.last, r


def test_replay_with_explicit_seed(simk, tmp_path):
    sched = tmp_path / "s.sched"
    simk("run", DEMO, "--quiet", "--seed", 2, "--policy", "random", "--schedule-out", sched)
    r = simk("run", DEMO, "--quiet", "--replay", sched, "--seed", 2, "--policy", "replay")
    assert r.code == 0 and r.last.startswith("PASS seed=2 ")


def test_check_determinism_passes(simk):
    r = simk("check-determinism", DEMO, "--seed", 5)
    assert r.code == 0, r
    hashes = re.findall(r"run \d: hash=([0-9a-f]{16})", r.out)
    assert len(hashes) == 2 and hashes[0] == hashes[1]
    assert "deterministic: seed=5" in r.out


@pytest.mark.parametrize("policy", ["fifo", "random", "pct"])
def test_check_determinism_on_every_scenario(simk, policy):
    for f in sorted(SCENARIOS.glob("*.scn")):
        r = simk("check-determinism", f, "--seed", 3, "--policy", policy)
        assert r.code == 0, (f, r)


def test_unreadable_and_odd_files(simk, tmp_path):
    r = simk("run", tmp_path)
    assert r.code == 2 and "cannot read a directory" in r.err
    bom = tmp_path / "bom.scn"
    bom.write_bytes(b"\xef\xbb\xbfthread t\n  pass")  # BOM, no final newline
    assert simk("run", bom, "--quiet").code == 0
    crlf = tmp_path / "crlf.scn"
    crlf.write_bytes(b"shared x\r\nthread t\r\n  x = 1\r\n  expect x == 1\r\n")
    assert simk("run", crlf, "--quiet").code == 0
