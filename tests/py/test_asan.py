"""The ASan+UBSan build runs the scenarios and the CLI paths cleanly, with
leak detection on: a leak or any sanitizer report fails the process."""
import pytest

from conftest import SCENARIOS, variant

ASAN = variant("asan")
ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
       "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}
SAN_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

pytestmark = pytest.mark.skipif(ASAN is None, reason="build/asan/simk not built")


def clean(r):
    for mark in SAN_MARKS:
        assert mark not in r.err, r.err[-3000:]
    assert r.code != 99, r


@pytest.mark.parametrize("scenario,code", [
    ("demo.scn", 0), ("lost-wakeup.scn", 0), ("lost-wakeup-fixed.scn", 0),
    ("mutex-counter.scn", 0), ("racy-counter.scn", 0), ("timeout-vs-wakeup.scn", 0),
    ("signal-interrupts-sleep.scn", 0), ("fork-wait.scn", 0), ("spawn-join.scn", 0),
    ("unlock-not-owner.scn", 3),
])
def test_scenarios_run_clean(simk, scenario, code):
    r = simk("run", SCENARIOS / scenario, binary=ASAN, env=ENV)
    clean(r)
    assert r.code == code, r


def test_failed_runs_free_everything(simk):
    for args in (["run", SCENARIOS / "lost-wakeup.scn", "--seed", 11],
                 ["run", SCENARIOS / "racy-counter.scn", "--seed", 2]):
        r = simk(*args, binary=ASAN, env=ENV)
        clean(r)
        assert r.code in (1, 4), r


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_explore_many_runs_clean(simk, policy):
    r = simk("explore", SCENARIOS / "demo.scn", "--runs", 300, "--policy", policy,
             binary=ASAN, env=ENV)
    clean(r)
    assert r.code == 0, r
    r = simk("explore", SCENARIOS / "lost-wakeup.scn", "--runs", 100, "--policy", policy,
             binary=ASAN, env=ENV)
    clean(r)
    assert r.code == 4


def test_other_paths_clean(simk, scn, tmp_path):
    bad = scn("thread t\n  florp\n")
    sched = tmp_path / "s"
    cases = [
        (["run", bad], 2),
        (["run", SCENARIOS / "demo.scn", "--seed", "x"], 2),
        (["check-determinism", SCENARIOS / "fork-wait.scn", "--seed", 3], 0),
        (["run", SCENARIOS / "spawn-join.scn", "--trace-out", tmp_path / "t.json",
          "--schedule-out", sched, "--policy", "random"], 0),
        (["run", SCENARIOS / "spawn-join.scn", "--replay", sched, "--quiet"], 0),
        (["help", "ops"], 0),
    ]
    for args, code in cases:
        r = simk(*args, binary=ASAN, env=ENV)
        clean(r)
        assert r.code == code, (args, r)
