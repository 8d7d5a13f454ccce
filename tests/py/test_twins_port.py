"""Guest twins of the event-port race scenarios (tests/twins/port/<scenario>.c,
the C programs of scenarios/port/<scenario>.scn) and the event-ports example
(examples/guest/port_worker_pool.c).

Each twin checks the scenario's invariant itself and prints which of its
outcomes the run reached; with the argument `forbid=NAME` reaching NAME
fails the run. So: explored under random and pct every seed passes; for
each outcome, `explore -- forbid=NAME` finds a seed that reaches it (the
outcome is possible), and that seed replays to the same output and trace
hash, by seed and by schedule file.

Not twinned: basics.scn is a tour of the calls, not a race
(tests/guest/port.c and tests/conformance/port/ cover it).
"""

import pytest

from conftest import ROOT, SIMK
from twins import built, invariant_holds, outcome_reached_and_replays, seed_of

SCENARIOS = ROOT / "scenarios" / "port"
TWINS = SIMK.parent / "tests" / "twins" / "port"
EXAMPLE = SIMK.parent / "examples" / "guest" / "port_worker_pool"
NOT_TWINNED = {"basics"}
RUNS = 1500

# twin -> its outcomes
OUTCOMES = {
    "send-vs-getn2": ["first1", "first2"],
    "waiter-order": ["small_first", "big_first"],
    "alert-vs-waiters": ["w3_events", "w3_alerted"],
    "close-vs-waiters": ["ebadfd", "ebadf", "timer"],
    "fd-reassoc-vs-ready": ["once", "several"],
    "timer-overrun": ["ten", "eleven"],
    "mountedover-vs-create": ["modified", "mountedover"],
    "fork-noshare": ["parent_user", "child_user"],
    "timer-create-vs-close": ["made", "ebadf", "ebadfd"],
}


def twin(name):
    return built(TWINS / name)



def test_every_race_scenario_has_a_twin_or_a_reason():
    races = {p.stem for p in SCENARIOS.glob("*.scn")}
    assert races == set(OUTCOMES) | NOT_TWINNED
    srcs = {p.stem for p in (ROOT / "tests" / "twins" / "port").glob("*.c")}
    assert srcs == set(OUTCOMES)


@pytest.mark.parametrize("policy", ["random", "pct"])
@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_twin_invariant_holds_on_every_seed(simk, name, policy):
    invariant_holds(simk, twin(name), RUNS, policy, min_distinct=5)


@pytest.mark.parametrize("name,outcome", [(n, o) for n in sorted(OUTCOMES) for o in OUTCOMES[n]])
def test_twin_outcome_is_reached_and_replays(simk, tmp_path, name, outcome):
    outcome_reached_and_replays(simk, tmp_path, twin(name), outcome, RUNS)


def test_example_race_is_found_and_replays(simk, tmp_path):
    """examples/guest/port_worker_pool.c: the reaper's port_dissociate returns
    0 while the worker holds an event already retrieved; explore finds the
    schedule where the reaper closes the descriptor between the worker's
    port_get and its read."""
    if not EXAMPLE.exists():
        pytest.fail(f"{EXAMPLE} not built: run `make`")
    e = simk("explore", EXAMPLE, "--runs", 1000)
    assert e.code == 1 and "exited with status 1" in e.last, e
    seed = seed_of(e.out + e.err)
    sched = tmp_path / "fail.sched"
    first = simk("run", EXAMPLE, "--seed", seed, "--policy", "random", "--preempt", 0.25,
                 "--schedule-out", sched)
    assert first.code == 1, first
    assert "but read failed: Bad file descriptor (the reaper closed it: dead=1)" in first.out
    again = simk("run", EXAMPLE, "--replay", sched)
    assert again.code == 1 and again.out == first.out and again.hash == first.hash, again
    # a fifo run (no preemption) never splits port_get from read
    ok = simk("run", EXAMPLE, "--quiet")
    assert ok.passed and "connection reaped" in ok.out, ok
