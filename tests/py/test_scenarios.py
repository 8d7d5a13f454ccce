"""The example scenarios behave as their comments say."""
import pytest

from conftest import SCENARIOS

ALWAYS_PASS = ["demo.scn", "lost-wakeup-fixed.scn", "mutex-counter.scn",
               "timeout-vs-wakeup.scn", "signal-interrupts-sleep.scn", "fork-wait.scn",
               "spawn-join.scn"]


def test_every_scenario_is_covered():
    names = {p.name for p in SCENARIOS.glob("*.scn")}
    known = set(ALWAYS_PASS) | {"lost-wakeup.scn", "racy-counter.scn", "unlock-not-owner.scn"}
    assert names <= known, f"new scenarios need a test: {names - known}"


@pytest.mark.parametrize("scenario", ALWAYS_PASS)
@pytest.mark.parametrize("policy", ["fifo", "random", "pct"])
def test_passes_under_every_policy(simk, scenario, policy):
    r = simk("explore", SCENARIOS / scenario, "--runs", 400, "--policy", policy)
    assert r.code == 0, r
    assert "all passed" in r.last


def test_demo_runs_with_its_own_options(simk):
    r = simk("run", SCENARIOS / "demo.scn", "--quiet")
    assert r.code == 0 and r.last.startswith("PASS seed=1 ")
    assert int(r.last.split("vtime=")[1].rstrip("ns")) >= 1_000_000


def test_lost_wakeup_passes_under_fifo(simk):
    r = simk("explore", SCENARIOS / "lost-wakeup.scn", "--runs", 100, "--policy", "fifo")
    assert r.code == 0, r


@pytest.mark.parametrize("seed,code", [(11, 4), (1, 0)])
def test_lost_wakeup_stated_seeds(simk, seed, code):
    r = simk("run", SCENARIOS / "lost-wakeup.scn", "--seed", seed, "--quiet")
    assert r.code == code, r


def test_racy_counter_stated_seed_loses_an_update(simk):
    r = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2, "--quiet")
    assert r.code == 1 and "counter == 6 (5 == 6" in r.last, r


def test_timeout_vs_wakeup_shows_both_outcomes(simk, scn):
    text = (SCENARIOS / "timeout-vs-wakeup.scn").read_text()
    woken = scn(text.replace("expect r == 0 || r == -ETIMEDOUT", "expect r == -ETIMEDOUT"))
    timed = scn(text.replace("expect r == 0 || r == -ETIMEDOUT", "expect r == 0"))
    assert simk("explore", woken, "--runs", 200).code == 1
    assert simk("explore", timed, "--runs", 200).code == 1


def test_every_operation_and_declaration_is_documented(simk):
    """`simk help ops` lists the registry; docs/scenarios.md must cover it."""
    import re
    from conftest import ROOT
    doc = (ROOT / "docs" / "scenarios.md").read_text()
    r = simk("help", "ops")
    assert r.code == 0
    ops = re.findall(r"^  (\w+)(?: |$)", r.out, re.M)
    assert len(ops) > 20
    for name in ops:
        assert f"`{name}" in doc or f"`{name} " in doc, f"{name} missing from docs/scenarios.md"


# --- the end of virtual time (docs/determinism.md, "Virtual time") ---

@pytest.mark.parametrize("body,line", [
    ("  compute 9_223_372_036_854_775_807\n", 2),   # used to make `now` negative and pass
    ("  compute 20_000s\n" * 5, 6),
])
def test_computing_past_the_end_of_virtual_time_fails_clearly(simk, scn, body, line):
    r = simk("run", scn("thread w\n" + body + "  local t = now\n  expect t >= 0\n"), "--quiet")
    assert r.code == 3 and "virtual time limit (24 h) passed" in r.last, r
    assert f".scn:{line}:3)" in r.last, r


def test_computing_up_to_the_end_of_virtual_time_is_allowed(simk, scn):
    r = simk("run", scn("thread w\n  compute 86_400s\n  local t = now\n"
                        "  expect t == 86_400s\n"), "--quiet")
    assert r.code == 0 and r.passed and "vtime=86400000000000ns" in r.last, r


def test_sleeping_past_the_end_of_virtual_time_is_a_stall(simk, scn):
    r = simk("run", scn("thread w\n  delay 100_000s\n"), "--quiet")
    assert r.code == 4 and "past the end of virtual time" in r.last, r


def test_a_huge_timeout_is_no_timeout(simk, scn):
    """A timeout of 2^63-1 ns never expires: the sleeper is woken at 1ms."""
    r = simk("run", scn("waitqueue wq\nshared up = 0\n"
                        "thread a\n  local r = sleep wq timeout=9_223_372_036_854_775_807\n"
                        "  expect r == 0\n  local t = now\n  expect t == 1ms\n"
                        "thread b\n  delay 1ms\n  wake wq\n"), "--quiet")
    assert r.code == 0 and r.passed, r
