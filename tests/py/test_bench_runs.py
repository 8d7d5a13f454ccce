"""Every bench runs to the end and prints well-formed results.

`make test` builds the benches without timing them (timing belongs to
`make bench`); this runs each once, one round (BENCH_ROUNDS=1), and checks
only that it finishes and that what it prints follows docs/bench.md's
format — no figure is judged here. A bench whose workload stopped ending
(scaling's 20,000 threads once hit the step limit) failed `make bench`
unseen until someone ran it.
"""
import os
import re
import subprocess

import pytest

from conftest import ROOT

BENCH_DIR = ROOT / "build" / "bench"
BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("*.c"))
RESULT = re.compile(r"^bench (\S+) (\d+(?:\.\d+)?) (\S+) baseline=(\d+(?:\.\d+)?) "
                    r"ratio=(\d+(?:\.\d+)?) spread=(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?) rounds=1$")


@pytest.mark.parametrize("name", BENCHES)
def test_bench_runs_and_prints_results(name):
    exe = BENCH_DIR / name
    if not exe.exists():
        pytest.skip(f"{exe} is not built (make test builds every bench)")
    env = dict(os.environ, BENCH_ROUNDS="1")
    proc = subprocess.run([str(exe)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 0, (name, proc.stderr[-2000:])
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("bench ")]
    assert lines, (name, proc.stdout[-2000:])
    for ln in lines:
        m = RESULT.match(ln)
        assert m, (name, ln)
        lo, hi = float(m.group(6)), float(m.group(7))
        assert lo <= float(m.group(5)) <= hi, ln
