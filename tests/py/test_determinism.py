"""Determinism: the same scenario, seed and options give the same hash, run
after run and build after build; different seeds explore different
interleavings."""
import pytest

from conftest import SCENARIOS, variant

CASES = [
    ("demo.scn", "random", 1), ("demo.scn", "pct", 2), ("demo.scn", "fifo", 3),
    ("lost-wakeup.scn", "random", 11), ("lost-wakeup.scn", "pct", 9),
    ("timeout-vs-wakeup.scn", "random", 7), ("fork-wait.scn", "random", 4),
    ("spawn-join.scn", "pct", 5), ("racy-counter.scn", "random", 2),
    ("signal-interrupts-sleep.scn", "random", 6), ("mutex-counter.scn", "random", 8),
]


@pytest.mark.parametrize("scenario,policy,seed", CASES)
def test_same_seed_same_hash(simk, scenario, policy, seed):
    runs = [simk("run", SCENARIOS / scenario, "--quiet", "--seed", seed, "--policy", policy)
            for _ in range(3)]
    assert runs[0].m, runs[0]
    assert {r.hash for r in runs} == {runs[0].hash}
    assert {r.code for r in runs} == {runs[0].code}


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_different_seeds_give_different_hashes(simk, policy):
    hashes = [simk("run", SCENARIOS / "demo.scn", "--quiet", "--seed", s, "--policy", policy).hash
              for s in range(1, 11)]
    assert len(set(hashes)) >= 5, hashes


def test_explore_counts_distinct_interleavings(simk):
    r = simk("explore", SCENARIOS / "mutex-counter.scn", "--runs", 500)
    assert r.code == 0, r
    n = int(r.last.split("distinct hashes=")[1].split(",")[0])
    assert n > 100


@pytest.mark.parametrize("name", ["O0", "asan", "clang", "ucontext"])
@pytest.mark.parametrize("scenario,policy,seed", CASES)
def test_same_hash_across_builds(simk, name, scenario, policy, seed):
    other = variant(name)
    if other is None:
        pytest.skip(f"build/{name}/simk not built (make test builds it)")
    base = simk("run", SCENARIOS / scenario, "--quiet", "--seed", seed, "--policy", policy)
    r = simk("run", SCENARIOS / scenario, "--quiet", "--seed", seed, "--policy", policy,
             binary=other)
    assert r.code == base.code, (r, base)
    assert r.hash == base.hash, (r, base)
    assert r.last == base.last


def test_check_determinism_reports_both_hashes(simk):
    r = simk("check-determinism", SCENARIOS / "lost-wakeup.scn", "--seed", 11)
    assert r.code == 0, r
    assert r.out.count("hash=") >= 2
    assert "outcome=4" in r.out, "a failing run is deterministic too"
