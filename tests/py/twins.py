"""What the guest-twin tests of each subsystem (test_twins_<subsystem>.py)
check the same way. A twin (tests/twins/<subsystem>/<scenario>.c) checks its
scenario's invariant itself and prints `outcome NAME reached`; given
`forbid=NAME`, reaching NAME fails the run (exit 1)."""
import re
import shlex

import pytest


def built(path):
    """A program `make` builds, or a test failure saying to build it."""
    if not path.exists():
        pytest.fail(f"{path} not built: run `make`")
    return path


def seed_of(text):
    """The seed of a failure's `reproduce:` line."""
    m = re.search(r"^reproduce: .* --seed (\d+)", text, re.M)
    assert m, text
    return int(m.group(1))


def invariant_holds(simk, prog, runs, policy, extra=(), min_distinct=None, timeout=None):
    """Every explored seed passes, and the seeds really interleave
    differently (more than min_distinct hashes: runs // 20 by default)."""
    kw = {} if timeout is None else {"timeout": timeout}
    r = simk("explore", prog, "--runs", runs, "--policy", policy, "--quiet", *extra, **kw)
    assert r.code == 0, r
    m = re.search(r"all passed, distinct hashes=(\d+)", r.last)
    assert m, r.last
    want = runs // 20 if min_distinct is None else min_distinct
    assert int(m.group(1)) > want, r.last


def reproduce_args(text):
    """The program and options of a failure's `reproduce:` line."""
    m = re.search(r"^reproduce: \S+ run (.*)$", text, re.M)
    assert m, text
    return shlex.split(m.group(1))


def failure_replays(simk, tmp_path, text, needle, replay_opts=()):
    """The failure of an explore (its output: text) reproduces from its
    `reproduce:` line, with needle in the output, by seed twice to the same
    output and trace hash, and by schedule file (run with --schedule-out,
    replayed with replay_opts: device and fault options, which a schedule
    does not record) to the same output and trace hash."""
    args = reproduce_args(text)
    prog, rest = args[0], args[1:]
    k = rest.index("--") if "--" in rest else len(rest)
    opts, prog_args = rest[:k], rest[k:]
    sched = tmp_path / "s.sched"
    first = simk("run", prog, *opts, "--schedule-out", sched, *prog_args)
    assert first.code == 1 and needle in first.out, first
    second = simk("run", prog, *opts, *prog_args)
    assert second.out == first.out and second.hash == first.hash, second
    again = simk("run", prog, "--replay", sched, *replay_opts, *prog_args)
    assert again.code == 1 and again.hash == first.hash, again
    assert again.out == first.out


def outcome_reached_and_replays(simk, tmp_path, prog, outcome, runs, extra=(), policy=None,
                                arg=None, needle=None, replay_opts=(), timeout=None):
    """explore finds a seed that reaches the outcome (forbidden, so the run
    fails there), and that seed replays to the same output and trace hash,
    by seed and by schedule file (failure_replays). By default the twin is
    told `forbid=OUTCOME` and says `outcome OUTCOME reached`; arg and
    needle name another convention."""
    arg = f"forbid={outcome}" if arg is None else arg
    needle = f"outcome {outcome} reached" if needle is None else needle
    pol = [] if policy is None else ["--policy", policy]
    kw = {} if timeout is None else {"timeout": timeout}
    e = simk("explore", prog, "--runs", runs, "--quiet", *pol, *extra, "--", arg, **kw)
    assert e.code == 1, e
    failure_replays(simk, tmp_path, e.out + e.err, needle, replay_opts)
