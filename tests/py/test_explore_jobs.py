"""simk explore --jobs N: the same output as one process (but for the wall-clock
figures of the summary), the lowest failing seed, dfs split across workers,
crashed workers and signals, bad values."""
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import SCENARIOS, SIMK, run_simk

LOST = SCENARIOS / "lost-wakeup.scn"
TIMING = re.compile(r", \d+\.\d+s, \d+ runs/s$", re.M)

# Two threads, one racy increment each; with preempt 0.0005 the lost update
# is rare: the failing seeds in 1..100000 start at 835 (then 1174, ... 8079).
RARE = """policy random
preempt 0.0005
shared counter = 0
thread a
  local tmp = counter
  counter = tmp + 1
thread b
  local tmp = counter
  counter = tmp + 1
finally
  expect counter == 2
"""


def explore(*args, jobs, **kw):
    r = run_simk("explore", *args, "--jobs", jobs, **kw)
    return r.code, TIMING.sub(", T", r.out), r.err


def assert_same_for_jobs(args, jobs=(2, 3), **kw):
    """--jobs 1 and each of `jobs` give the same exit code, stdout (timing
    aside) and stderr; returns the --jobs 1 result."""
    one = explore(*args, jobs=1, **kw)
    for j in jobs:
        assert explore(*args, jobs=j, **kw) == one, (j, one)
    return one


@pytest.mark.parametrize("args", [
    [SCENARIOS / "demo.scn", "--runs", 400],
    [SCENARIOS / "mutex-counter.scn", "--runs", 500, "--policy", "pct"],
    [SCENARIOS / "mutex-counter.scn", "--runs", 41, "--shard", "1/4"],
    [SCENARIOS / "spawn-join.scn", "--runs", 1, "--seed-start", 99],
])
def test_passing_explorations_print_the_same_summary(args):
    code, out, err = assert_same_for_jobs(args)
    assert code == 0 and "all passed, distinct hashes=" in out and err == "", (out, err)


def expect_failure_scenarios():
    found = [p for p in sorted(SCENARIOS.rglob("*.scn"))
             if "# simk: expect-failure" in p.read_text()]
    assert len(found) >= 3
    return found


@pytest.mark.parametrize("path", expect_failure_scenarios(), ids=lambda p: p.name)
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_failing_explorations_report_the_same_run(path, policy):
    code, out, err = assert_same_for_jobs([path, "--runs", 300, "--policy", policy])
    assert code in (1, 3, 4), out
    assert re.search(r"^explore: run \d+ of 300 \(seed \d+, policy " + policy + r"\) failed$",
                     out, re.M), out
    assert "reproduce: " in err and "last events:" in err


def test_the_lowest_failing_seed_is_reported_not_the_first_found(scn):
    p = scn(RARE)
    for start in (1, 900):
        code, out, _ = assert_same_for_jobs([p, "--runs", 100000, "--seed-start", start],
                                            jobs=(2, 5))
        assert code == 1
        seed = int(re.search(r"^FAIL seed=(\d+) ", out, re.M).group(1))
        assert seed == (835 if start == 1 else 1174), out


def test_the_schedule_of_the_failing_run_is_the_same(tmp_path):
    files = {}
    for j in (1, 3):
        sched = tmp_path / f"fail{j}.sched"
        r = run_simk("explore", SCENARIOS / "racy-counter.scn", "--runs", 100,
                     "--schedule-out", sched, "--jobs", j)
        assert r.code == 1 and f"schedule: {sched}" in r.out, r
        files[j] = sched.read_bytes()
    assert files[1] == files[3] and files[1]


def test_a_run_that_cannot_start_is_reported_once():
    code, _, err = assert_same_for_jobs([SCENARIOS / "demo.scn", "--runs", 50, "--fault",
                                         "blk/raed/eio:p=1"], jobs=(3,))
    assert code == 2 and err.count("unknown fault point 'blk/raed/eio'") == 1, err


def test_jobs_zero_means_one_per_cpu_and_more_jobs_than_runs_is_fine():
    assert_same_for_jobs([SCENARIOS / "demo.scn", "--runs", 3], jobs=(0, 8))


@pytest.mark.parametrize("value", ["-1", "abc", "257", "1.5", "", "99999999999999999999"])
def test_bad_jobs_values_are_usage_errors(value):
    r = run_simk("explore", LOST, "--runs", 5, "--jobs", value)
    assert r.code == 2 and r.out == ""
    assert f"simk: explore: --jobs needs an integer from 0 to 256, got '{value}'" in r.err, r


def test_jobs_belongs_to_explore_only():
    r = run_simk("run", LOST, "--jobs", 2)
    assert r.code == 2 and "option '--jobs' does not apply to run" in r.err
    r = run_simk("explore", LOST, "--runs", 5, "--jobs")
    assert r.code == 2 and "option '--jobs' needs a value" in r.err
    assert "--jobs N" in run_simk("help", "explore").out


# dfs: the tree is split among the workers; 8 workers on a small machine
# split it into many subtrees, which is what the path numbering must survive.
@pytest.mark.parametrize("args", [
    [SCENARIOS / "lost-wakeup-fixed.scn", "--bound", 3, "--runs", 100000],  # complete
    [SCENARIOS / "port" / "close-vs-waiters.scn", "--runs", 100000],       # complete
    [SCENARIOS / "port" / "close-vs-waiters.scn", "--runs", 2500],         # cut by --runs
    [SCENARIOS / "port" / "fd-reassoc-vs-ready.scn", "--runs", 100000],    # complete
    [SCENARIOS / "racy-counter.scn", "--bound", 3, "--runs", 1000],          # fails
], ids=["complete", "complete-9356", "capped", "cap-equals-size", "fails"])
def test_dfs_search_gives_the_same_result_in_parallel(args, tmp_path):
    code, out, err = assert_same_for_jobs([*args, "--policy", "dfs", "--por", "off"], jobs=(2, 8),
                                          cwd=tmp_path)
    assert code in (0, 1), (out, err)
    if code == 0:
        assert re.match(r"explored \d+ paths \(policy dfs", out), out


# The lost update needs both increments late in their threads: the first
# failing path is deep in the delay-bounded tree (bound 2), after many
# subtrees the workers give each other.
DEEP_FAIL = 197
DEEP = """shared counter = 0
shared noise = 0
thread a
  repeat 12
    noise = noise + 1
  local tmp = counter
  counter = tmp + 1
thread b
  repeat 12
    noise = noise + 1
  local tmp = counter
  counter = tmp + 1
thread c
  repeat 12
    noise = noise + 1
finally
  expect counter == 2
"""


@pytest.mark.parametrize("runs,code", [(100000, 1), (DEEP_FAIL, 1), (DEEP_FAIL - 1, 0)])
def test_dfs_first_failing_path_deep_in_the_tree_and_the_cap(scn, tmp_path, runs, code):
    p = scn(DEEP)
    got, out, _ = assert_same_for_jobs([p, "--policy", "dfs", "--por", "off", "--runs", runs],
                                       jobs=(2, 8), cwd=tmp_path)
    assert got == code
    if code:
        assert f"explore: path {DEEP_FAIL} (policy dfs, por off, bound 2) failed" in out
    else:
        assert (f"explored {DEEP_FAIL - 1} paths (policy dfs, por off, bound 2, seed 1, "
                "stopped by --runs)") in out


def test_dfs_failing_path_of_a_million_decisions_comes_back_from_a_worker(scn, tmp_path):
    """The default choice keeps the spinner running (no yield in its loop):
    the first path is a million decisions long, and fails (the dfs depth bound); its path
    travels from the worker to the parent, which runs it again."""
    p = scn("shared flag = 0\nshared noise = 0\nthread spinner\n  while flag == 0\n"
            "    noise = noise + 1\nthread setter\n  flag = 1\n")
    code, out, _ = assert_same_for_jobs([p, "--policy", "dfs", "--por", "off", "--runs", 100],
                                        jobs=(2,), cwd=tmp_path)
    assert code == 3 and "path longer than 1000000 decisions" in out
    assert "explore: path 1 (policy dfs, por off, bound 2) failed" in out


def test_dfs_failing_path_is_replayable_from_the_parallel_search(tmp_path):
    r = run_simk("explore", LOST, "--runs", 1000, "--policy", "dfs", "--por", "off", "--jobs", 3,
                 "--schedule-out", "f.sched", cwd=tmp_path)
    assert r.code == 4 and "explore: path 8 (policy dfs, por off, bound 2) failed" in r.out, r
    again = run_simk("run", LOST, "--replay", "f.sched", "--quiet", cwd=tmp_path)
    assert again.code == 4 and again.last == r.last


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def default_signals():
    """The child takes SIGINT, SIGTERM and SIGHUP as a terminal would deliver
    them. A shell without job control starts a background command (here:
    pytest, and so simk) with SIGINT ignored, and explore rightly keeps an
    inherited SIG_IGN; the test of SIGINT then waited out its timeout and
    left a million-run search behind."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def start_slow(jobs, *extra):
    """A long exploration (a million runs) and its workers."""
    proc = subprocess.Popen([str(SIMK), "explore", str(SCENARIOS / "laio" / "basics.scn"),
                             "--runs", "1000000", "--jobs", str(jobs), *map(str, extra)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_signals)
    deadline = time.time() + 20
    kids = []
    while len(kids) < jobs and time.time() < deadline:
        time.sleep(0.05)
        kids = children(proc.pid)
    assert len(kids) == jobs, kids
    return proc, kids


def in_a_run(pid):
    """Waits until worker pid is running (a worker between runs or waiting
    for work sleeps in read(); the window between two runs is tiny)."""
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "R":
                return pid
        time.sleep(0.01)
    raise AssertionError(f"worker {pid} never ran")


def crash_a_worker(sig, which, *extra):
    """Kills worker `which` in the middle of a run. One caught between two
    runs or waiting for work (rare: a short window) ends the search with
    "died outside a run" (exit 2, tested here too); then try again."""
    for _ in range(5):
        proc, kids = start_slow(2, *extra)
        time.sleep(0.2)
        os.kill(in_a_run(kids[which]), sig)
        out, err = proc.communicate(timeout=60)
        if proc.returncode == 2:
            assert re.search(r"^simk: explore: worker [12] of 2 died outside a run: it ", err,
                             re.M), err
            continue
        return proc.returncode, out, err
    raise AssertionError("never caught a worker in a run")


def test_a_crashed_worker_is_an_error_naming_its_seed():
    code, out, err = crash_a_worker(signal.SIGSEGV, 1)
    assert code == 3, err
    # (an ASan build catches the SEGV itself, reports it and exits 1)
    m = re.search(r"simk: explore: worker [12] of 2 (?:was killed by signal 11 \(.*\)|exited "
                  r"with status 1) while running seed (\d+) \(run (\d+) of 1000000\)", err)
    assert m and m.group(1) == m.group(2), err
    assert re.search(r"^reproduce: \S+ run \S+basics.scn --seed " + m.group(1) + " ", err, re.M)
    assert "all passed" not in out


def test_a_crashed_dfs_worker_is_an_error_naming_its_path():
    code, out, err = crash_a_worker(signal.SIGKILL, 0, "--policy", "dfs", "--por", "off",
                                    "--bound", 4)
    assert code == 3, err
    m = re.search(r"worker [12] of 2 was killed by signal 9 \(.*\) while running path (\d+) "
                  r"\(policy dfs, por off, bound 4, seed 1\)", err)
    assert m, err
    assert f"--policy dfs --por off --bound 4 --seed-start 1 --runs {m.group(1)}" in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_parent_ends_the_workers_and_the_parent(sig):
    proc, kids = start_slow(2)
    proc.send_signal(sig)
    try:
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:  # never leave the search running
            proc.kill()
            proc.communicate()
    assert proc.returncode == -sig
    time.sleep(0.2)
    for k in kids:  # gone, or a zombie left to init
        try:
            with open(f"/proc/{k}/status") as f:
                assert "\nState:\tZ" in f.read()
        except FileNotFoundError:
            pass


def test_progress_bar_counts_the_runs_of_every_worker():
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(SIMK), "explore", str(SCENARIOS / "mutex-counter.scn"),
                             "--runs", "3000", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out, _ = proc.communicate(timeout=60)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.returncode == 0 and "explored 3000 runs" in out
    assert "3000/3000 runs" in b"".join(chunks).decode()
