"""Properties beyond `expect` (docs/scenarios.md, "Properties"): `always`
and `eventually ... within` checked in every state of a run, `sometimes` and
`reachable` counted across an exploration with the witnessing run, or the
search failing when one never held."""
import json
import re
import shlex
import subprocess

import pytest

from conftest import SCENARIOS


def scn(tmp_path, text, name="p.scn"):
    p = tmp_path / name
    p.write_text(text)
    return p


TOKEN = """\
# x and y are each set then cleared: both set at once is possible
shared x = 0
shared y = 0
always !(x == 1 && y == 1)
thread a
    x = 1
    x = 0
thread b
    y = 1
    y = 0
"""


def test_always_fails_in_an_intermediate_state_naming_the_store(simk, tmp_path):
    f = scn(tmp_path, TOKEN)
    r = simk("explore", f, "--runs", 500)
    assert r.code == 1, r
    m = re.search(r"p\.scn:4:1: always failed: !\(x == 1 && y == 1\) \(x=1, y=1\) "
                  r"after (a|b)'s store at .*p\.scn:(6|9):5", r.out)
    assert m, r.out


def test_always_is_found_by_the_reduced_dfs(simk, tmp_path):
    """The four stores touch different variables: without the invariant's
    reads counted as the storing step's, the partial-order reduction would
    run a single path and miss the state where both are set."""
    r = simk("explore", scn(tmp_path, TOKEN), "--policy", "dfs", "--runs", 1000)
    assert r.code == 1, r
    assert "always failed" in r.out


def test_always_holds_under_a_lock_the_dfs_proves_it(simk, tmp_path):
    f = scn(tmp_path, """\
shared x = 0
shared y = 0
mutex m
always x == y || x == y + 1
thread a
    lock m
    x += 1
    y += 1
    unlock m
thread b
    lock m
    x += 1
    y += 1
    unlock m
""")
    r = simk("explore", f, "--policy", "dfs", "--runs", 10000)
    assert r.code == 0, r
    assert "the search is complete" in r.out


def test_always_checks_the_initial_state(simk, tmp_path):
    f = scn(tmp_path, "shared x = 3\nalways x < 3\nthread t\n    pass\n")
    r = simk("run", f, "--quiet")
    assert r.code == 1
    assert "p.scn:2:1: always failed: x < 3 (x=3) in the initial state" in r.last


def test_always_adds_no_trace_event(simk, tmp_path):
    body = "shared x = 0\nthread t\n    x = 1\n    x = 2\n"
    plain = simk("run", scn(tmp_path, body, "a.scn"), "--quiet")
    checked = simk("run", scn(tmp_path, "always x >= 0\n" + body, "b.scn"), "--quiet")
    assert plain.passed and checked.passed
    assert plain.hash == checked.hash


def test_eventually_fails_at_its_deadline(simk, tmp_path):
    f = scn(tmp_path, """\
shared done = 0
eventually done == 2 within 1ms
thread slow
    compute 2ms
    done += 1
thread fast
    done += 1
""")
    r = simk("run", f, "--quiet")
    assert r.code == 1
    assert re.search(r"p\.scn:2:1: eventually failed: done == 2 was not true within 1ms "
                     r"\(the deadline passed\) \(done=[01]\)$", r.last), r.last


def test_eventually_fails_when_the_run_ends_first(simk, tmp_path):
    f = scn(tmp_path, "shared done = 0\neventually done == 2 within 1s\n"
                      "thread t\n    done += 1\n")
    r = simk("run", f, "--quiet")
    assert r.code == 1
    assert "was not true within 1s (the run ended first) (done=1)" in r.last


def test_eventually_met_in_time_passes_every_seed(simk, tmp_path):
    f = scn(tmp_path, """\
shared done = 0
eventually done == 2 within 5ms
thread a
    compute 1ms
    done += 1
thread b
    compute 2ms
    done += 1
""")
    r = simk("explore", f, "--runs", 200)
    assert r.code == 0, r


def test_eventually_after_finally(simk, tmp_path):
    """The condition may come true in the finally block: the check waits for it."""
    f = scn(tmp_path, "shared done = 0\neventually done == 1 within 1ms\n"
                      "thread t\n    pass\nfinally\n    done = 1\n")
    assert simk("run", f, "--quiet").passed


WINDOW = """\
# the reader can see the writer's two stores half done, one way or the other
shared x = 0
shared y = 0
thread writer
    x = 1
    y = 1
thread reader
    local a = x
    local b = y
    sometimes a == 0 && b == 1
    sometimes a == 1 && b == 0
    reachable
"""


def prop_lines(out):
    return [l for l in out.splitlines()
            if l.startswith(("sometimes", "reachable", "  witness:", "FAIL"))]


def test_sometimes_reports_counts_and_a_witness_that_replays(simk, tmp_path):
    f = scn(tmp_path, WINDOW)
    r = simk("explore", f, "--runs", 300)
    assert r.code == 0, r
    lines = prop_lines(r.out)
    assert len(lines) == 6, r.out
    m = re.match(r"sometimes .*p\.scn:10 a == 0 && b == 1: true in (\d+) of 300 runs, "
                 r"first in run (\d+) \(seed (\d+)\)", lines[0])
    assert m and 0 < int(m.group(1)) < 300, lines[0]
    assert lines[4].startswith("reachable") and "true in 300 of 300 runs" in lines[4]
    # the witness command reruns the first run where it held, and it holds there
    cmd = lines[1].split("witness: ", 1)[1]
    argv = shlex.split(cmd)
    assert argv[0].endswith("simk") and argv[1] == "run"
    w = simk(*argv[1:])
    assert w.passed
    assert re.search(r"^sometimes .*p\.scn:10 a == 0 && b == 1: true in this run$", w.out, re.M)


def test_sometimes_results_do_not_depend_on_jobs(simk, tmp_path):
    f = scn(tmp_path, WINDOW)
    one = simk("explore", f, "--runs", 400, "--jobs", 1)
    two = simk("explore", f, "--runs", 400, "--jobs", 2)
    assert one.code == two.code == 0
    assert prop_lines(one.out) == prop_lines(two.out)


def test_a_never_true_property_fails_the_search(simk, tmp_path):
    f = scn(tmp_path, WINDOW + "    sometimes a == 5\n")
    r = simk("explore", f, "--runs", 100)
    assert r.code == 1
    assert re.search(r"^sometimes .*p\.scn:13 a == 5: never true in 100 runs$", r.out, re.M)
    assert "FAIL 1 property was never reached: the search did not cover it" in r.out


def test_complete_dfs_says_a_property_cannot_be_reached(simk, tmp_path):
    f = scn(tmp_path, WINDOW + "    sometimes a == 0 && b == 1 && x == 0\n")
    r = simk("explore", f, "--policy", "dfs", "--runs", 10000)
    assert r.code == 1
    assert "the search is complete" in r.out
    assert "no path of the complete search reaches it" in r.out
    # both half-done orders are found, each on its own path
    assert "a == 0 && b == 1: true in 1 of" in r.out
    assert "a == 1 && b == 0: true in 1 of" in r.out


def test_json_lists_the_properties(simk, tmp_path):
    f = scn(tmp_path, WINDOW)
    r = simk("explore", f, "--runs", 100, "--json")
    assert r.code == 0
    d = json.loads(r.out)
    props = d["properties"]
    assert [p["kind"] for p in props] == ["sometimes", "sometimes", "reachable"]
    assert props[2] == {"kind": "reachable", "line": 12, "condition": "", "true_in": 100,
                        "first": 1, "seed": 1, "witness": props[2]["witness"]}
    assert props[2]["witness"].split()[1] == "run"


def test_run_prints_each_property_unless_quiet(simk, tmp_path):
    f = scn(tmp_path, WINDOW)
    r = simk("run", f, "--seed", 1)
    assert r.passed
    assert len([l for l in r.out.splitlines() if l.startswith(("sometimes", "reachable"))]) == 3
    assert "reachable 12" in r.out  # the trace event of the first time it held
    q = simk("run", f, "--seed", 1, "--quiet")
    assert q.out.count("\n") == 1


@pytest.mark.parametrize("text,msg", [
    ("thread t\n    always 1\n", "p.scn:2:5: 'always' belongs at the top level"),
    ("shared x\neventually x == 1\nthread t\n    pass\n",
     "p.scn:2:18: expected 'within DURATION' after the condition of 'eventually'"),
    ("shared x\neventually x == 1 within 0\nthread t\n    pass\n",
     "p.scn:2:26: the duration of 'within' must be positive"),
    ("shared x\neventually x == 1 within\nthread t\n    pass\n",
     "'within' needs a duration"),
    ("thread t\n    sometimes\n", "p.scn:2:14: 'sometimes' needs a condition"),
    ("thread t\n    reachable 1\n", "p.scn:2:15: unexpected"),
    ("thread t\n    local v = 1\nalways v == 1\n", "p.scn:3:8: undeclared name 'v'"),
    ("shared always\nthread t\n    pass\n", "reserved"),
    ("thread t\n" + "    reachable\n" * 65, "too many properties (at most 64 per scenario)"),
])
def test_bad_properties_are_parse_errors(simk, tmp_path, text, msg):
    r = simk("run", scn(tmp_path, text), "--quiet")
    assert r.code == 2, r
    assert msg in r.err, r.err


@pytest.mark.parametrize("args", [("--runs", 2000), ("--policy", "pct", "--runs", 2000),
                                  ("--policy", "dfs", "--runs", 10000)])
def test_the_race_window_example_reaches_both_windows(simk, args):
    r = simk("explore", SCENARIOS / "race-window.scn", *args)
    assert r.code == 0, r
    lines = [l for l in r.out.splitlines() if l.startswith(("sometimes", "reachable"))]
    assert len(lines) == 3 and all("never" not in l for l in lines), r.out


def test_the_race_window_example_under_fifo_never_reaches_them(simk):
    """fifo runs one schedule: the search says it did not cover the windows."""
    assert simk("run", SCENARIOS / "race-window.scn", "--quiet").passed
    r = simk("explore", SCENARIOS / "race-window.scn", "--runs", 10, "--policy", "fifo")
    assert r.code == 1
    assert "FAIL 2 properties were never reached" in r.out


def test_merge_of_shards_gives_the_one_process_answer(simk, tmp_path):
    f = SCENARIOS / "race-window.scn"
    shards = []
    for i in range(3):
        r = simk("explore", f, "--runs", 300, "--shard", f"{i}/3", "--json")
        assert r.code in (0, 1), r  # a shard may miss a window the others reach
        p = tmp_path / f"s{i}.json"
        p.write_text(r.out)
        shards.append(p)
    whole = simk("explore", f, "--runs", 300, "--json")
    merged = simk("merge", "--json", *shards)
    assert whole.code == merged.code == 0
    a = json.loads(whole.out)["properties"]
    b = json.loads(merged.out)["properties"]
    assert a == b
    text = simk("merge", *shards)
    assert text.code == 0 and "first with seed" in text.out
