"""Inputs that the fuzzers (fuzz/, `make fuzz`) once broke: `simk run` on
each ends cleanly, with the exit code its first line announces
("... (exit N)"), and a message that names a place in the file.

With the ASan+UBSan build (build/asan/simk, `make test` builds it) each also
runs with leak detection on and no sanitizer report."""
import re

import pytest

from conftest import ROOT, variant

REGRESSIONS = sorted((ROOT / "fuzz" / "regressions").glob("*.scn"))
ASAN = variant("asan")
ASAN_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
            "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}
SAN_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def announced_exit(path):
    m = re.search(r"\(exit (\d)\)", path.read_text(errors="replace").split("\n", 1)[0])
    assert m, f"{path.name}: the first line must say '(exit N)'"
    return int(m.group(1))


def check_clean(r, path):
    code = announced_exit(path)
    assert r.code == code, r
    loc = re.compile(rf"{re.escape(str(path))}:\d+:\d+: ")
    if code == 2:
        assert r.m is None and r.out == "", "a parse error runs nothing"
        # a parse error starts with the place; a declaration that cannot be
        # made (exit 2 as well) says "simk: FILE:LINE:COL: ..."
        assert loc.search(r.err.splitlines()[0]), r.err[:500]
    else:
        assert r.m is not None, r
        if code != 0:
            assert r.last.startswith("FAIL "), r
            # the FAIL line names the place (--quiet leaves only the
            # reproducer on stderr)
            assert re.search(rf"{re.escape(str(path))}:\d+:\d+", r.last), r.last


def test_there_are_regressions():
    assert REGRESSIONS, "fuzz/regressions/ is empty"


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_regression_runs_cleanly(simk, path):
    check_clean(simk("run", path, "--quiet", timeout=60), path)


@pytest.mark.skipif(ASAN is None, reason="build/asan/simk not built")
@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_regression_runs_cleanly_under_asan(simk, path):
    r = simk("run", path, "--quiet", binary=ASAN, env=ASAN_ENV, timeout=120)
    for mark in SAN_MARKS:
        assert mark not in r.err, r.err[-3000:]
    check_clean(r, path)
