"""simk shrink and explore --shrink (docs/shrink.md): a failing run shrinks
to its critical decisions — as few deviations from the default schedule and
as few preemptions as still fail the same way — the shrunk schedule replays
the same failure, and the decisions are told in the words of the source."""
import re

import pytest

from conftest import ROOT, SCENARIOS, run_simk

LOST = SCENARIOS / "lost-wakeup.scn"
SHRUNK_RE = re.compile(
    r"shrunk in (?P<runs>\d+) runs(?: \(the run cap stopped it\))? to (?P<devs>\d+) critical "
    r"decisions? \((?P<pre>\d+) preemptions?\)")
DECISION_RE = re.compile(r"^(?:shrink|shrunk):   \d+\. (.*)$", re.M)


def lab_file(lab):
    """A scenario lab's broken program (labs/scenario/ or, before the move, labs/)."""
    for d in (ROOT / "labs" / "scenario" / lab, ROOT / "labs" / lab):
        if (d / "broken.scn").is_file():
            return d / "broken.scn"
    pytest.skip(f"lab {lab} not found")


def line_of(path, text):
    """The line number of the first line of path that starts with text."""
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip().startswith(text):
            return i
    raise AssertionError(f"{text!r} not in {path}")


def shrunk(out):
    m = SHRUNK_RE.search(out)
    assert m, out
    return int(m.group("devs")), int(m.group("pre")), DECISION_RE.findall(out)


def test_lost_wakeup_shrinks_to_one_preemption_between_the_test_and_the_sleep(tmp_path):
    r = run_simk("shrink", LOST, "--seed", 11, cwd=tmp_path)
    assert r.code == 4, r
    devs, pre, decisions = shrunk(r.out)
    assert pre == 1, r.out  # the seed's run had 2: the waker preempted before its start
    assert devs == len(decisions) == 2, r.out
    test_line, sleep_line = line_of(LOST, "if flag == 0"), line_of(LOST, "sleep wq")
    assert any(f"after `if flag == 0` (line {test_line}), before `sleep wq` (line {sleep_line})"
               in d and "is preempted" in d for d in decisions), decisions
    assert any("T1 waker runs `flag = 1`" in d for d in decisions), decisions
    assert r.last.startswith("FAIL seed=11 ") and "deadlock: waiter" in r.last, r
    # the schedule file replays the shrunk run: same failure, same hash
    sched = tmp_path / "simk-shrunk.sched"
    assert sched.is_file()
    rr = run_simk("run", LOST, "--seed", 11, "--replay", sched, "--quiet", cwd=tmp_path)
    assert rr.code == 4 and rr.last == r.last, (rr, r.last)
    # and the reproducer printed says so
    repro = [l for l in r.out.splitlines() if l.startswith("shrink: reproduce: ")]
    assert len(repro) == 1 and repro[0].endswith(f"--seed 11 --replay simk-shrunk.sched"), repro


def test_schedule_out_names_the_file_and_shrinking_is_deterministic(tmp_path):
    a = run_simk("shrink", LOST, "--seed", 11, "--schedule-out", tmp_path / "a.sched")
    b = run_simk("shrink", LOST, "--seed", 11, "--schedule-out", tmp_path / "b.sched")
    assert a.code == b.code == 4
    assert (tmp_path / "a.sched").read_text() == (tmp_path / "b.sched").read_text()
    assert a.out.replace("a.sched", "X") == b.out.replace("b.sched", "X")


def test_a_passing_run_has_nothing_to_shrink(tmp_path):
    r = run_simk("shrink", LOST, "--seed", 1, cwd=tmp_path)
    assert r.code == 0, r
    assert "the run passes: nothing to shrink" in r.out
    assert not (tmp_path / "simk-shrunk.sched").exists()


def test_a_dfs_failure_shrinks_from_its_schedule_file(tmp_path):
    racy = SCENARIOS / "racy-counter.scn"
    e = run_simk("explore", racy, "--runs", 100, "--policy", "dfs", "--schedule-out",
                 "fail.sched", cwd=tmp_path)
    assert e.code == 1, e
    r = run_simk("shrink", racy, "--replay", "fail.sched", cwd=tmp_path)
    assert r.code == 1, r
    devs, pre, decisions = shrunk(r.out)
    assert pre == 1 and devs == 1, r.out
    read, write = line_of(racy, "local tmp = counter"), line_of(racy, "counter = tmp + 1")
    assert f"after `local tmp = counter` (line {read}), before `counter = tmp + 1` " \
           f"(line {write})" in decisions[0], decisions


def test_explore_shrink_shrinks_the_first_failure(tmp_path):
    r = run_simk("explore", LOST, "--runs", 100, "--policy", "pct", "--shrink", cwd=tmp_path)
    assert r.code == 4, r
    lines = r.out.splitlines()
    assert lines[-1].startswith("FAIL seed="), r.out  # the failing run's line stays last
    devs, pre, decisions = shrunk(r.out)
    assert pre == 1 and decisions, r.out
    assert any(l.startswith("shrunk: reproduce: ") and "--replay simk-shrunk.sched" in l
               for l in lines), r.out
    seed = re.search(r"FAIL seed=(\d+)", lines[-1]).group(1)
    rr = run_simk("run", LOST, "--seed", seed, "--replay", tmp_path / "simk-shrunk.sched",
                  "--quiet")
    assert rr.code == 4 and "deadlock: waiter" in rr.last, rr


def test_a_fault_the_failure_does_not_need_is_dropped(tmp_path):
    r = run_simk("shrink", LOST, "--seed", 11, "--fault", "blk/write/eio:p=0.5",
                 cwd=tmp_path)
    assert r.code == 4, r
    assert "with 1 --fault option" in r.out and "and 0 --fault options" in r.out, r.out
    repro = [l for l in r.out.splitlines() if l.startswith("shrink: reproduce: ")]
    assert "--fault" not in repro[0], repro


def test_a_schedule_file_that_does_not_fit_is_refused(tmp_path):
    bad = tmp_path / "bad.sched"
    bad.write_text("simk-schedule 1\nseed 1\ndecisions 3\n9 9 9\n")
    r = run_simk("shrink", LOST, "--replay", bad, cwd=tmp_path)
    assert r.code == 2, r
    assert "does not fit this run (replay diverged" in r.err, r


@pytest.mark.parametrize("args,msg", [
    ((), "missing the scenario FILE"),
    ((LOST, "--runs", 3), "does not apply to shrink"),
    ((LOST, "--policy", "dfs"), "--policy dfs is a search"),
])
def test_usage_errors(args, msg):
    r = run_simk("shrink", *args)
    assert r.code == 2 and msg in r.err, r


# Each scenario lab's first failing seed (random policy, as the lab README
# explores it): the preemptions its bug needs, and statements the critical
# decisions must name (an empty tuple: the default schedule fails with that
# seed's device timing, there is no scheduling decision to name).
LABS = {
    "01-lost-wakeup": (1, ("while done == 0", "sleep wq")),
    "02-check-then-act": (1, ("lock m", "if balance >= 70")),
    "03-bounded-buffer": (0, ("cv_wait not_empty m",)),
    "04-timeout-vs-wakeup": (0, ("delay 1ms",)),
    "05-eintr": (0, ()),
    # seed 9 since main's system-call entry path: "saved" but the old version
    # on disk, a power cut after close whatever the schedule
    "06-atomic-save": (0, ()),
    "07-aio-getevents": (0, ()),
    "08-port-oneshot": (0, ()),
}


@pytest.mark.parametrize("lab", sorted(LABS))
def test_each_labs_first_failure_shrinks_to_the_preemptions_its_bug_needs(lab, tmp_path):
    path = lab_file(lab)
    need, names = LABS[lab]
    r = run_simk("explore", path, "--runs", 1000, "--policy", "random", "--shrink",
                 cwd=tmp_path)
    assert r.code in (1, 3, 4), r
    devs, pre, decisions = shrunk(r.out)
    assert pre <= need, r.out
    text = "\n".join(decisions)
    for stmt in names:
        lines = [i for i, l in enumerate(path.read_text().splitlines(), 1)
                 if l.strip().startswith(stmt)]
        named = [int(n) for n in
                 re.findall(rf"`{re.escape(stmt)}[^`]*`(?: returned)? \(line (\d+)\)", text)]
        assert set(named) & set(lines), (stmt, lines, r.out)
    if not names:
        assert "the default schedule fails by itself" in r.out, r.out
