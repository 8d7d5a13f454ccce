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
