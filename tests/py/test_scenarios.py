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
