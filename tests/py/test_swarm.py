"""explore --swarm (docs/exploration.md, "Swarm"): each run draws its own
option set from its seed — preempt and irq probabilities, a device latency
model for what the scenario's devices leave unsaid, which --fault options
are on and how likely — and the reproducer names what it drew, so `simk
run` with those options gives the same run. --device and --device-defaults
set device options from the command line."""
import re
import shlex

import pytest

from conftest import SCENARIOS, run_simk

LOST = SCENARIOS / "lost-wakeup.scn"
ALWAYS_FAILS = """\
thread t
  expect 0 == 1
"""
TIMED = """\
device disk{decl}
fs root disk
buffer w 4096

thread t
  local fd = open "/data" O_CREAT + O_RDWR + O_DIRECT
  expect fd >= 0
  local t0 = now
  local n = pwrite fd w 4096 0
  expect n == 4096
  local t1 = now
  print "took" t1 - t0
"""


def reproducer(out):
    line = next(l for l in out.splitlines() if l.startswith("reproduce: "))
    return shlex.split(line[len("reproduce: "):])


def test_swarm_finds_the_lost_wakeup_and_its_reproducer_names_the_draw():
    r = run_simk("explore", LOST, "--runs", 100, "--swarm")
    assert r.code == 4, r
    assert "(seed 11, policy random, swarm) failed" in r.out
    argv = reproducer(r.out)
    for flag in ("--preempt", "--irq", "--device-defaults"):
        assert flag in argv, argv
    assert "--swarm" not in argv
    again = run_simk(*argv[1:], "--quiet")
    assert again.code == 4 and again.last == r.last, (again, r.last)


def test_each_seed_draws_its_own_options_and_the_same_seed_the_same(scn):
    path = scn(ALWAYS_FAILS)
    draws = []
    for seed in range(1, 9):
        r = run_simk("explore", path, "--runs", 1, "--seed-start", seed, "--swarm")
        assert r.code == 1, r
        argv = reproducer(r.out)
        draws.append(tuple(argv[argv.index("--preempt"):]))
        assert run_simk("explore", path, "--runs", 1, "--seed-start", seed,
                        "--swarm").out == r.out
    assert len(set(draws)) > 4, draws
    for d in draws:
        p = float(d[d.index("--preempt") + 1])
        i = float(d[d.index("--irq") + 1])
        assert 0.01 <= p <= 0.99 and 0.05 <= i <= 1.0, d


def test_swarm_turns_fault_options_off_or_draws_their_probability(scn):
    path = scn(ALWAYS_FAILS)
    seen_off = seen_on = False
    for seed in range(1, 13):
        r = run_simk("explore", path, "--runs", 1, "--seed-start", seed, "--swarm",
                     "--fault", "blk/write/eio:p=0.1", "--fault", "kmem/alloc/enomem:nth=3")
        argv = reproducer(r.out)
        faults = [argv[i + 1] for i, a in enumerate(argv) if a == "--fault"]
        assert "kmem/alloc/enomem:nth=3" in faults, faults  # only p= options are drawn
        eio = [f for f in faults if f.startswith("blk/write/eio:")]
        if eio:
            seen_on = True
            p = float(eio[0].split("p=")[1])
            assert 0 < p <= 0.2, eio
        else:
            seen_off = True
    assert seen_on and seen_off


def test_swarm_is_for_random_and_pct_searches():
    r = run_simk("explore", LOST, "--runs", 10, "--swarm", "--policy", "dfs")
    assert r.code == 2 and "--swarm draws the options of random or pct runs" in r.err, r
    r = run_simk("run", LOST, "--swarm")
    assert r.code == 2 and "does not apply to run" in r.err, r


def took(r):
    assert r.code == 0, r
    return int(re.search(r"took (\d+)", r.out).group(1))


def test_device_defaults_fill_in_what_the_declaration_leaves_and_device_forces(scn):
    open_ = scn(TIMED.format(decl=""))
    fixed = scn(TIMED.format(decl=" latency=100us"))
    slow = took(run_simk("run", open_, "--device-defaults", "latency=fixed:1ms"))
    fast = took(run_simk("run", open_, "--device-defaults", "latency=fixed:10us"))
    assert slow >= 1_000_000 > fast, (slow, fast)
    # a latency the scenario states is kept by --device-defaults (and swarm) ...
    kept = took(run_simk("run", fixed, "--device-defaults", "latency=fixed:1ms"))
    assert kept == took(run_simk("run", fixed)) < 1_000_000
    # ... and overridden by --device
    forced = took(run_simk("run", fixed, "--device", "latency=fixed:1ms"))
    assert forced >= 1_000_000


@pytest.mark.parametrize("flag,value,msg", [
    ("--device", "latency=warp:9", "device option 'latency=warp:9'"),
    ("--device", "name=x", "'name' cannot be set"),
    ("--device-defaults", "reorder", "expected KEY=VALUE"),
])
def test_bad_device_options_are_usage_errors(flag, value, msg):
    r = run_simk("run", LOST, flag, value)
    assert r.code == 2 and msg in r.err, r


def test_every_example_scenario_passes_a_swarm():
    """What a scenario states about its devices, swarm keeps: the examples
    that pass their own explorations pass a swarm too."""
    for f in sorted(SCENARIOS.rglob("*.scn")):
        if "expect-failure" in f.read_text():
            continue
        # a `sometimes` property needs the runs that reach its window
        runs = 400 if "\n    sometimes " in f.read_text() else 20
        r = run_simk("explore", f, "--runs", runs, "--swarm", "--quiet")
        assert r.code == 0, (f, r)
