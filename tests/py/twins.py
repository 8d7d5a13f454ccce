"""What the guest-twin tests of each subsystem (test_twins_<subsystem>.py)
check the same way. A twin (tests/twins/<subsystem>/<scenario>.c) checks its
scenario's invariant itself and prints `outcome NAME reached`; given
`forbid=NAME`, reaching NAME fails the run (exit 1)."""
import re

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


def invariant_holds(simk, prog, runs, policy, extra=(), min_distinct=None):
    """Every explored seed passes, and the seeds really interleave
    differently (more than min_distinct hashes: runs // 20 by default)."""
    r = simk("explore", prog, "--runs", runs, "--policy", policy, "--quiet", *extra)
    assert r.code == 0, r
    m = re.search(r"all passed, distinct hashes=(\d+)", r.last)
    assert m, r.last
    want = runs // 20 if min_distinct is None else min_distinct
    assert int(m.group(1)) > want, r.last


def outcome_reached_and_replays(simk, tmp_path, prog, outcome, runs, extra=()):
    """explore finds a seed that reaches the outcome (forbidden, so the run
    fails there), and that seed replays to the same output and trace hash,
    by seed and by schedule file."""
    arg = f"forbid={outcome}"
    e = simk("explore", prog, "--runs", runs, "--quiet", *extra, "--", arg)
    assert e.code == 1, e
    seed = seed_of(e.out + e.err)
    sched = tmp_path / "s.sched"
    opts = ["--seed", seed, "--policy", "random", "--preempt", 0.25, *extra]
    first = simk("run", prog, *opts, "--schedule-out", sched, "--", arg)
    assert first.code == 1 and f"outcome {outcome} reached" in first.out, first
    second = simk("run", prog, *opts, "--", arg)
    assert second.out == first.out and second.hash == first.hash
    again = simk("run", prog, "--replay", sched, "--", arg)
    assert again.code == 1 and again.hash == first.hash, again
    assert again.out == first.out
