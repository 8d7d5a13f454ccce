"""Shared fixtures for the simk CLI and scenario tests.

The binary under test is $SIMK_BIN, else $SIMK_ROOT/build/simk, where
SIMK_ROOT defaults to the repository root (two levels above this file).
The other build variants (build/O0/simk, build/asan/simk) are looked up
under SIMK_ROOT; tests that need one skip when it was not built
(`make test` builds them all).
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("SIMK_ROOT", Path(__file__).resolve().parents[2]))
SIMK = Path(os.environ.get("SIMK_BIN", ROOT / "build" / "simk"))
SCENARIOS = ROOT / "scenarios"

RESULT_RE = re.compile(
    r"^(?:PASS seed=(?P<seed>\d+) hash=(?P<hash>[0-9a-f]{16}) switches=(?P<switches>\d+) "
    r"vtime=(?P<vtime>\d+)ns|FAIL seed=(?P<fseed>\d+) hash=(?P<fhash>[0-9a-f]{16}) "
    r"reason=(?P<reason>.+))$"
)


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        lines = self.out.rstrip("\n").split("\n") if self.out else []
        self.last = lines[-1] if lines else ""
        self.m = RESULT_RE.match(self.last)

    @property
    def hash(self):
        assert self.m, f"no result line in: {self.out!r} / {self.err!r}"
        return self.m.group("hash") or self.m.group("fhash")

    @property
    def passed(self):
        return self.m is not None and self.last.startswith("PASS")

    def __repr__(self):
        return f"<exit {self.code}: {self.last!r} stderr={self.err[-500:]!r}>"


# SIMK_EXPLORE_JOBS=N runs every `simk explore` of the tests with --jobs N
# (unless the test gives --jobs itself): the output must be the same, so
# `SIMK_EXPLORE_JOBS=2 make test` checks --jobs against every exploration
# of the suite. Off by default: on a shared 2-core machine it was not faster.
EXPLORE_JOBS = os.environ.get("SIMK_EXPLORE_JOBS")


def run_simk(*args, binary=None, env=None, timeout=120, cwd=None):
    if EXPLORE_JOBS and args and str(args[0]) == "explore" and "--jobs" not in map(str, args):
        args = (*args, "--jobs", EXPLORE_JOBS)
    e = dict(os.environ)
    # leak detection stays on for the CLI (the default); a leak must fail
    e.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    if env:
        e.update(env)
    proc = subprocess.run(
        [str(binary or SIMK), *[str(a) for a in args]],
        capture_output=True,
        text=True,
        env=e,
        timeout=timeout,
        cwd=cwd,
    )
    return Result(proc)


@pytest.fixture(scope="session", autouse=True)
def _need_binary():
    if not SIMK.exists():
        pytest.exit(f"simk binary not found at {SIMK}: run `make` (or set SIMK_BIN)", 2)


@pytest.fixture
def simk():
    return run_simk


@pytest.fixture
def scn(tmp_path):
    """Writes a scenario text to a file and returns its path."""
    counter = [0]

    def write(text, name=None):
        counter[0] += 1
        p = tmp_path / (name or f"s{counter[0]}.scn")
        p.write_text(text)
        return p

    return write


def variant(name):
    """Path of a build variant's simk, or None when it is missing."""
    p = ROOT / "build" / name / "simk" if name else ROOT / "build" / "simk"
    return p if p.exists() else None


def forced(scn, text, old, new):
    """The scenario `text` with `old` replaced by `new` (which must apply),
    written to a file by the `scn` fixture."""
    assert old in text, old
    return scn(text.replace(old, new, 1))


def some_seed_fails(simk, path, needle, runs=1000):
    """True when exploring `path` under random, then pct, fails some seed
    (whose result line must contain `needle`)."""
    for policy in ("random", "pct"):
        r = simk("explore", path, "--runs", runs, "--policy", policy, timeout=300)
        if r.code == 1:
            assert needle in r.last, r
            return True
    return False


def assert_same_hash_across_builds(simk, name, path, seeds=(1, 7, 42)):
    """The build variant `name` gives the same result line as build/simk for
    each seed (skips when the variant was not built)."""
    other = variant(name)
    if other is None:
        pytest.skip(f"build/{name}/simk not built (make test builds it)")
    for seed in seeds:
        base = simk("run", path, "--quiet", "--seed", seed)
        r = simk("run", path, "--quiet", "--seed", seed, binary=other)
        assert (r.code, r.hash, r.last) == (base.code, base.hash, base.last), (r, base)
