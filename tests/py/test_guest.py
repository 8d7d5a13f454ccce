"""Guest programs (docs/guest.md): ordinary C programs compiled by
build/simk-cc run inside the simulated kernel, by seed. The programs are
tests/guest/*.c, built by `make` into build/tests/guest/ (race_*.c with
--race); each checks its own results and exits 1 with the failed line."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, SIMK, assert_same_hash_across_builds

GUESTS = SIMK.parent / "tests" / "guest"
SIMK_CC = SIMK.parent / "simk-cc"
SRC = ROOT / "tests" / "guest"


def guest(name):
    p = GUESTS / name
    if not p.exists():
        pytest.fail(f"{p} not built: run `make`")
    return p


def seed_of(reproduce_text):
    m = re.search(r"^reproduce: .* --seed (\d+)", reproduce_text, re.M)
    assert m, reproduce_text
    return int(m.group(1))


# ---- each program checks the calls of its family ---------------------------------

SELF_CHECKING = ["files", "ipc", "efault", "threads", "sync", "vtime", "random", "globals", "stdio",
                 "heap"]
SELF_CHECKING += ["port"]  # <port.h>, and timer_create with SIGEV_PORT
SELF_CHECKING += ["signals"]  # <signal.h>


@pytest.mark.parametrize("name", SELF_CHECKING)
def test_program_passes(simk, name):
    r = simk("run", guest(name), "--quiet", "--seed", 3)
    assert r.passed, r


@pytest.mark.parametrize("name", ["files", "ipc", "threads", "sync", "globals"])
def test_program_passes_every_explored_seed(simk, name):
    """explore re-runs main() from a clean state (globals, heap, fds):
    globals.c checks it finds its initial values in every run."""
    r = simk("explore", guest(name), "--runs", 150)
    assert r.code == 0, r
    assert "all passed" in r.last


def test_hello_arguments_output_and_file(simk):
    r = simk("run", guest("hello"), "--seed", 5, "--", "one", "two words")
    assert r.passed, r
    out = r.out.split("\n")
    # the program's output follows the streamed trace, before the result line
    first = out.index("hello from hello with 2 arguments")
    assert out[first + 1:first + 4] == ["argv[1] = one", "argv[2] = two words",
                                        "read back: hello, disk"]
    q = simk("run", guest("hello"), "--quiet", "--seed", 5, "--", "one", "two words")
    assert q.out.split("\n")[0] == "hello from hello with 2 arguments", q.out
    assert r.err == "a line on stderr\nperror says: No such file or directory\n"
    # the system calls are in the trace, with the guest's arguments
    # (the path as the guest passed it: captured when the call enters)
    assert re.search(r'openat\(-100, "/greeting", O_RDWR\|O_CREAT, 0644\)', r.out), r.out
    assert re.search(r"openat(\(.*\))? = 3", r.out), r.out
    assert re.search(r"vfs:console_write stream 1 \d+ bytes", r.out), r.out


def test_stdio_output_in_program_order(simk):
    r = simk("run", guest("stdio"), "--quiet")
    assert r.passed, r
    assert r.out.startswith("printf 1|fputs|c|fwrite|dprintf|write\natexit handler\n"), r.out
    assert r.err == "to stderr\n"


@pytest.mark.parametrize("arg,reason", [
    ("double", "reason=heap.c:58: free(): heap+0x"),
    ("assert", "reason=heap.c:61: assertion failed: argc == 1"),
])
def test_heap_misuse_fails_the_run_with_its_line(simk, arg, reason):
    r = simk("run", guest("heap"), "--quiet", "--", arg)
    assert r.code == 1, r
    assert reason in r.last, r
    if arg == "double":
        assert r.last.endswith("was already freed (double free)")


def test_output_is_part_of_the_hash(simk, tmp_path):
    a = simk("run", guest("hello"), "--quiet", "--seed", 5, "--", "x")
    b = simk("run", guest("hello"), "--quiet", "--seed", 5, "--", "y")
    assert a.passed and b.passed
    assert a.hash != b.hash


def test_random_comes_from_the_seed(simk):
    a = simk("run", guest("random"), "--quiet", "--seed", 4)
    b = simk("run", guest("random"), "--quiet", "--seed", 4)
    c = simk("run", guest("random"), "--quiet", "--seed", 5)
    assert a.passed and c.passed, (a, c)
    assert a.out == b.out
    assert a.out.split("\n")[0] != c.out.split("\n")[0]


def test_virtual_time(simk):
    r = simk("run", guest("vtime"), "--quiet")
    assert r.passed, r
    # two seconds of sleep() are virtual: the run's clock says so
    assert int(r.m.group("vtime")) >= 2_000_000_000


# ---- failures of the guest's own making ---------------------------------------------


def test_leak_fails_the_run_with_the_allocation_site(simk):
    r = simk("run", guest("leak"), "--quiet")
    assert r.code == 1, r
    assert "guest heap leak: 1 block (100 bytes)" in r.last
    assert "allocated at leak.c:7" in r.last


def test_crash_is_a_failure_with_line_and_trace_simk_survives(simk):
    r = simk("run", guest("crash"), "--quiet", "--seed", 2)
    assert r.code == 1, r
    assert "reason=crash.c:20: SIGSEGV at address 0" in r.last
    assert r.out.startswith("before the bug\n")
    assert "reproduce: " in r.err and seed_of(r.err) == 2  # --quiet: the reproducer only
    v = simk("run", guest("crash"), "--seed", 2)
    assert v.code == 1 and "last events:" in v.err and "reproduce: " in v.err, v
    # explore goes on after the crash and reports it as the seed's failure
    e = simk("explore", guest("crash"), "--runs", 5)
    assert e.code == 1, e
    assert "crash.c:20: SIGSEGV" in e.last and "FAIL seed=1" in e.last


def test_infinite_loop_is_stopped_with_its_line(simk):
    r = simk("run", guest("crash"), "--quiet", "--", "spin")
    assert r.code == 1, r
    assert "reason=crash.c:16: main (tid 1) ran" in r.last
    assert "basic blocks without a switch point" in r.last
    assert seed_of(r.err) == 1 and r.err.rstrip().endswith("-- spin")


def test_reading_proc_is_refused_with_the_line(simk):
    r = simk("run", guest("crash"), "--quiet", "--", "proc")
    assert r.code == 1, r
    assert ("reason=crash.c:19: open() is refused: /proc describes the host, not the "
            "simulation (docs/guest.md)") in r.last, r


def test_asan_build_survives_a_guest_crash(simk):
    asan = ROOT / "build" / "asan" / "simk"
    if not asan.exists():
        pytest.skip("build/asan/simk not built")
    r = simk("run", guest("crash"), "--quiet", binary=asan)
    assert r.code == 1 and "crash.c:20: SIGSEGV" in r.last, r


# ---- the classic races: found by explore, replayed byte for byte ----------------------

RACES = [
    ("race_lost_update", "race_lost_update exited with status 1"),
    ("lost_wakeup", "deadlock: "),
    ("check_then_act", "check_then_act exited with status 1"),
    ("deadlock", "deadlock: "),
]


@pytest.mark.parametrize("name,needle", RACES)
def test_explore_finds_and_replay_reproduces(simk, tmp_path, name, needle):
    e = simk("explore", guest(name), "--runs", 500)
    assert e.code in (1, 4), e  # the outcome: an exit status or a deadlock
    assert needle in e.last, e
    seed = seed_of(e.out + e.err)
    sched = tmp_path / "fail.sched"
    first = simk("run", guest(name), "--seed", seed, "--policy", "random", "--preempt", "0.25",
                 "--schedule-out", sched)
    assert first.code == e.code and needle in first.last, first
    again = simk("run", guest(name), "--replay", sched)
    assert again.code == e.code
    assert again.out == first.out  # output, trace and result line, byte for byte

    def report(err):  # the reproducer names --replay instead of the seed's options
        return [ln for ln in err.split("\n") if not ln.startswith("reproduce: ")]

    assert report(again.err) == report(first.err)


def test_deadlock_report_names_locks_holders_and_lines(simk):
    e = simk("explore", guest("deadlock"), "--runs", 500)
    assert e.code == 4, e
    assert re.search(r"pthread_mutex_lock\(\) waits for mutex b held by ba \(tid 3\)", e.err), e.err
    assert re.search(r"deadlock\.c:\d+: pthread_mutex_lock\(\) waits for mutex a held by ab", e.err)
    assert re.search(r"deadlock\.c:\d+: pthread_join\(\) waits for ab", e.err)


def test_lost_update_needs_race_instrumentation(simk, tmp_path):
    """Without --race a plain increment is no switch point: no seed loses an
    update. With it (race_lost_update above) explore finds one."""
    out = tmp_path / "plain"
    cc = subprocess.run([SIMK_CC, "-o", out, SRC / "race_lost_update.c"], capture_output=True,
                        text=True)
    assert cc.returncode == 0, cc.stderr
    r = simk("explore", out, "--runs", 300)
    assert r.code == 0 and "all passed" in r.last, r


def test_explore_jobs_finds_the_same_first_failure(simk):
    serial = simk("explore", guest("race_lost_update"), "--runs", 300)
    par = simk("explore", guest("race_lost_update"), "--runs", 300, "--jobs", 2)
    assert serial.code == par.code == 1
    assert serial.last == par.last


# ---- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["O0", "asan", "clang", "ucontext"])
@pytest.mark.parametrize("prog", ["hello", "threads", "race_lost_update", "check_then_act",
                                  "signals"])
def test_same_hash_across_builds(simk, name, prog):
    assert_same_hash_across_builds(simk, name, guest(prog), seeds=(1, 7))


def test_check_determinism(simk):
    r = simk("check-determinism", guest("race_lost_update"), "--seed", 9)
    assert r.code == 0, r
    assert "deterministic: seed=9" in r.out


def test_trace_out(simk, tmp_path):
    t = tmp_path / "t.json"
    r = simk("run", guest("threads"), "--quiet", "--trace-out", t)
    assert r.passed, r
    assert '"pthread_create"' in t.read_text() or "pthread_create" in t.read_text()


# ---- what simk refuses -------------------------------------------------------------------


@pytest.mark.parametrize("src,msg", [
    ("raw_syscall.c", r"raw_syscall\.c:7: error: syscall\(\) is refused"),
    ("unknown_call.c", r"unknown_call\.c:6: error: socket\(\) is not supported by simk"),
])
def test_simk_cc_refuses_at_link_time(tmp_path, src, msg):
    out = tmp_path / "prog"
    cc = subprocess.run([SIMK_CC, "-o", out, SRC / "refused" / src], capture_output=True,
                        text=True)
    assert cc.returncode == 1, cc
    assert re.search(msg, cc.stderr), cc.stderr
    assert "docs/guest.md" in cc.stderr
    assert not out.exists()


def test_an_unrenamed_object_is_refused_at_load(simk, tmp_path):
    """A shared object not made by simk-cc imports libc directly: the load
    check names the call."""
    src = tmp_path / "p.c"
    src.write_text("#include <stdio.h>\nint main(void) { puts(\"x\"); return 0; }\n")
    so = tmp_path / "p"
    cc = subprocess.run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-o", so, src],
                        capture_output=True, text=True)
    assert cc.returncode == 0, cc.stderr
    r = simk("run", so, "--quiet")
    assert r.code == 2, r
    assert "puts" in r.err and "docs/guest.md" in r.err


@pytest.mark.parametrize("arg,sig", [("term", "SIGTERM"), ("pipe", "SIGPIPE"), ("kill9", "SIGKILL"),
                                     ("pipe_thread", "SIGPIPE")])
def test_default_action_kills_the_process(simk, arg, sig):
    """SIG_DFL of a deadly signal ends the process as killed by it (no
    atexit handlers); a blocked one waits for its unblocking."""
    r = simk("run", guest("killed"), "--quiet", "--seed", 1, "--", arg)
    assert not r.passed, r
    assert f"killed was killed by {sig}" in r.out + r.err, r
    assert "survived" not in r.out and "atexit handler ran" not in r.out, r
    if arg == "term":
        assert "still here while SIGTERM is blocked" in r.out, r


def test_docs_list_every_call():
    """docs/guest.md's table has a row for every call the runtime implements
    or refuses (the table is build/share/simk/guest-calls.txt)."""
    table = (SIMK.parent / "share" / "simk" / "guest-calls.txt").read_text()
    docs = (ROOT / "docs" / "guest.md").read_text()
    missing = []
    for line in table.splitlines():
        name, kind, _family, _note = line.split("\t")
        if kind in ("wrap", "refuse") and f"| `{name}` |" not in docs:
            missing.append(name)
    assert not missing, f"docs/guest.md lacks rows for: {missing}"


def test_dfs_with_a_bound_finds_the_deadlock(simk):
    r = simk("explore", guest("deadlock"), "--policy", "dfs", "--bound", 2, "--runs", 5000)
    assert r.code == 4 and "deadlock: " in r.last, r


def test_device_fault_reaches_the_guest_as_eio(simk):
    r = simk("run", guest("files"), "--quiet", "--fault", "blk/write/eio:nth=3")
    assert r.code == 1, r
    assert "check failed" in r.out and "errno 5 Input/output error" in r.out, r.out
    assert "--fault blk/write/eio:nth=3" in r.err


def test_shrink_explains_with_the_guests_lines(simk, tmp_path):
    """explore --shrink names the guest's line where the critical preemption
    happens (the call or shared access of the preempted thread)."""
    r = simk("explore", guest("deadlock"), "--runs", 100, "--shrink", cwd=tmp_path)
    assert r.code == 4, r
    assert re.search(r"T2 ab is preempted at its switch point \d+ \([^)]*\), at deadlock\.c:12; "
                     r"T3 ba runs", r.out + r.err), r.out + r.err
    r = simk("explore", guest("lost_wakeup"), "--runs", 100, "--shrink", cwd=tmp_path)
    assert re.search(r"T2 consumer is preempted at .*, at lost_wakeup\.c:16; T3 producer runs",
                     r.out + r.err), r.out + r.err


@pytest.mark.parametrize("where", ["join", "mutex", "cond", "rwlock", "barrier", "once"])
def test_exit_from_a_thread_ends_the_threads_waiting_in_pthread_calls(simk, where):
    """exit() is exit_group: the other threads end wherever they wait; a
    wait in a pthread primitive used to hold the process up (a deadlock
    report instead of the status)."""
    ok = simk("run", guest("exit_from_thread"), "--quiet", "--", where, 0)
    assert ok.passed, ok
    bad = simk("run", guest("exit_from_thread"), "--quiet", "--", where, 3)
    assert bad.code == 1 and "exited with status 3" in bad.last, bad
