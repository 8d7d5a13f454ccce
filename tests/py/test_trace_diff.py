"""`simk diff` (docs/tracing.md "simk diff"): two runs, the first decision
where they part, both sides' context, and the failing side's causal chain.
With a failing run alone, the other side is the nearest passing run (one
decision taken the other way): for each lab it finds, that decision stands
inside the lab's racy window."""
import re

import pytest

from conftest import ROOT, SCENARIOS

RACY = SCENARIOS / "racy-counter.scn"
LABS = ROOT / "labs" / "scenario"

# lab -> (its first failing seed under random, the lines of its racy window:
# the statements between a check and the act that relies on it)
WINDOWS = {
    "01-lost-wakeup": (26, set(range(17, 19)) | set(range(23, 26))),  # test/sleep; done/wake
    "02-check-then-act": (3, set(range(16, 19)) | set(range(23, 26))),  # check, lock, act
    "03-bounded-buffer": (2, set(range(30, 38)) | set(range(41, 49))),  # the consumers' sections
    "04-timeout-vs-wakeup": (3, set(range(22, 37))),  # timed wait vs the answer
    "05-eintr": (2, set(range(19, 29))),  # the reader's reads vs the timer's signal
    "06-atomic-save": (9, set(range(37, 42))),  # truncate .. last write
}


def test_two_seeds_part_at_a_decision_and_the_failing_side_is_explained(simk):
    r = simk("diff", RACY, 1, 2)
    assert r.code == 1, r
    assert re.search(r"^A: 1 \(seed 1\): PASS hash=[0-9a-f]{16}$", r.out, re.M), r.out
    assert re.search(r"^B: 2 \(seed 2\): FAIL .*expect failed: counter == 6", r.out, re.M)
    m = re.search(r"the runs share their first (\d+) events and part at event \1:", r.out)
    assert m, r.out
    assert re.search(r"^  A: T\d runs next .*\n  B: T\d runs next ", r.out, re.M), r.out
    assert "\nA then:\n" in r.out and "\nB then:\n" in r.out
    assert "B fails; how we got here" in r.out and "A fails" not in r.out


def test_the_same_run_twice_is_the_same(simk):
    r = simk("diff", RACY, 2, 2)
    assert r.code == 0 and "the runs are the same" in r.out, r


def test_schedule_files_are_runs_too(simk, tmp_path):
    a, b = tmp_path / "a.sched", tmp_path / "b.sched"
    assert simk("run", RACY, "--seed", 1, "--quiet", "--schedule-out", a).code == 0
    assert simk("run", RACY, "--seed", 2, "--quiet", "--schedule-out", b).code == 1
    by_seed = simk("diff", RACY, 1, 2)
    by_file = simk("diff", RACY, a, b)
    assert by_file.code == 1
    part = lambda out: out.split("the runs share", 1)[1]
    assert part(by_file.out) == part(by_seed.out)


def test_the_nearest_passing_run_flips_the_decision_inside_the_race(simk):
    r = simk("diff", RACY, 2)
    assert r.code == 1, r
    assert re.search(r"^A is B with decision \d+ of \d+ taken the other way", r.out, re.M)
    assert re.search(r"^A: the nearest passing run \(seed 2\): PASS", r.out, re.M), r.out
    # T2 read counter (line 24) and is about to store it (line 25)
    m = re.search(r"^  B: T1 runs next .* while T2 stood at \[racy-counter\.scn:(\d+)\]$", r.out,
                  re.M)
    assert m and m.group(1) == "25", r.out


@pytest.mark.parametrize("lab", sorted(WINDOWS))
def test_diff_points_inside_each_labs_racy_window(simk, lab):
    seed, window = WINDOWS[lab]
    path = LABS / lab / "broken.scn"
    assert simk("run", path, "--seed", seed, "--policy", "random", "--quiet").code != 0
    r = simk("diff", path, seed, "--policy", "random", timeout=300)
    assert r.code == 1, r
    m = re.search(r"^  B: .* stood at \[broken\.scn:(\d+)\]$", r.out, re.M)
    assert m, r.out
    assert int(m.group(1)) in window, (lab, m.group(1), sorted(window))


def test_diff_of_a_passing_run_alone_says_so(simk):
    r = simk("diff", RACY, 1)
    assert r.code == 0 and "B passes" in r.out, r


def test_diff_usage_errors(simk, tmp_path):
    r = simk("diff", RACY)
    assert r.code == 2, r
    r = simk("diff", RACY, tmp_path / "missing.sched", 2)
    assert r.code == 2 and "missing.sched" in r.err, r


def test_lab07_a_dfs_failure_and_its_nearest_passing_run_part_inside_the_window(simk, tmp_path):
    """Lab 07's race is between the disk and io_getevents: no scheduling
    decision of a random run decides it, but a dfs search enumerates the
    latency classes, and the nearest passing run of its failing path parts
    from it between the submission and the reaping (lines 24-31)."""
    lab = LABS / "07-aio-getevents" / "broken.scn"
    sched = tmp_path / "fail.sched"
    r = simk("explore", lab, "--policy", "dfs", "--runs", 2000, "--quiet",
             "--schedule-out", sched)
    assert r.code == 1 and sched.exists(), r
    d = simk("diff", lab, sched, timeout=300)
    assert d.code == 1, d
    m = re.search(r"^  B: .* (?:stood|the last statement was) at \[broken\.scn:(\d+)\]$",
                  d.out, re.M)
    assert m and 24 <= int(m.group(1)) <= 31, d.out


def test_lab08_a_passing_and_a_failing_seed_part_inside_the_window(simk):
    """Lab 08: seed 3 passes, seed 1 deadlocks; they part where the client
    writes a message and the server, woken, may read it at once (the client's
    writes, lines 41-45, against the server's loop, 28-35)."""
    lab = LABS / "08-port-oneshot" / "broken.scn"
    assert simk("run", lab, "--seed", 3, "--quiet").passed
    assert simk("run", lab, "--seed", 1, "--quiet").code != 0
    d = simk("diff", lab, 3, 1)
    assert d.code == 1, d
    m = re.search(r"^  B: .* stood at \[broken\.scn:(\d+)\]$", d.out, re.M)
    assert m and int(m.group(1)) in set(range(28, 36)) | set(range(41, 46)), d.out


def test_a_timing_difference_is_told_apart_from_the_first_different_event(simk):
    """Two seeds of a scenario with a disk draw other latencies from the
    start: diff says where the clocks part and shows where the events do."""
    lab = LABS / "07-aio-getevents" / "broken.scn"
    d = simk("diff", lab, 2, 1)
    assert d.code == 1, d
    m = re.search(r"the runs' clocks part at event (\d+) \((\d+)ns against (\d+)ns: latencies "
                  r"or timers drawn from their seeds\); the same events, at other times, "
                  r"follow until event (\d+)", d.out)
    assert m, d.out
    assert int(m.group(4)) > int(m.group(1)) and m.group(2) != m.group(3)
    assert f"the runs share their first {m.group(4)} events" in d.out


def test_two_decisions_are_tried_when_one_is_not_enough(simk, tmp_path):
    """The client must run its second write before the server reads: a
    failing schedule whose nearest passing run needs two changes."""
    f = tmp_path / "two.scn"
    f.write_text("""\
shared x = 0
shared seen = 0
thread a
  x = 1
  yield
  x = 2
  yield
  x = 3
thread b
  yield
  seen = x
finally
  expect seen != 2
""")
    bad = None
    for seed in range(1, 200):
        if simk("run", f, "--seed", seed, "--policy", "random", "--quiet").code == 1:
            bad = seed
            break
    assert bad is not None
    d = simk("diff", f, bad, "--policy", "random")
    assert d.code == 1, d
    assert re.search(r"^A is B with decisions? [\d and]+ of \d+ taken the other way", d.out,
                     re.M), d.out
