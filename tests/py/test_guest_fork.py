"""fork for guest programs (docs/guest.md, "Processes"): each process owns
an image of the guest's memory at the same addresses and exactly one is
resident. The conformance programs tests/conformance/proc/fork_*.c check
the semantics from inside; here: a race between two processes is found by
explore and replayed by its seed, runs are deterministic, and the result
is the same in every build of simk."""
import pytest

from conftest import SIMK, assert_same_hash_across_builds

GUESTS = SIMK.parent / "tests" / "guest"
CONF = SIMK.parent / "tests" / "conformance" / "proc"
FORK_PROGRAMS = ["fork_copy", "fork_pipe", "fork_wait_status", "fork_threads", "fork_aio_image"]


def built(p):
    if not p.exists():
        pytest.fail(f"{p} not built: run `make`")
    return p


def test_explore_finds_the_lost_update_and_the_seed_replays_it(simk, tmp_path):
    prog = built(GUESTS / "fork_lost_update")
    e = simk("explore", prog, "--runs", 500)
    assert e.code == 1 and "fork_lost_update exited with status 1" in e.last, e
    seed = e.last.split("seed=")[1].split()[0]
    first = simk("run", prog, "--seed", seed, "--policy", "random", "--preempt", "0.25",
                 "--schedule-out", tmp_path / "s")
    assert first.code == 1 and first.hash == e.hash, (first, e)
    again = simk("run", prog, "--replay", tmp_path / "s")
    assert again.code == 1 and again.out == first.out


def test_dfs_finds_the_lost_update(simk):
    e = simk("explore", built(GUESTS / "fork_lost_update"), "--policy", "dfs", "--bound", 1, "--runs", 5000)
    assert e.code == 1 and "exited with status 1" in e.last, e


@pytest.mark.parametrize("name", FORK_PROGRAMS)
def test_every_explored_schedule_passes(simk, name):
    r = simk("explore", built(CONF / name), "--runs", 200)
    assert r.code == 0 and "all passed" in r.last, r


@pytest.mark.parametrize("name", FORK_PROGRAMS + ["fork_lost_update"])
def test_check_determinism(simk, name):
    prog = CONF / name if name != "fork_lost_update" else GUESTS / name
    r = simk("check-determinism", built(prog), "--seed", 5, "--policy", "random")
    assert r.code == 0 and "deterministic: seed=5" in r.out, r


@pytest.mark.parametrize("build", ["O0", "asan", "clang"])
@pytest.mark.parametrize("name", ["fork_copy", "fork_threads", "fork_aio_image"])
def test_same_hash_across_builds(simk, build, name):
    assert_same_hash_across_builds(simk, build, built(CONF / name), seeds=(1, 7))
