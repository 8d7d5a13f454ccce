"""The readable trace of `simk run` (docs/tracing.md "Reading a trace"):
decoded arguments and results, source lines, scenario reads, writes and
tests, calls joined with their results, folded repetitions, --trace-level
and --trace-filter. Decoding is a view: no print option changes the hash."""
import re

import pytest

from conftest import SCENARIOS

VIEW_OPTIONS = [
    [],
    ["--quiet"],
    ["--trace-level", "user"],
    ["--trace-level", "all"],
    ["--trace-filter", "T1,laio,blk:done"],
    ["--trace-fold", "off"],
]

ALL_SCENARIOS = sorted(SCENARIOS.rglob("*.scn"))


@pytest.mark.parametrize("path", ALL_SCENARIOS, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_print_options_never_change_the_hash(simk, path, tmp_path):
    hashes = set()
    for opts in VIEW_OPTIONS + [["--trace-out", tmp_path / "t.json"]]:
        r = simk("run", path, *opts)
        assert r.m, (opts, r)
        hashes.add(r.hash)
    assert len(hashes) == 1, (path, hashes)


def lines_of(out):
    return [l for l in out.split("\n") if re.match(r"^ *\d+ns  ", l)]


def test_calls_show_paths_flags_errno_names_and_their_line(simk):
    r = simk("run", SCENARIOS / "vfs" / "files.scn")
    assert r.passed, r
    out = r.out
    assert re.search(r'open\("/d/f", O_RDWR\|O_CREAT\|O_EXCL, 0644\) = -EEXIST  \[files\.scn:\d+\]',
                     out), out
    assert re.search(r'open\("/nope/f", O_RDONLY, 0644\) = -ENOENT', out), out
    assert re.search(r'rename\("/g", "/d/h"\) = 0', out), out
    # every call line names its source line
    calls = [l for l in lines_of(out) if re.search(r"\w\(.*\)( = |$| \.\.\.)", l)
             and "start " not in l]
    assert calls
    for l in calls:
        assert re.search(r"\[files\.scn:\d+\]$", l), l


def test_requests_are_named_from_submit_to_completion(simk):
    r = simk("run", SCENARIOS / "laio" / "basics.scn")
    assert r.passed, r
    sub = re.findall(r"blk:submit (?:read|write)\S* dev\d+ sector \d+ count \d+ blk#(\d+)", r.out)
    done = re.findall(r"blk:done (?:read|write)\S* dev\d+ sector \d+ \S+ blk#(\d+)", r.out)
    assert sub and set(done) <= set(sub) and len(done) == len(sub), (sub, done)
    ev = re.findall(r"laio:event laio#(\d+) res (\S+)", r.out)
    assert ev, r.out
    assert re.search(r"io_setup\(60, 0x[0-9a-f]+\) = -EAGAIN", r.out), r.out


def test_a_lost_update_shows_the_reads_and_writes_that_raced(simk):
    r = simk("run", SCENARIOS / "racy-counter.scn", "--seed", "2", "--trace-level", "user")
    assert r.code == 1, r
    reads = re.findall(r"^ *(\d+)ns .*read counter -> (\d+)  \[racy-counter\.scn:(\d+)\]$",
                       r.out, re.M)
    writes = re.findall(r"counter = (\d+)  \[racy-counter\.scn:(\d+)\]$", r.out, re.M)
    assert len(writes) == 6 and len(reads) == 7, r.out
    # two threads read the same value: the lost update
    vals = [int(v) for _, v, line in reads if line != "28"]
    assert len(vals) != len(set(vals)), vals
    assert "FAIL expect failed" in r.out
    # the level hides the kernel's events
    assert "sleep " not in r.out and "proc " not in r.out


def test_branch_outcomes_are_traced(simk, scn):
    p = scn("""
shared flag = 0
thread a
  if flag == 0
    flag = 1
  else
    flag = 2
  local n = 0
  while n < 2
    n = n + 1
finally
  expect flag == 1
""", name="branch.scn")
    r = simk("run", p, "--trace-level", "user")
    assert r.passed, r
    assert re.search(r"read flag -> 0  \[branch\.scn:4\]$", r.out, re.M), r.out
    assert re.search(r"if -> true  \[branch\.scn:4\]$", r.out, re.M), r.out
    assert len(re.findall(r"while -> true  \[branch\.scn:9\]$", r.out, re.M)) == 2, r.out
    assert len(re.findall(r"while -> false  \[branch\.scn:9\]$", r.out, re.M)) == 1, r.out


POLL = """
shared flag = 0
thread poller
  while flag == 0
    delay 10us
thread setter
  delay 2ms
  flag = 1
"""


def test_a_polling_loop_folds_into_one_line(simk, scn):
    p = scn(POLL, name="poll.scn")
    folded = simk("run", p)
    plain = simk("run", p, "--trace-fold", "off")
    assert folded.passed and plain.passed and folded.hash == plain.hash
    assert re.search(r"\.\.\. the \d+ lines above ×(\d+) more", folded.out), folded.out
    n = int(re.search(r"×(\d+) more", folded.out).group(1))
    assert n >= 150, n
    assert len(lines_of(folded.out)) < 40 < len(lines_of(plain.out)), folded.out


def test_a_block_seen_twice_prints_with_its_own_times(simk, scn):
    """A block that repeats only once is not folded: its second copy is
    printed as it happened (it used to reprint the first copy's times)."""
    p = scn("thread a\n  repeat 2\n    delay 10us\n  compute 1us\n", name="twice.scn")
    folded = simk("run", p, "--trace-level", "user")
    plain = simk("run", p, "--trace-level", "user", "--trace-fold", "off")
    assert folded.out == plain.out, folded.out
    times = re.findall(r"^ +(\d+)ns +delay\(10us\) = 0", folded.out, re.M)
    assert len(times) == 2 and times[0] != times[1], folded.out


def test_no_line_is_printed_twice(simk):
    for path in [SCENARIOS / "laio" / "basics.scn", SCENARIOS / "vfs" / "files.scn",
                 SCENARIOS / "lost-wakeup.scn"]:
        r = simk("run", path)
        ls = lines_of(r.out)
        for a, b in zip(ls, ls[1:]):
            assert a != b, (path, a)
        # a call and its result are one line unless something came between
        assert not re.search(r"^(.*) (\w+)\(.*\)\n\1 \2 = ", r.out, re.M)


def test_filter_keeps_a_thread_a_layer_or_an_event(simk):
    path = SCENARIOS / "laio" / "basics.scn"
    t1 = simk("run", path, "--trace-filter", "T1")
    for l in lines_of(t1.out):
        assert re.match(r"^ *\d+ns {28}\S", l), l
    blk = simk("run", path, "--trace-filter", "blk")
    ls = lines_of(blk.out)
    assert ls and all(re.search(r"blk:|irq blk|×", l) for l in ls), ls
    ev = simk("run", path, "--trace-filter", "laio:event")
    ls = lines_of(ev.out)
    assert ls and all("laio:event" in l for l in ls), ls


def test_bad_view_options_are_usage_errors(simk):
    path = SCENARIOS / "demo.scn"
    r = simk("run", path, "--trace-level", "verbose")
    assert r.code == 2 and "user, kernel or all" in r.err, r
    r = simk("run", path, "--trace-fold", "maybe")
    assert r.code == 2 and "on or off" in r.err, r


def test_every_named_event_is_described():
    """Each literal "prefix:event" a layer emits has a description in a
    *_trace.c table (its arguments read by name, not as bare numbers)."""
    from conftest import ROOT
    emitted = set()
    for src in ROOT.glob("**/*.c"):
        if "build" in src.parts or "tests" in src.parts or "fuzz" in src.parts:
            continue
        text = src.read_text(errors="replace")
        emitted |= set(re.findall(r'trace_emit\(\s*TR_(?:INFO|IRQ),\s*"([a-z]+:[a-z_]+)"', text))
        emitted |= set(re.findall(r'vfs_trace\(\s*"([a-z]+:[a-z_]+)"', text))
    described = set()
    for t in ROOT.glob("**/*_trace.c"):
        described |= set(re.findall(r'TRACE_DESC(?:_LINK2?)?\(\s*"([a-z]+:[a-z_]+)"', t.read_text()))
    assert emitted and not emitted - described, sorted(emitted - described)


def test_results_opcodes_and_flags_read_by_name():
    """A primitive that documents its errnos prints them by name, an iocb's
    opcode reads IOCB_CMD_*, pipe2's flags 0 are 0 (not O_RDONLY), and the
    kernel-internal -EIOCBQUEUED has its name too (a view: hashes unchanged)."""
    from conftest import ROOT, run_simk
    labs = ROOT / "labs" / "scenario"
    cv = run_simk("run", labs / "04-timeout-vs-wakeup" / "broken.scn", "--seed", 3)
    assert re.search(r"cv_wait = -ETIMEDOUT$", cv.out, re.M), cv.out
    aio = run_simk("run", labs / "07-aio-getevents" / "broken.scn", "--seed", 3)
    assert re.search(r"iocb\(IOCB_CMD_PWRITE, 0, data=1\) = \d+", aio.out), aio.out
    assert "laio:retry laio#1 result -EIOCBQUEUED left 4096" in aio.out
    port = run_simk("run", labs / "08-port-oneshot" / "broken.scn", "--seed", 1)
    assert re.search(r"pipe2\(0x[0-9a-f]+, 0\)", port.out), port.out


def test_named_arguments_print_as_written(simk, tmp_path):
    """An operation's named arguments print name=value, and not at all
    when omitted: `sleep(wq)`, not `sleep(wq, -, 0, 0)`."""
    scn = tmp_path / "named.scn"
    scn.write_text("waitqueue wq\n"
                   "thread a\n"
                   "  sleep wq timeout=1ms\n"
                   "  sleep wq timeout=2ms intr=1\n"
                   "  delay 10us\n")
    r = simk("run", scn)
    assert re.search(r"sleep\(wq, timeout=1ms\) \.\.\.  \[named.scn:3\]", r.out), r.out
    assert re.search(r"sleep\(wq, timeout=2ms, intr=1\) \.\.\.  \[named.scn:4\]", r.out), r.out
    assert len(re.findall(r"sleep = -ETIMEDOUT", r.out)) == 2, r.out
    assert re.search(r"delay\(10us\) \.\.\.  \[named.scn:5\]", r.out), r.out


def test_a_deadlock_prints_in_the_schedulers_column(simk, tmp_path):
    """No thread can run, so no thread's column owns the failure (it
    printed in whichever thread ran last, with that thread's line)."""
    scn = tmp_path / "stuck.scn"
    scn.write_text("waitqueue wq\n"
                   "thread a\n"
                   "  sleep wq\n"
                   "thread b\n"
                   "  delay 1us\n")
    r = simk("run", scn)
    assert r.code == 4  # a deadlock (docs/scenarios.md, exit codes)
    assert re.search(r"^ +\d+ns  FAIL deadlock$", r.out, re.M), r.out
    # stderr's last events say where each thread was, as stdout does
    tail = r.err.split("last events:", 1)[1].split("threads:", 1)[0]
    assert re.search(r"T1 +sleep\(wq\)  \[stuck.scn:3\]$", tail, re.M), r.err
