"""The example scenarios behave as their comments say."""
import pytest

from conftest import SCENARIOS

ALWAYS_PASS = ["demo.scn", "lost-wakeup-fixed.scn", "mutex-counter.scn",
               "timeout-vs-wakeup.scn", "signal-interrupts-sleep.scn", "fork-wait.scn",
               "spawn-join.scn"]


def test_every_scenario_is_covered():
    names = {p.name for p in SCENARIOS.glob("*.scn")}
    known = set(ALWAYS_PASS) | {"lost-wakeup.scn", "racy-counter.scn", "unlock-not-owner.scn",
                                "race-window.scn"}  # test_properties.py
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
    r = simk("run", scn("thread w\n  compute 86_399s\n  local t = now\n"
                        "  expect t >= 86_399s\n"), "--quiet")
    assert r.code == 0 and r.passed, r
    r = simk("run", scn("step_cost 0\nthread w\n  compute 86_400s\n"), "--quiet")
    assert r.code == 0 and r.passed and "vtime=86400000000000ns" in r.last, r


def test_sleeping_past_the_end_of_virtual_time_is_a_stall(simk, scn):
    r = simk("run", scn("thread w\n  delay 100_000s\n"), "--quiet")
    assert r.code == 4 and "past the end of virtual time" in r.last, r


def test_a_huge_timeout_is_no_timeout(simk, scn):
    """A timeout of 2^63-1 ns never expires: the sleeper is woken at 1ms."""
    r = simk("run", scn("waitqueue wq\nshared up = 0\n"
                        "thread a\n  local r = sleep wq timeout=9_223_372_036_854_775_807\n"
                        "  expect r == 0\n  local t = now\n  expect t >= 1ms && t < 2ms\n"
                        "thread b\n  delay 1ms\n  wake wq\n"), "--quiet")
    assert r.code == 0 and r.passed, r


# --- the cost model (docs/determinism.md, "Virtual time") ---

POLL_TIMER = """shared flag = 0
thread sleeper
  delay 1ms
  flag = 1
thread poller
  while flag == 0
    yield
  local t = now
  expect t >= 1ms && t < 1ms + 10us
"""


@pytest.mark.parametrize("policy", ["fifo", "random", "pct"])
def test_a_thread_polling_with_yield_sees_its_timer(simk, scn, policy):
    """Running threads spend virtual time (100 ns a switch point by
    default), so a poller lets the timer come due instead of spinning at
    one instant until the step limit."""
    r = simk("explore", scn(POLL_TIMER), "--runs", 50, "--policy", policy)
    assert r.code == 0 and "all passed" in r.last, r


def test_without_the_cost_model_a_poller_spins_until_the_step_limit(simk, scn):
    p = scn(POLL_TIMER)
    r = simk("run", p, "--step-cost", 0, "--max-steps", 5000, "--quiet")
    assert r.code == 3 and "step limit of 5000 decisions reached at 0 ns" in r.last, r
    assert "keeps running without ever waiting" in r.last, r
    assert "--step-cost 0" in r.err, r          # the reproducer keeps the option
    r = simk("run", scn("step_cost 0\n" + POLL_TIMER), "--max-steps", 5000, "--quiet")
    assert r.code == 3 and "step limit" in r.last, r


def test_a_thread_polling_the_aio_ring_sees_the_device_complete(simk, scn):
    """The case of the issue: waiting for a device by polling the ring
    (io_reap reads it in user space) and yielding. Under fifo the poller
    never blocks; the device's interrupt still comes due."""
    p = scn("device disk latency=100us\nfs root disk\nthread t\n"
            "  local ctx = io_setup 4\n"
            "  local fd = open \"/d\" O_CREAT + O_RDWR + O_DIRECT\n"
            "  local cb = iocb IOCB_CMD_PWRITE fd len=4096 data=1\n"
            "  local r = io_submit ctx cb\n  expect r == 1\n"
            "  local n = 0\n  local spins = 0\n"
            "  while n == 0\n    n = io_reap ctx\n    spins += 1\n    yield\n"
            "  expect n == 1\n  local res = ev_res 0\n  expect res == 4096\n"
            "  expect spins > 10\n  r = io_destroy ctx\n")
    for policy in ("fifo", "random", "pct"):
        r = simk("explore", p, "--runs", 20, "--policy", policy)
        assert r.code == 0 and "all passed" in r.last, (policy, r)


def test_step_cost_option_and_its_limits(simk, scn):
    # two yields (entry, the yield, exit) and `now` (entry, exit): 8 switch points
    body = "thread w\n  yield\n  yield\n  local t = now\n  print t\n"
    for cost, vt in ((0, 0), (1000, 8000)):
        r = simk("run", scn(f"step_cost {cost}ns\n" + body), "--quiet")
        assert r.passed and f"vtime={vt}ns" in r.last, r
    r = simk("run", scn("step_cost 2ms\n" + body), "--quiet")
    assert r.code == 2 and "step_cost" in r.err, r
    r = simk("run", scn(body), "--quiet", "--step-cost", 1_000_001)
    assert r.code == 2 and "--step-cost" in r.err, r
