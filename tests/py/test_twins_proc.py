"""Guest twins of the signal scenarios (tests/twins/proc/<scenario>.c, the C
programs of scenarios/<scenario>.scn for processes and signals) and the
signals example (examples/guest/signal_pause_race.c).

The twin checks the scenario's invariant itself: explored, every seed
passes, and a seed replays to the same output and trace hash. The example
has the classic lost-signal race (`if (!flag) pause()`): explore finds the
deadlock, its seed replays it, and the sigsuspend fix passes every seed.
fork-wait.scn's twin forks a guest child (docs/guest.md, "Processes"):
its flag reaches the parent through a pipe, since the child's memory is a
copy."""
import pytest

from conftest import SIMK
from twins import built, invariant_holds, seed_of

TWINS = SIMK.parent / "tests" / "twins" / "proc"
EXAMPLE = SIMK.parent / "examples" / "guest" / "signal_pause_race"
RUNS = 2000


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_twin_signal_interrupts_sleep_on_every_seed(simk, policy):
    invariant_holds(simk, built(TWINS / "signal-interrupts-sleep"), 500, policy, min_distinct=5)


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_twin_fork_wait_on_every_seed(simk, policy):
    invariant_holds(simk, built(TWINS / "fork-wait"), 500, policy, min_distinct=3)


def test_twin_fork_wait_replays_to_the_same_hash(simk):
    twin = built(TWINS / "fork-wait")
    a = simk("run", twin, "--seed", 11, "--policy", "random", "--preempt", 0.25)
    b = simk("run", twin, "--seed", 11, "--policy", "random", "--preempt", 0.25)
    assert a.passed and b.passed, (a, b)
    assert a.hash == b.hash and a.out == b.out


def test_twin_replays_to_the_same_hash(simk):
    twin = built(TWINS / "signal-interrupts-sleep")
    a = simk("run", twin, "--seed", 7, "--policy", "random", "--preempt", 0.25)
    b = simk("run", twin, "--seed", 7, "--policy", "random", "--preempt", 0.25)
    assert a.passed and b.passed, (a, b)
    assert a.hash == b.hash and a.out == b.out


def test_example_lost_signal_is_found_and_replays(simk):
    ex = built(EXAMPLE)
    e = simk("explore", ex, "--runs", RUNS, "--quiet")
    assert e.code == 4, e  # a deadlock
    assert "deadlock" in e.out + e.err, e
    seed = seed_of(e.out + e.err)
    opts = ["--seed", seed, "--policy", "random", "--preempt", 0.25]
    a = simk("run", ex, *opts)
    b = simk("run", ex, *opts)
    assert not a.passed and not b.passed, (a, b)
    assert "deadlock: main" in a.out + a.err, a
    assert a.hash == b.hash, (a, b)


def test_example_fix_passes_every_seed(simk):
    r = simk("explore", built(EXAMPLE), "--runs", RUNS, "--quiet", "--", "fixed")
    assert r.code == 0, r
