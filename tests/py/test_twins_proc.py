"""Guest twins of the signal scenarios (tests/twins/proc/<scenario>.c, the C
programs of scenarios/<scenario>.scn for processes and signals) and the
signals example (examples/guest/signal_pause_race.c).

The twin checks the scenario's invariant itself: explored, every seed
passes, and a seed replays to the same output and trace hash. The example
has the classic lost-signal race (`if (!flag) pause()`): explore finds the
deadlock, its seed replays it, and the sigsuspend fix passes every seed.

Not twinned: fork-wait.scn (a guest cannot fork yet: docs/guest.md,
"Processes")."""
import re

import pytest

from conftest import SIMK

TWINS = SIMK.parent / "tests" / "twins" / "proc"
EXAMPLE = SIMK.parent / "examples" / "guest" / "signal_pause_race"
RUNS = 2000


def built(p):
    if not p.exists():
        pytest.fail(f"{p} not built: run `make`")
    return p


def seed_of(text):
    m = re.search(r"FAIL seed=(\d+)", text)
    assert m, text
    return int(m.group(1))


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_twin_signal_interrupts_sleep_on_every_seed(simk, policy):
    twin = built(TWINS / "signal-interrupts-sleep")
    r = simk("explore", twin, "--runs", 500, "--policy", policy, "--quiet")
    assert r.code == 0, r
    m = re.search(r"all passed, distinct hashes=(\d+)", r.last)
    assert m and int(m.group(1)) > 5, r.last


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
