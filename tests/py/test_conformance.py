"""The conformance suite (tests/conformance/README.md): programs written for
Linux libaio, BSD kqueue, illumos event ports, POSIX/Solaris AIO and POSIX
processes and signals, compiled unchanged by simk-cc (`make` builds them
into build/tests/conformance/<subsystem>/) and run inside simk. Each checks
its own results and exits 0 when every check held."""
import re

import pytest

from conftest import ROOT, SIMK, variant

SRC = ROOT / "tests" / "conformance"
BUILT = SIMK.parent / "tests" / "conformance"
PROGRAMS = sorted(p.relative_to(SRC).with_suffix("").as_posix() for p in SRC.glob("*/*.c"))
SEEDS = (1, 2, 3)


def program(name):
    p = BUILT / name
    if not p.exists():
        pytest.fail(f"{p} not built: run `make`")
    return p


@pytest.mark.parametrize("name", PROGRAMS)
def test_passes(simk, name):
    for seed in SEEDS:
        r = simk("run", program(name), "--quiet", "--seed", seed)
        assert r.passed, (seed, r)


@pytest.mark.parametrize("name", PROGRAMS)
def test_same_hash_wherever_the_host_puts_it(simk, name):
    """A guest's memory is host memory at addresses that change from one
    process to the next (ASLR); nothing it does may depend on them. POSIX
    AIO kept requests in chains chosen by the aiocb's raw address, and
    aio_cancel(fd, NULL) walks the chains: cancel_all_fd's hash changed
    from one run of the same seed to the next. Six processes each."""
    hashes = {simk("run", program(name), "--quiet", "--seed", 2).hash for _ in range(6)}
    assert len(hashes) == 1, hashes


@pytest.mark.parametrize("name", PROGRAMS)
def test_passes_under_asan(simk, name):
    asan = variant("asan")
    if asan is None:
        pytest.skip("build/asan/simk not built (make test builds it)")
    r = simk("run", program(name), "--quiet", "--seed", 1, binary=asan)
    assert r.passed, r


@pytest.mark.parametrize("name", PROGRAMS)
def test_says_what_it_checks(name):
    """Each program opens with a comment saying what it checks; a program
    that follows a reference system rather than a newer kernel says which."""
    text = (SRC / f"{name}.c").read_text()
    assert re.match(r"\s*/\*.{40,}?\*/", text, re.S), f"{name}.c: no opening comment"
