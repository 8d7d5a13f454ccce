"""What the exhaustive search (dfs with partial-order reduction) claims, and
that the claims hold (docs/exploration.md):
- device latency, fault firings and crash states are decisions it varies:
  a bug that needs a device reordering, a fault or a crash state is found by
  dfs, while a dfs that leaves that dimension to the seed says so instead of
  calling itself complete;
- a search that says "the search is complete" with nothing left to the seed
  is never contradicted by random seeds;
- the small scenarios of scenarios/ complete;
- the racy counter's and the lost wake-up's bugs are found within 3 paths.
"""
import re
import shlex
import subprocess

import pytest

from conftest import SCENARIOS

COMPLETE = re.compile(r"explored (\d+) paths \(policy dfs, por, (?:no bound|bound \d+), seed \d+, "
                      r"the search is complete")


def dfs(simk, path, *args, runs=100000, **kw):
    return simk("explore", path, "--policy", "dfs", "--runs", runs, *args, **kw)


def reproducer(r):
    lines = [ln for ln in r.out.splitlines() if ln.startswith("reproduce: ")]
    assert len(lines) == 1, r
    return shlex.split(lines[0][len("reproduce: "):])


def failing_path(r):
    m = re.search(r"^explore: path (\d+) \(policy dfs, por, [^)]*\) failed$", r.out, re.M)
    assert m, r.out
    return int(m.group(1))


# ---- dimensions beyond the schedule --------------------------------------------------

ORDER = SCENARIOS / "laio" / "completion-order.scn"


def test_a_bug_that_needs_the_device_to_reorder(simk, tmp_path):
    # seed 2 draws latencies that keep the submission order: a search that
    # leaves them to the seed finds nothing and says what it did not vary
    r = dfs(simk, ORDER, "--seed-start", 2, "--bound", 0, "--enumerate", "latency=seed")
    assert r.code == 0, r
    assert "fixed by the seed: device latency" in r.last, r.last
    # the search varies each request's latency class: the reordering fails
    r = dfs(simk, ORDER, "--seed-start", 2, "--bound", 0, "--schedule-out", "fail.sched",
            cwd=tmp_path)
    assert r.code == 1 and "expect failed: first == 1" in r.last, r
    assert failing_path(r) <= 10
    # its schedule keeps the latency decisions: the replay fails the same way
    sched = (tmp_path / "fail.sched").read_text()
    assert sched.startswith("simk-schedule 2") and re.search(r"\bd0:\d+/2\b", sched), sched
    again = subprocess.run(reproducer(r) + ["--quiet"], capture_output=True, text=True,
                           cwd=tmp_path)
    assert again.returncode == 1 and again.stdout.strip().split("\n")[-1] == r.last


FSYNC_IGNORED = """fault blk/write/eio:p=0.0001
device disk latency=50us
fs root disk
buffer b 512
thread app
  buf_fill b 120
  local fd = open "/f" O_CREAT + O_WRONLY
  expect fd >= 0
  local w = write fd b 512
  local r = fsync fd
  expect r == 0          # wrong: a write of the commit may fail
"""


def test_a_bug_that_needs_a_fault_to_fire(simk, scn, tmp_path):
    p = scn(FSYNC_IGNORED)
    r = simk("explore", p, "--runs", 100, "--policy", "random")
    assert r.code == 0, r  # the fault stream of 100 seeds never fires
    r = dfs(simk, p, "--bound", 0, "--enumerate", "faults=seed")
    assert r.code == 0 and "fixed by the seed: faults" in r.last, r.last
    r = dfs(simk, p, "--bound", 0, cwd=tmp_path)
    assert r.code == 1 and "expect failed: r == 0 (-5 == 0" in r.last, r
    assert failing_path(r) <= 10
    r = dfs(simk, p, "--bound", 0, "--enumerate", "faults=0")
    assert r.code == 0 and "faults: at most 0 firings per path" in r.last, r.last


def test_crash_states_break_an_in_place_save_not_an_atomic_one(simk):
    bad = SCENARIOS / "vfs" / "crash-inplace-save.scn"
    r = dfs(simk, bad, "--bound", 0)
    assert r.code == 1 and "sum == old_sum || sum == new_sum" in r.last, r
    # the worst case alone (every unstable write lost) never mixes the versions
    r = dfs(simk, bad, "--bound", 0, "--enumerate", "crash=0")
    assert r.code == 0 and "crash states: at most 0 unstable writes kept per path" in r.last, r
    good = SCENARIOS / "vfs" / "crash-atomic-save.scn"
    r = dfs(simk, good, "--bound", 0, "--enumerate", "crash=all", timeout=300)
    assert r.code == 0, r
    assert "crash states: every subset of the unstable writes" in r.last, r.last
    assert "the search is complete within the bound" in r.last, r.last


def test_random_samples_crash_states(simk):
    r = simk("explore", SCENARIOS / "vfs" / "crash-inplace-save.scn", "--runs", 50,
             "--policy", "random")
    assert r.code == 1, r


@pytest.mark.parametrize("args,msg", [
    (["--enumerate", "speed=2"], "unknown dimension 'speed'"),
    (["--enumerate", "latency"], "expected DIM=BOUND"),
    (["--enumerate", "faults=lots"], "faults needs a number from 0 to 1000, all or seed"),
    (["--latency-classes", "1"], "--latency-classes needs an integer from 2 to 16"),
    (["--por", "off", "--enumerate", "faults=1"], "--enumerate needs --por on"),
])
def test_enumerate_usage_errors(simk, args, msg):
    r = simk("explore", ORDER, "--runs", 5, "--policy", "dfs", *args)
    assert r.code == 2 and msg in r.err, r


def test_enumerate_needs_dfs(simk):
    r = simk("explore", ORDER, "--runs", 5, "--enumerate", "faults=1")
    assert r.code == 2 and "--enumerate applies to --policy dfs" in r.err, r


# ---- complete means complete -----------------------------------------------------------

# demo.scn is not small: with the cost model, each timer the consumer arms
# is ordered against every step of the producer (over 300,000 paths; 10,880
# with --step-cost 0, test below)
SMALL = ["mutex-counter.scn", "lost-wakeup-fixed.scn", "fork-wait.scn",
         "signal-interrupts-sleep.scn", "timeout-vs-wakeup.scn", "spawn-join.scn",
         "port/basics.scn", "vfs/pipe-epipe.scn"]


@pytest.mark.parametrize("name", SMALL)
def test_small_scenarios_complete(simk, name):
    r = dfs(simk, SCENARIOS / name, timeout=300)
    assert r.code == 0, r
    assert COMPLETE.match(r.last) and "all passed" in r.last, r.last
    assert "fixed by the seed" not in r.last and "within the bound" not in r.last, r.last


def test_demo_completes_without_the_cost_model(simk):
    r = dfs(simk, SCENARIOS / "demo.scn", "--step-cost", 0, timeout=300)
    assert r.code == 0 and COMPLETE.match(r.last), r.last


@pytest.mark.parametrize("name", ["mutex-counter.scn", "lost-wakeup-fixed.scn",
                                  "signal-interrupts-sleep.scn", "timeout-vs-wakeup.scn",
                                  "spawn-join.scn", "fork-wait.scn", "vfs/pipe-epipe.scn"])
def test_random_seeds_never_contradict_a_complete_search(simk, name):
    """dfs says complete with nothing left to the seed: no seed of random or
    pct may then fail (a contradiction would be a bug of the search)."""
    r = dfs(simk, SCENARIOS / name)
    assert COMPLETE.match(r.last) and "fixed by the seed" not in r.last, r.last
    for policy in ["random", "pct"]:
        rr = simk("explore", SCENARIOS / name, "--runs", 300, "--policy", policy,
                  "--preempt", "0.5")
        assert rr.code == 0, (policy, rr)


CONTRADICTED = """shared x = 0
shared y = 0
thread a
  x = 1
  local r = y
  expect r == 1 || x == 1
thread b
  y = 1
  local s = x
  expect s == 1 || y == 1
"""


def test_a_scenario_dfs_proves_has_no_failing_seed_and_one_it_refutes_has_one(simk, scn):
    """The other direction on a program with a real outcome space: what dfs
    fails on, some random seed fails on too, and the reverse."""
    p = scn(CONTRADICTED + "finally\n  expect x + y == 2\n")
    r = dfs(simk, p)
    assert r.code == 0 and COMPLETE.match(r.last), r.last
    assert simk("explore", p, "--runs", 300, "--policy", "random").code == 0
    q = scn(CONTRADICTED.replace("expect r == 1 || x == 1", "expect r == 1"))
    assert dfs(simk, q).code == 1
    assert simk("explore", q, "--runs", 300, "--policy", "random").code == 1


# ---- the bugs of the teaching scenarios, fast ----------------------------------------

@pytest.mark.parametrize("name,code", [("racy-counter.scn", 1), ("lost-wakeup.scn", 4)])
def test_teaching_bugs_within_three_paths(simk, tmp_path, name, code):
    r = dfs(simk, SCENARIOS / name, cwd=tmp_path)
    assert r.code == code, r
    assert failing_path(r) <= 3
