"""fileaio (examples/guest/fileaio/): one file-AIO library for guest
programs over three backends — Linux AIO with eventfd, POSIX AIO with
kqueue (SIGEV_KEVENT), POSIX AIO with event ports (SIGEV_PORT). The same
workloads, including a device fault and cancellations, must print the same
observable results on all three, under several seeds; and the client bug
of the `race` workload is found by explore in each backend and replays."""
import re

import pytest

from conftest import SIMK, variant

BACKENDS = ("laio", "kq", "port")
WORKLOADS = ("batch", "limit", "cancel", "timeout", "wakeup", "badfd")
SEEDS = (1, 2, 3)


def prog(backend):
    p = SIMK.parent / "examples" / "guest" / f"fileaio_{backend}"
    if not p.exists():
        pytest.fail(f"{p} not built: run `make`")
    return p


def observed(r):
    """What the program printed, without its backend's name and the result line."""
    lines = r.out.splitlines()
    assert lines and lines[-1].startswith(("PASS", "FAIL")), r
    assert re.match(r"backend (laio|kqueue|port), workload \w+$", lines[0]), r
    return lines[1:-1]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_every_backend_observes_the_same(simk, workload):
    seen = {}
    for b in BACKENDS:
        for seed in SEEDS:
            r = simk("run", prog(b), "--quiet", "--seed", seed, "--policy", "random", "--",
                     workload)
            assert r.passed, (b, seed, r)
            seen[(b, seed)] = observed(r)
    first = seen[(BACKENDS[0], SEEDS[0])]
    assert first, "the workload printed nothing"
    for k, v in seen.items():
        assert v == first, (k, v, first)


def first_data_write(simk):
    """The device write that the fault workload's first request makes: the
    mount's writes come before it, the same on every backend."""
    r = simk("run", prog("laio"), "--seed", 1, "--", "fault")
    assert r.passed, r
    writes = 0
    for line in r.out.splitlines():
        if "vfs:dio dio#" in line:
            return writes + 1
        writes += "blk:submit write" in line
    pytest.fail("no direct I/O in the trace")


def test_a_device_fault_fails_the_same_request_on_every_backend(simk):
    nth = first_data_write(simk)
    for b in BACKENDS:
        for seed in SEEDS:
            r = simk("run", prog(b), "--quiet", "--seed", seed, "--fault",
                     f"blk/write/eio:nth={nth}", "--", "fault")
            assert r.passed, (b, seed, r)
            assert observed(r) == ["write 0: rc -5 bytes 0", "write 1: rc 0 bytes 4096"], (b, r)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_race_is_found_by_explore_and_replays(simk, backend):
    r = simk("explore", prog(backend), "--runs", 500, "--", "race")
    assert r.code == 1, r
    assert "the block holds the first write" not in r.out  # explore prints only the verdict
    m = re.search(r"^reproduce: \S+ run \S+ --seed (\d+) (.*)$", r.err + r.out, re.M)
    assert m, r
    seed = m.group(1)
    fail = simk("run", prog(backend), "--quiet", "--seed", seed, "--policy", "random", "--",
                "race")
    again = simk("run", prog(backend), "--quiet", "--seed", seed, "--policy", "random", "--",
                 "race")
    assert fail.code == 1 and "the block holds the first write" in fail.out, fail
    assert fail.hash == again.hash
    # fifo's one schedule finishes the writes in the order they were submitted
    assert simk("run", prog(backend), "--quiet", "--policy", "fifo", "--", "race").passed


@pytest.mark.parametrize("backend", BACKENDS)
def test_under_asan(simk, backend):
    asan = variant("asan")
    if asan is None:
        pytest.skip("build/asan/simk not built (make test builds it)")
    for workload in ("batch", "cancel", "wakeup"):
        r = simk("run", prog(backend), "--quiet", "--seed", 1, "--", workload, binary=asan)
        assert r.passed, (workload, r)


def test_bad_workload_name_is_the_programs_usage(simk):
    r = simk("run", prog("laio"), "--quiet", "--", "nope")
    assert r.code == 1 and "usage:" in r.out + r.err
