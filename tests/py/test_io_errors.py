"""Input and output errors of the simk command: output that cannot be
written is an error (never exit 0), non-regular input files are refused
instead of blocking, numbers beyond 2^64 are refused, and schedule files
are read strictly with the line of each error (docs/scenarios.md,
"Errors")."""
import os
import subprocess

import pytest

from conftest import SCENARIOS, SIMK

DEMO = SCENARIOS / "demo.scn"
LOST = SCENARIOS / "lost-wakeup.scn"
DEV_FULL = "/dev/full"

need_dev_full = pytest.mark.skipif(not os.path.exists(DEV_FULL), reason="no /dev/full")


def run_to(stdout, *args, timeout=60):
    p = subprocess.run([str(SIMK), *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stderr.decode()


@need_dev_full
@pytest.mark.parametrize("args", [
    ("run", DEMO),
    ("run", DEMO, "--quiet"),
    ("explore", DEMO, "--runs", 3, "--quiet"),
    ("check-determinism", DEMO),
    ("help",),
    ("help", "ops"),
])
def test_stdout_on_a_full_device_is_an_error(args):
    with open(DEV_FULL, "w") as full:
        code, err = run_to(full, *args)
    assert code == 2, (code, err)
    assert "simk: cannot write the output: No space left on device" in err, err
    assert err.count("cannot write") == 1, err


@need_dev_full
def test_failing_run_keeps_its_exit_code_when_stdout_fails():
    with open(DEV_FULL, "w") as full:
        code, err = run_to(full, "run", LOST, "--seed", 11, "--policy", "random", "--quiet")
    assert code == 4 and "cannot write the output" in err, (code, err)


@need_dev_full
def test_schedule_out_on_a_full_device_is_an_error(simk):
    r = simk("run", DEMO, "--quiet", "--schedule-out", DEV_FULL)
    assert r.code == 2 and f"cannot write {DEV_FULL}: No space left on device" in r.err, r


@need_dev_full
def test_trace_out_on_a_full_device_is_an_error(simk):
    r = simk("run", DEMO, "--quiet", "--trace-out", DEV_FULL)
    assert r.code == 2 and f"cannot write {DEV_FULL}: No space left on device" in r.err, r


@need_dev_full
def test_explore_schedule_out_on_a_full_device_is_an_error(simk):
    r = simk("explore", LOST, "--runs", 50, "--quiet", "--schedule-out", DEV_FULL)
    assert r.code == 2 and f"cannot write {DEV_FULL}: No space left on device" in r.err, r


@pytest.mark.parametrize("flag", [None, "--replay"])
def test_fifo_is_refused_instead_of_blocking(simk, tmp_path, flag):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    args = ("run", fifo) if flag is None else ("run", DEMO, flag, fifo)
    r = simk(*args, timeout=20)  # it used to wait for a writer forever
    assert r.code == 2 and f"{fifo}: cannot read a FIFO" in r.err, r
    assert "regular files" in r.err


def test_directory_is_refused(simk, tmp_path):
    r = simk("run", tmp_path)
    assert r.code == 2 and f"{tmp_path}: cannot read a directory" in r.err, r


@pytest.mark.parametrize("spec", ["kmem/alloc/enomem:nth=18446744073709551616",
                                  "kmem/alloc/enomem:nth=99999999999999999999999",
                                  "kmem/alloc/enomem:nth=0",
                                  "kmem/alloc/enomem:p=-0"])
def test_fault_spec_numbers_are_checked(simk, scn, spec):
    r = simk("run", DEMO, "--quiet", "--fault", spec)
    assert r.code == 2 and spec in r.err, r
    p = scn(f"fault {spec}\nthread t\n  pass\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2 and f"{p}:1:7: fault spec" in r.err, r


def test_largest_nth_is_accepted(simk):
    r = simk("run", DEMO, "--quiet", "--fault", "kmem/alloc/enomem:nth=18446744073709551615")
    assert r.code == 0, r


@pytest.mark.parametrize("args", [("--seed", "18446744073709551616"),
                                  ("--max-steps", "99999999999999999999"),
                                  ("--pct-steps", "18446744073709551616")])
def test_cli_numbers_beyond_2_64_are_refused(simk, args):
    r = simk("run", DEMO, "--quiet", *args)
    assert r.code == 2 and args[0] in r.err, r


@pytest.mark.parametrize("literal", ["9223372036854775808", "99999999999999999999",
                                     "0x10000000000000000", "18446744073709551616ns"])
def test_scenario_literals_beyond_2_63_are_refused(simk, scn, literal):
    p = scn(f"shared x = 0\nthread t\n  x = {literal}\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2 and f"{p}:3:7:" in r.err and "out of range" in r.err, r


def schedule(tmp_path, text):
    p = tmp_path / "s.sched"
    p.write_text(text)
    return p


def recorded(simk, tmp_path):
    p = tmp_path / "rec.sched"
    r = simk("run", DEMO, "--quiet", "--policy", "random", "--schedule-out", p)
    assert r.code == 0, r
    lines = p.read_text().split("\n")
    n = int(lines[2].split()[1])
    return lines, n


def test_schedule_with_too_few_decisions_names_the_lines(simk, tmp_path):
    lines, n = recorded(simk, tmp_path)
    lines[2] = f"decisions {n + 1}"
    p = schedule(tmp_path, "\n".join(lines))
    r = simk("run", DEMO, "--replay", p)
    last = max(i for i, ln in enumerate(lines) if ln.strip()) + 1
    assert r.code == 2 and f"{p}:{last}: the file ends after {n} decisions; line 3 says {n + 1}" \
        in r.err, r


def test_schedule_with_extra_decisions_is_refused(simk, tmp_path):
    lines, n = recorded(simk, tmp_path)
    p = schedule(tmp_path, "\n".join(lines) + "\n\n2\n")
    r = simk("run", DEMO, "--replay", p)
    assert r.code == 2 and f"{p}:{len(lines) + 2}: more decisions than the {n} of line 3" \
        in r.err, r


def test_schedule_whose_run_ends_early_diverges(simk, tmp_path):
    """A count that matches the file, but more decisions than the run makes."""
    lines, n = recorded(simk, tmp_path)
    lines[2] = f"decisions {n + 1}"
    p = schedule(tmp_path, "\n".join(lines) + " 1\n")
    r = simk("run", DEMO, "--quiet", "--replay", p)
    assert r.code == 3 and f"replay diverged: the run ended after decision {n} of the {n + 1}" \
        in r.last, r


@pytest.mark.parametrize("text,line,msg", [
    ("simk-schedule 3\nseed 1\ndecisions 0\n", 1, "not a simk schedule file"),
    ("simk-schedule 1\nseed 1\ndecisions 1\nd0:1\n", 4, "decision 1: 'd0:1' is not a thread id"),
    ("simk-schedule 2\nseed 1\ndecisions 2\nd0:1/2\nd9:1/2\n", 5,
     "decision 2: 'd9:1/2' is not a thread id or a data decision dDIM:ALT/NALT"),
    ("simk-schedule 2\nseed 1\ndecisions 1\nd0:1\n", 4,
     "decision 1: 'd0:1' is not a thread id or a data decision dDIM:ALT/NALT"),
    ("simk-schedule 2\nseed 1\ndecisions 1\nd0:2/2\n", 4,
     "decision 1: 'd0:2/2' is not a thread id or a data decision dDIM:ALT/NALT"),
    ("simk-schedule 1\nseed x\ndecisions 0\n", 2, "expected 'seed N'"),
    ("simk-schedule 1\nseed 18446744073709551616\ndecisions 0\n", 2, "expected 'seed N'"),
    ("simk-schedule 1\nseed 1\n\ndecisions 100000001\n", 4, "expected 'decisions N'"),
    ("simk-schedule 1\nseed 1\ndecisions 2\n1\n-1\n", 5, "decision 2: '-1' is not a thread id"),
    ("simk-schedule 1\nseed 1\ndecisions 1\n99999999999\n", 4, "decision 1: '99999999999' is not"),
])
def test_bad_schedule_files_name_their_line(simk, tmp_path, text, line, msg):
    p = schedule(tmp_path, text)
    r = simk("run", DEMO, "--replay", p)
    assert r.code == 2 and f"{p}:{line}: {msg}" in r.err, r
