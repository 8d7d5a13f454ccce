"""The trace's memory is bounded (docs/tracing.md): `simk run` streams the
readable trace as events happen instead of storing the run, and the event
store of --trace-out has a cap. Checked by running long loops under an
address-space limit (RLIMIT_AS), never by timing."""
import re
import resource
import subprocess

import pytest

from conftest import SIMK

AS_LIMIT = 100 << 20  # bytes of address space for the whole simk process
ITERATIONS = 1_200_000  # one traced write each: 67 MB of stored events


def spin(tmp_path, n=ITERATIONS):
    p = tmp_path / "spin.scn"
    p.write_text(f"shared x = 0\nthread t\n  repeat {n}\n    x += 1\n")
    return p


def limited_run(*args):
    """simk under RLIMIT_AS; stdout is read as it comes (counted, not kept)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))

    proc = subprocess.Popen([str(SIMK), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=limit)
    lines, tail = 0, []
    for line in proc.stdout:
        lines += 1
        tail = (tail + [line.decode()])[-4:]
    err = proc.stderr.read().decode()
    return proc.wait(timeout=300), lines, tail, err


def test_long_run_streams_its_trace_in_bounded_memory(tmp_path):
    """Before: every event was stored until the end of the run (a 4-line
    spin loop took 1.8 GB); under the limit the store stopped growing and
    the printed trace lost its end."""
    code, lines, tail, err = limited_run("run", spin(tmp_path))
    assert code == 0, (code, tail, err)
    # the store's value ends its text, then its source line (docs/tracing.md)
    assert re.search(rf" = {ITERATIONS}  \[spin\.scn:\d+\]$", tail[-4].rstrip("\n")), tail
    assert tail[-1].startswith("PASS"), tail
    # header, proc main, start, N reads and N writes (`x += 1` reads x first),
    # proc-exit, exit, PASS
    assert lines == 2 * ITERATIONS + 6, lines


def test_trace_out_past_the_cap_keeps_the_first_events_and_says_so(tmp_path):
    out = tmp_path / "t.json"
    code, lines, tail, err = limited_run("run", spin(tmp_path, 5000), "--quiet",
                                         "--trace-out", out, "--trace-max-events", 1000)
    assert code == 0, (tail, err)
    assert "--trace-out" in err and "first 1000 of 10004 events" in err, err
    assert "--trace-max-events" in err, err
    assert out.read_text().count('"ph":"i"') == 1000


@pytest.mark.parametrize("value", ["0", "-1", "x", "99999999999999999999"])
def test_trace_max_events_is_checked(simk, tmp_path, value):
    r = simk("run", spin(tmp_path, 3), "--trace-max-events", value)
    assert r.code == 2 and "--trace-max-events" in r.err, r
