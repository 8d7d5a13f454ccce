"""Guest twins of the POSIX AIO race scenarios (tests/twins/paio/<scenario>.c,
the C programs of scenarios/paio/<scenario>.scn) and the POSIX AIO example
(examples/guest/paio_completion_order.c).

Each twin checks the scenario's invariant itself and prints which of its
outcomes the run reached; with the argument `forbid=NAME` reaching NAME
fails the run ("outcome NAME reached"). So: explored under random and pct
every seed passes; for each outcome, `explore -- forbid=NAME` finds a seed
that reaches it (the outcome is possible), and that seed replays to the
same output and trace hash, by seed and by schedule file.

The twins run on simk's default AIO pool (four workers, the
kernel-asynchronous path on), where the scenarios declare their own,
except worker-creation, which sizes it with glibc's aio_init
(aio_threads = 3) and checks the bound by what the workers run: with the
pool loaded, a request whose data is there stays queued; fsync-spread's
other write is submitted while the fsync runs, so that it ends before or
after it; kevent-oneshot and port-close do not read the kernel's counters
(knotes, notifications sent and dropped), which the end-of-run checks
cover.

"""

import pytest

from conftest import ROOT, SIMK
from twins import built, invariant_holds, outcome_reached_and_replays, seed_of

SCENARIOS = ROOT / "scenarios" / "paio"
TWINS = SIMK.parent / "tests" / "twins" / "paio"
EXAMPLE = SIMK.parent / "examples" / "guest" / "paio_completion_order"
NOT_TWINNED = set()
RUNS = 1000

# twin -> its outcomes
OUTCOMES = {
    "cancel-vs-pickup": ["AIO_CANCELED", "AIO_NOTCANCELED"],
    "cancel-pipe-read": ["AIO_CANCELED", "AIO_NOTCANCELED", "AIO_ALLDONE", "eaten", "left"],
    "fsync-spread": ["before", "after"],
    "lio-nowait-notify": ["early", "late"],
    "kevent-oneshot": ["collected", "missed", "AIO_CANCELED", "AIO_NOTCANCELED"],
    "port-close": ["got", "lost"],
    "worker-creation": ["a_ta", "a_tb", "a_tc"],
}


def twin(name):
    return built(TWINS / name)



def test_every_race_scenario_has_a_twin_or_says_why_not():
    races = {p.stem for p in SCENARIOS.glob("*.scn")}
    assert races == set(OUTCOMES) | NOT_TWINNED
    srcs = {p.stem for p in (ROOT / "tests" / "twins" / "paio").glob("*.c")}
    assert srcs == set(OUTCOMES)


@pytest.mark.parametrize("policy", ["random", "pct"])
@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_twin_invariant_holds_on_every_seed(simk, name, policy):
    invariant_holds(simk, twin(name), RUNS, policy)


@pytest.mark.parametrize("name,outcome",
                         [(n, o) for n in sorted(OUTCOMES) for o in OUTCOMES[n]])
def test_twin_outcome_is_reached_and_replays(simk, tmp_path, name, outcome):
    outcome_reached_and_replays(simk, tmp_path, twin(name), outcome, RUNS)


def test_example_race_is_found_and_replays(simk, tmp_path):
    """examples/guest/paio_completion_order.c waits only for the last of two
    writes: a plain run passes, explore finds the seed where the first is
    still in flight, and the seed replays."""
    if not EXAMPLE.exists():
        pytest.fail(f"{EXAMPLE} not built: run `make`")
    ok = simk("run", EXAMPLE, "--quiet")
    assert ok.passed and "saved" in ok.out, ok
    e = simk("explore", EXAMPLE, "--runs", RUNS)
    assert e.code == 1 and "exited with status 1" in e.last, e
    seed = seed_of(e.out + e.err)
    sched = tmp_path / "fail.sched"
    first = simk("run", EXAMPLE, "--seed", seed, "--policy", "random", "--preempt", 0.25,
                 "--schedule-out", sched)
    assert first.code == 1 and "header not on disk yet" in first.out, first
    again = simk("run", EXAMPLE, "--replay", sched)
    assert again.code == 1 and again.out == first.out and again.hash == first.hash, again


@pytest.mark.parametrize("prog", [f"twins/paio/{n}" for n in sorted(OUTCOMES)] + [
    "conformance/paio/sigev_thread", "conformance/paio/lio_notify_after_entries",
    "conformance/paio/aioread_aiowait", "conformance/paio/sigev_kevent",
    "conformance/paio/sigev_port"])
def test_guest_aio_runs_are_deterministic(simk, prog):
    """Two runs of one seed in one process give the same trace hash: the
    kernel's AIO events, aiowait's result and EVFILT_AIO knotes name a
    guest's blocks by their aliases, and SIGEV_THREAD threads keep the
    name their first events carry."""
    p = SIMK.parent / "tests" / prog
    if not p.exists():
        pytest.fail(f"{p} not built: run `make`")
    for policy in ("fifo", "random"):
        r = simk("check-determinism", p, "--seed", 5, "--policy", policy)
        assert r.code == 0, r
