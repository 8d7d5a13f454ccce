"""The course labs (labs/): every broken program fails the way its lab
says, under the policies named here, within 1000 seeds; every fixed program
passes 1000 seeds under random and pct; the claims the READMEs and the
solution notes make about variants hold; every `./build/simk` command in a
code block of a lab README runs, and every file a README names exists."""
import re
import shlex
from pathlib import Path

import pytest

from conftest import ROOT, assert_same_hash_across_builds

LABS = ROOT / "labs" / "scenario"
RUNS = 1000

# lab -> (exit status, text of the FAIL reason, policies whose 1000-seed
# explore must find it). An `expect` failure must also be on a `# check`
# line of broken.scn (test_broken_fails_as_intended).
BROKEN = {
    "01-lost-wakeup": (4, "deadlock: waiter(tid 1) sleeps on wq ", ("random", "pct")),
    "02-check-then-act": (1, "expect failed: balance >= 0 (-40 >= 0", ("random", "pct")),
    "03-bounded-buffer": (1, "expect failed: count > 0 (0 > 0", ("random", "pct")),
    "04-timeout-vs-wakeup": (1, "expect failed: told_paid == paid (0 == 1", ("random", "pct")),
    "05-eintr": (1, "expect failed: got == 8 (4 == 8", ("random", "pct")),
    "06-atomic-save": (1, "expect failed: is_new (is_new=0)", ("random", "pct")),
    "07-aio-getevents": (1, "expect failed: seen == 1 + 2 (1 == 3", ("random", "pct")),
    "08-port-oneshot": (4, "deadlock: server(tid 1) sleeps on port_getn ", ("random", "pct")),
}
TAG = "# simk: expect-failure"


def lab_dirs():
    return sorted(p.name for p in LABS.iterdir() if p.is_dir())


def variant(scn, lab, old, new, name="variant.scn"):
    """The lab's fixed (or broken) program with `old` replaced by `new`."""
    text = (LABS / lab / "solution" / "fixed.scn").read_text() if scn == "fixed" else \
        (LABS / lab / "broken.scn").read_text()
    assert old in text, old
    return text.replace(old, new, 1)


def explore(simk, path, policy, *extra, runs=RUNS):
    return simk("explore", path, "--runs", runs, "--policy", policy, *extra, timeout=120)


def test_every_lab_is_complete_and_listed():
    labs = lab_dirs()
    assert set(labs) == set(BROKEN), "a new lab needs an entry in BROKEN"
    overview = (LABS / "README.md").read_text()
    for lab in labs:
        d = LABS / lab
        for f in ("README.md", "broken.scn", "hints.md", "solution/fixed.scn",
                  "solution/SOLUTION.md"):
            assert (d / f).is_file(), f"{lab}/{f}"
        assert f"]({lab}/)" in overview, f"labs/README.md does not link {lab}"
        # each lab names the real bug or kernel code it comes from
        assert "**Where it comes from.**" in (d / "README.md").read_text(), lab
        # explore-long skips the broken programs and explores the fixes
        assert TAG in (d / "broken.scn").read_text().splitlines()[1]
        assert TAG not in (d / "solution" / "fixed.scn").read_text()
    assert "labs/README.md" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("lab,policy",
                         [(lab, pol) for lab, (_, _, pols) in BROKEN.items() for pol in pols])
def test_broken_fails_as_intended(simk, lab, policy):
    code, reason, _ = BROKEN[lab]
    path = LABS / lab / "broken.scn"
    r = explore(simk, path, policy)
    assert r.code == code, r
    assert r.last.startswith("FAIL seed=") and reason in r.last, r
    m = re.search(r"broken\.scn:(\d+):\d+: expect failed", r.last)
    if code == 1:
        line = path.read_text().splitlines()[int(m.group(1)) - 1]
        assert "# check:" in line, f"failed at a line that is not a check: {line!r}"
    else:
        assert m is None


@pytest.mark.parametrize("lab", sorted(BROKEN))
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_fixed_passes(simk, lab, policy):
    r = explore(simk, LABS / lab / "solution" / "fixed.scn", policy)
    assert r.code == 0, r
    assert f"explored {RUNS} runs" in r.last and "all passed" in r.last, r


@pytest.mark.parametrize("lab", sorted(BROKEN))
def test_deterministic(simk, lab):
    for f in ("broken.scn", "solution/fixed.scn"):
        r = simk("check-determinism", LABS / lab / f, "--seed", 3, "--policy", "random")
        assert r.code == 0, (f, r)


@pytest.mark.parametrize("name", ["O0", "asan", "clang"])
@pytest.mark.parametrize("lab", ["01-lost-wakeup", "06-atomic-save", "07-aio-getevents"])
def test_same_hash_across_builds(simk, name, lab):
    """labs/README.md promises a student's seed and hash reproduce on any
    build."""
    assert_same_hash_across_builds(simk, name, LABS / lab / "broken.scn")


def test_fixed_checks_are_the_broken_checks():
    """A solution keeps the specification: the same `# check` lines."""
    for lab in BROKEN:
        checks = [[ln.strip() for ln in (LABS / lab / f).read_text().splitlines()
                   if "# check:" in ln] for f in ("broken.scn", "solution/fixed.scn")]
        assert checks[0] and checks[0] == checks[1], lab


# --- claims the READMEs and solution notes make about variants ---

def test_02_fixing_only_one_thread_is_not_enough(simk, scn):
    text = variant("broken", "02-check-then-act",
                   "thread bob\n  if balance >= 70\n    lock m\n    balance -= 70\n"
                   "    paid_out += 70\n    unlock m\n",
                   "thread bob\n  lock m\n  if balance >= 70\n    balance -= 70\n"
                   "    paid_out += 70\n  unlock m\n")
    r = explore(simk, scn(text), "random")
    assert r.code == 1 and "balance >= 0" in r.last, r


def test_03_broadcast_does_not_fix_it_and_one_consumer_cannot_fail(simk, scn):
    text = (LABS / "03-bounded-buffer" / "broken.scn").read_text()
    assert "cv_signal not_empty" in text
    r = explore(simk, scn(text.replace("cv_signal not_empty", "cv_broadcast not_empty")), "random")
    assert r.code == 1 and "count > 0" in r.last, r
    one = text[:text.index("thread consumer2")] + text[text.index("finally"):]
    one = one.replace("thread consumer1\n  repeat 2", "thread consumer1\n  repeat 4")
    assert "repeat 4" in one
    for policy in ("random", "pct"):
        r = explore(simk, scn(one), policy)
        assert r.code == 0, r


def test_04_fixed_program_sees_both_outcomes(simk, scn):
    for paid in (0, 1):
        text = variant("fixed", "04-timeout-vs-wakeup", "  expect told_paid == paid",
                       f"  expect paid == {1 - paid}\n  expect told_paid == paid")
        r = explore(simk, scn(text), "random")
        assert r.code == 1 and f"paid == {1 - paid} ({paid} == {1 - paid}" in r.last, r


def vtime(r):
    assert r.passed, r
    return int(r.m.group("vtime"))


def test_05_retrying_without_taking_the_signal_spins_under_pct(simk, scn):
    """SOLUTION.md, item 3: the retry loop spins, burning virtual CPU (the
    cost model) until the writer's data arrives; with seed 1 under pct the
    reader spends over a hundred times the fixed program's time."""
    text = variant("fixed", "05-eintr",
                   "      local s = sigtake            # \"run the handler\"\n"
                   "      expect s == SIGALRM\n", "")
    spin = simk("run", scn(text), "--seed", 1, "--policy", "pct", "--quiet")
    fixed = simk("run", LABS / "05-eintr" / "solution" / "fixed.scn", "--seed", 1,
                 "--policy", "pct", "--quiet")
    assert vtime(spin) > 100 * vtime(fixed), (spin, fixed)
    r = explore(simk, scn(text), "pct", "--max-steps", 100000, runs=300)
    assert r.code == 0 and "all passed" in r.last, r
    solution = (LABS / "05-eintr" / "solution" / "SOLUTION.md").read_text()
    assert "seed 1 the reader burns over a hundred times" in solution


def test_06_fsync_alone_leaves_a_half_written_file(simk, scn):
    text = variant("broken", "06-atomic-save",
                   "  r = close fd\n  if w1 == 5 && w2 == 4 && r == 0",
                   "  local s = fsync fd\n  r = close fd\n"
                   "  if w1 == 5 && w2 == 4 && s == 0 && r == 0")
    for policy in ("random", "pct"):
        r = explore(simk, scn(text), policy)
        assert r.code == 1 and "expect failed: is_old || is_new (is_old=0, is_new=0)" in r.last, r


def test_06_solution_describes_the_handouts_first_failing_seeds(simk):
    """SOLUTION.md, item 1, names the first failing seed of the README's
    random exploration and what its `print` line shows, and the next one,
    which shows the other outcome; each must be that seed and that state.
    The first keeps the old version: no write-back of the new version
    finished before the power cut (the one running then failed,
    `vfs:commit_failed`). The next holds a half-written file: the state
    after the first write was committed (`vfs:commit_done` after it, before
    the power cut)."""
    item = (LABS / "06-atomic-save" / "solution" / "SOLUTION.md").read_text().split("\n2. ")[0]
    item = " ".join(item.split())
    m = re.search(r"--runs 1000 --policy random` \(seed (\d+)\)", item)
    assert m, item
    seed = int(m.group(1))
    m = re.search(r"shows `saved (\d+)` and `size (\d+)`", item)
    assert m, item
    saved, size = int(m.group(1)), int(m.group(2))
    broken = LABS / "06-atomic-save" / "broken.scn"
    r = explore(simk, broken, "random")
    assert r.code == 1 and r.last.startswith(f"FAIL seed={seed} "), (seed, r)
    run = simk("run", broken, "--seed", seed, "--policy", "random")
    assert run.code == 1, run
    shown = re.findall(r"\b(saved|size) (-?\d+)$", run.out, re.M)
    assert dict(shown) == {"saved": str(saved), "size": str(size)}, shown
    before_cut, after_cut = run.out.split("write = 5", 1)[1].split("power_cut(", 1)
    assert "vfs:commit_done" not in before_cut, "a write-back of the new version finished"
    assert "vfs:commit_failed" in after_cut
    assert size == 9 and "it is the old one" in item
    # the other outcome it names: a half-written file, committed
    m = re.search(r"The next failing seed \((\d+)\) shows a half-written file", item)
    assert m, item
    half = int(m.group(1))
    for s in range(seed + 1, half):
        assert simk("run", broken, "--seed", s, "--policy", "random").code == 0, s
    o = simk("run", broken, "--seed", half, "--policy", "random")
    assert o.code == 1 and dict(re.findall(r"\b(saved|size) (-?\d+)$", o.out, re.M)) == {
        "saved": "1", "size": "5"}, o
    assert "vfs:commit_done" in o.out.split("write = 5", 1)[1].split("power_cut(", 1)[0]
    assert "`size 5`" in item


def test_06_fixed_program_says_saved_in_some_runs_and_not_in_others(simk, scn):
    """The durability check is not vacuous: the power fails both before and
    after the fixed editor said "saved"."""
    for saved in (0, 1):
        text = variant("fixed", "06-atomic-save", "  if saved == 1\n",
                       f"  expect saved == {1 - saved}\n  if saved == 1\n")
        r = explore(simk, scn(text), "random")
        assert r.code == 1 and f"saved == {1 - saved} ({saved} == " in r.last, r


def trace_events(out, after):
    """(vtime, text) of the trace lines from the first one holding `after`."""
    lines = re.findall(r"^\s*(\d+)ns\s+(.*?)\s*$", out, re.M)
    start = next(i for i, (_, text) in enumerate(lines) if after in text)
    return [(int(v), text) for v, text in lines[start:]]


def test_07_readme_and_solution_name_seeds_that_do_what_they_say(simk):
    """README questions 1 and 2 name a failing and a passing seed of
    broken.scn, and SOLUTION.md item 2 explains the passing one; each
    seed must do what the text says. The failing run: io_getevents
    returned 1, woken at its only completion (`laio:event`, after an `irq
    blk:irq` at the same time), the second write's completion absent. The
    passing run: both writes completed at the same instant, each through
    an `irq blk:irq` at that time, both before the woken program ran, and
    io_getevents returned 2. Each seed also has a `simk run` line in the
    README."""
    lab = LABS / "07-aio-getevents"
    readme = " ".join((lab / "README.md").read_text().split())
    solution = " ".join((lab / "solution" / "SOLUTION.md").read_text().split())
    m = re.search(r"In a failing run \(seed (\d+)\)", readme)
    assert m, readme
    failing = int(m.group(1))
    m = re.search(r"In a passing run \(seed (\d+)\)", readme)
    assert m, readme
    passing = int(m.group(1))
    assert f"With seed {passing} both completions are due at the same instant" in solution
    commands = "\n".join(simk_commands(lab / "README.md"))
    for seed in (failing, passing):
        assert re.search(rf"^./build/simk run \S+broken\.scn --seed {seed}\b", commands,
                         re.M), seed
    broken = lab / "broken.scn"

    r = simk("run", broken, "--seed", failing)
    assert r.code == 1 and "expect failed: seen == 1 + 2 (1 == 3" in r.out, r
    ev = trace_events(r.out, "io_submit(")
    done = [v for v, text in ev if text.startswith("laio:event ")]
    assert len(done) == 1, ev
    assert (done[0], "irq blk:irq") in ev and (done[0], "wake T1 io_getevents") in ev
    assert any(re.match(r"io_getevents(\(.*\))? = 1\b", text) for _, text in ev), ev

    r = simk("run", broken, "--seed", passing)
    assert r.code == 0 and r.passed, r
    ev = trace_events(r.out, "io_submit(")
    done = [i for i, (_, text) in enumerate(ev) if text.startswith("laio:event ")]
    assert len(done) == 2 and ev[done[0]][0] == ev[done[1]][0], ev
    at = ev[done[0]][0]
    irqs = [i for i, (v, text) in enumerate(ev) if text == "irq blk:irq" and v == at]
    assert len(irqs) == 2 and irqs[0] < done[0] and done[0] < irqs[1] < done[1], ev
    ret = next(i for i, (_, text) in enumerate(ev)
               if re.match(r"io_getevents(\(.*\))? = ", text))
    assert re.match(r"io_getevents(\(.*\))? = 2\b", ev[ret][1]) and ret > done[1], ev


# --- the READMEs ---

def readmes():
    return [LABS / "README.md"] + [LABS / lab / "README.md" for lab in sorted(BROKEN)]


def code_lines(text):
    """Lines inside ``` fenced blocks."""
    out, inside = [], False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            inside = not inside
        elif inside:
            out.append(line.strip())
    return out


def simk_commands(readme):
    return [ln for ln in code_lines(readme.read_text()) if ln.startswith("./build/simk ")]


def test_every_lab_readme_shows_run_explore_reproduce_and_replay():
    for readme in readmes()[1:]:
        cmds = simk_commands(readme)
        joined = "\n".join(cmds)
        assert re.search(r"^./build/simk run \S+broken\.scn", joined, re.M), readme
        for policy in ("random", "pct"):
            assert re.search(rf"explore \S+broken\.scn --runs 1000 --policy {policy}$",
                             joined, re.M), (readme, policy)
            assert f"explore mine.scn --runs 1000 --policy {policy}" in joined, readme
        for opt in ("--seed SEED", "--schedule-out", "--replay", "--trace-out"):
            assert opt in joined, (readme, opt)


def failing_seed(simk, path, policy, cache={}):
    key = (str(path), policy)
    if key not in cache:
        r = explore(simk, path, policy)
        m = re.match(r"FAIL seed=(\d+) ", r.last)
        assert m, r
        cache[key] = m.group(1)
    return cache[key]


@pytest.mark.parametrize("readme", readmes(), ids=lambda p: p.parent.name)
def test_readme_commands_run(simk, readme, tmp_path):
    """Every `./build/simk` line of a code block runs from the repository
    root: SEED becomes a seed that fails under the line's policy (the
    READMEs only use it with random), mine.scn the lab's fix, output files
    go to a temporary folder. A command on a broken program that should
    show the failure (explore 1000 runs, the failing seed, a replay) ends
    with the lab's failure status; one on the fix passes."""
    cmds = simk_commands(readme)
    assert cmds, readme
    for line in cmds:
        args = shlex.split(line)[1:]
        prog = next(a for a in args if a.endswith(".scn"))
        if prog == "mine.scn":
            lab = readme.parent.name
            args[args.index(prog)] = str(LABS / lab / "solution" / "fixed.scn")
            want = {0}
        else:
            assert (ROOT / prog).is_file(), line
            lab = Path(prog).parent.name
            if Path(prog).name == "fixed.scn":
                lab = Path(prog).parent.parent.name
            code = BROKEN[lab][0]
            if Path(prog).name == "fixed.scn":
                want = {0}
            elif "SEED" in args or "--replay" in args or "explore" == args[0]:
                want = {code}
            else:
                want = {0, code}
        if "SEED" in args:
            policy = args[args.index("--policy") + 1]
            assert policy == "random", f"{line}: for pct the README says to copy reproduce:"
            args[args.index("SEED")] = failing_seed(simk, ROOT / prog, policy)
        for opt in ("--schedule-out", "--trace-out", "--replay"):
            if opt in args:
                i = args.index(opt) + 1
                args[i] = str(tmp_path / args[i])
        r = simk(*args, cwd=ROOT, timeout=120)
        assert r.code in want, (line, r)
        if "--trace-out" in args:
            assert (tmp_path / Path(args[args.index("--trace-out") + 1]).name).stat().st_size > 0


KERNEL_SOURCES = ("sim", "kern", "vfs", "drivers", "syscalls", "scn", "guest", "cli")
EVENT_LITERAL = re.compile(r'"([a-z]+):([a-z][a-z0-9_]*)"')


def trace_event_names():
    """Every "prefix:event" string literal of simk's own sources: the trace
    event names (and the event queue's, which the trace shows too)."""
    names = set()
    for d in KERNEL_SOURCES:
        for f in sorted((ROOT / d).rglob("*.[ch]")):
            names |= {f"{a}:{b}" for a, b in EVENT_LITERAL.findall(f.read_text())}
    return names


def test_trace_names_quoted_in_the_labs_exist():
    """Every trace event a lab text quotes (README, hints, solution and
    teacher notes, labs/**/*.md) is one simk emits: a `prefix:event` whose
    prefix is a subsystem's must be a string literal of the sources; the
    names before the `prefix:event` convention (`laio-event`, `kq_post`)
    must not come back; and in a quoted trace, the event after `info` or
    `irq` is a known one."""
    names = trace_event_names()
    prefixes = {n.split(":")[0] for n in names}
    assert {"laio", "kq", "blk", "vfs", "port", "paio", "sim"} <= prefixes, prefixes
    identifiers = set()
    for d in KERNEL_SOURCES:
        for f in sorted((ROOT / d).rglob("*.[ch]")):
            identifiers |= set(re.findall(r"\b[a-z]+_[a-z0-9_]+\b", f.read_text()))
    bad = []
    for md in sorted((ROOT / "labs").rglob("*.md")):
        text = md.read_text()
        rel = md.relative_to(ROOT)
        for m in re.finditer(r"\b([a-z]+):([a-z][a-z0-9_]*)\b", text):
            if m.group(1) in prefixes and m.group(0) not in names:
                bad.append(f"{rel}: {m.group(0)} is not an event simk emits")
        for m in re.finditer(r"(?<![\w/.-])([a-z]+)([-_])([a-z][a-z0-9_]*)\b(?![/.-])", text):
            old, colon = m.group(0), f"{m.group(1)}:{m.group(3)}"
            if colon in names and (m.group(2) == "-" or old not in identifiers):
                bad.append(f"{rel}: {old} is the old name of {colon}")
        for line in code_lines(text):
            # one blank: in "how we got here" a padded `irq` is the column of
            # the interrupt context, not an event (`irq     wake T1 ...`)
            for m in re.finditer(r"(?:^|\s)(?:info|irq) (\S+)", line):
                if m.group(1) not in names:
                    bad.append(f"{rel}: trace line `{line}` shows {m.group(1)}")
    assert not bad, "\n".join(bad)


NAMED_FILE = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w.-]+\.(?:scn|md|sh|py))(?![\w/])")


@pytest.mark.parametrize("readme", readmes() + [LABS / lab / f for lab in sorted(BROKEN)
                                                for f in ("hints.md", "solution/SOLUTION.md")],
                         ids=lambda p: str(p.relative_to(LABS)))
def test_named_files_exist(readme):
    """Every file a README, hints or solution names exists, relative to
    its lab (or its solution folder) or to the repository root; a name in
    labs/README.md may also be one every lab has; mine.scn is the student's
    own file."""
    text = readme.read_text()
    lab = readme.parent if readme.parent.name != "solution" else readme.parent.parent
    for name in set(NAMED_FILE.findall(text)):
        if name == "mine.scn":
            continue
        candidates = [readme.parent / name, lab / name, lab / "solution" / name, ROOT / name]
        in_every_lab = readme == LABS / "README.md" and \
            all((LABS / d / name).exists() or (LABS / d / "solution" / name).exists()
                for d in BROKEN)
        assert in_every_lab or any(c.exists() for c in candidates), \
            f"{readme}: {name} does not exist"
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith("http"):
            assert (readme.parent / target).exists(), f"{readme}: link {target}"
