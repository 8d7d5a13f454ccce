"""Threads by the hundred thousand: a run may have up to SIM_MAX_THREADS
(200,000) threads, alive at once — far past the ~32,700 that two mappings per
stack allowed against the host's vm.max_map_count — and a run that asks for
one more fails, naming simk's limit, the same way on every host and build
(the sanitizer build too)."""
import pytest

from conftest import ROOT, run_simk

ALIVE = """\
policy fifo
shared entered = 0
waitqueue go

thread worker manual
  entered += 1
  sleep go

thread boss
  repeat {n}
    spawn worker
  yield
  expect entered == {n}
  wake go
"""

OVER = """\
policy fifo
thread worker manual
  pass

thread boss
  repeat {n}
    spawn worker
"""

LIMIT = 200000
LIMIT_MSG = f"thread limit: a run has at most {LIMIT} threads (spawning worker)"


def test_a_hundred_thousand_threads_alive_at_once(scn):
    # every worker blocks holding its stack before the boss wakes them all
    r = run_simk("run", scn(ALIVE.format(n=100000)), "--quiet", timeout=300)
    assert r.code == 0, r
    assert "switches=200002" in r.last, r


def test_more_threads_than_the_limit_fail_naming_it(scn):
    # the boss is thread 1: its 200,000th spawn asks for thread 200,001
    r = run_simk("run", scn(OVER.format(n=LIMIT)), "--quiet", timeout=300)
    assert r.code == 3, r
    assert LIMIT_MSG in r.last, r


def test_up_to_the_limit_is_fine(scn):
    r = run_simk("run", scn(OVER.format(n=LIMIT - 1)), "--quiet", timeout=300)
    assert r.code == 0, r


@pytest.mark.parametrize("variant", ["asan", "O0", "clang", "ucontext"])
def test_every_build_serves_the_threads_and_names_the_limit(variant, scn):
    binary = ROOT / "build" / variant / "simk"
    if not binary.exists():
        pytest.skip(f"{binary} not built (make test builds it)")
    # past the old limit of ~32,700 stacks, alive at once
    r = run_simk("run", scn(ALIVE.format(n=40000)), "--quiet", binary=binary, timeout=600)
    assert r.code == 0, r
    r = run_simk("run", scn(OVER.format(n=LIMIT)), "--quiet", binary=binary, timeout=600)
    assert r.code == 3 and LIMIT_MSG in r.last, r
