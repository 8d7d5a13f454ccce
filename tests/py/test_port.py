"""Event-port scenarios (scenarios/port/): the races of the reference
explored under random and PCT schedules (1,000 seeds each) without losing
or duplicating an event (each scenario's own checks plus the port's
end-of-run check: sent == delivered + discarded + removed, every slot and
port freed); each race really goes both ways; determinism; the scenario
operations' surface."""
import pytest

from conftest import SCENARIOS, assert_same_hash_across_builds, forced, some_seed_fails

PORTS = SCENARIOS / "port"
RACES = ["send-vs-getn2.scn", "waiter-order.scn", "alert-vs-waiters.scn",
         "close-vs-waiters.scn", "fd-reassoc-vs-ready.scn", "timer-overrun.scn",
         "fork-noshare.scn", "mountedover-vs-create.scn", "timer-create-vs-close.scn"]
ALL = RACES + ["basics.scn"]


def test_every_portfs_scenario_is_covered():
    assert {p.name for p in PORTS.glob("*.scn")} == set(ALL)


@pytest.mark.parametrize("scenario", ALL)
def test_passes_with_its_own_options(simk, scenario):
    r = simk("run", PORTS / scenario, "--quiet")
    assert r.code == 0 and r.passed, r


@pytest.mark.parametrize("scenario", RACES)
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_race_never_loses_or_duplicates_an_event(simk, scenario, policy):
    r = simk("explore", PORTS / scenario, "--runs", 1000, "--policy", policy, timeout=300)
    assert r.code == 0, r
    assert r.last.startswith("explored 1000 runs") and "all passed" in r.last, r.last


@pytest.mark.parametrize("scenario", ALL)
def test_deterministic(simk, scenario):
    r = simk("check-determinism", PORTS / scenario, "--seed", 3)
    assert r.code == 0, r


# Each race has two outcomes; forcing either one must fail some seed, which
# shows that exploration reaches both.
OUTCOMES = [
    # a create in a watched directory vs a mount on it: FILE_MODIFIED, or
    # MOUNTEDOVER with the file in the mounted filesystem
    ("mountedover-vs-create.scn", "  local ev = pev_events 0\n",
     "  local ev = pev_events 0\n  expect ev == MOUNTEDOVER\n", "ev == MOUNTEDOVER"),
    ("mountedover-vs-create.scn", "  local ev = pev_events 0\n",
     "  local ev = pev_events 0\n  expect ev == FILE_MODIFIED\n", "ev == FILE_MODIFIED"),
    # close while waiting: a waiter sees EBADFD, or gets events first
    ("close-vs-waiters.scn", "    local r = port_get port\n",
     "    local r = port_get port\n    expect r != -EBADFD\n", "r != -EBADFD"),
    ("close-vs-waiters.scn", "    expect r == 0\n    taken += 1\n",
     "    expect r == 0\n    expect r == -99\n    taken += 1\n", "r == -99"),
    # alert: some waiter returns the alert, some returns events
    ("alert-vs-waiters.scn", "  expect alerts >= 1\n", "  expect alerts == 3\n",
     "alerts == 3"),
    ("alert-vs-waiters.scn", "  expect alerts >= 1\n", "  expect taken == 0\n",
     "taken == 0"),
    # non-shareable events: a retrieval scans the other process's and refuses
    ("fork-noshare.scn", "  expect d == 4\n",
     "  expect d == 4\n  local rf = port_stat \"refused\"\n  expect rf == 0\n", "rf == 0"),
    # fd re-association: one event, or several
    ("fd-reassoc-vs-ready.scn", "  expect got >= 1 && got <= 4\n", "  expect got == 1\n",
     "got == 1"),
    ("fd-reassoc-vs-ready.scn", "  expect got >= 1 && got <= 4\n", "  expect got >= 2\n",
     "got >= 2"),
    # timer_create vs the port's last close: the timer is made (and the close
    # detaches it), or the create fails with EBADF (the descriptor is gone)
    # or EBADFD (the close began while the create ran)
    ("timer-create-vs-close.scn", "  if timer >= 0\n",
     "  expect timer < 0\n  if timer >= 0\n", "timer < 0"),
    ("timer-create-vs-close.scn", "  if timer >= 0\n",
     "  expect timer != -EBADF\n  if timer >= 0\n", "timer != -EBADF"),
    ("timer-create-vs-close.scn", "  if timer >= 0\n",
     "  expect timer != -EBADFD\n  if timer >= 0\n", "timer != -EBADFD"),
    # send vs getn: the senders' order varies (the waiter's first event)
    ("send-vs-getn2.scn", "  local s0 = pev_source 0\n",
     "  local s0 = pev_source 0\n  local first = pev_user 0\n  expect first == 1\n",
     "first == 1"),
    ("send-vs-getn2.scn", "  local s0 = pev_source 0\n",
     "  local s0 = pev_source 0\n  local first = pev_user 0\n  expect first == 2\n",
     "first == 2"),
]


@pytest.mark.parametrize("scenario,old,new,needle", OUTCOMES,
                         ids=[f"{o[0]}:{o[3]}" for o in OUTCOMES])
def test_race_reaches_both_outcomes(simk, scn, scenario, old, new, needle):
    text = (PORTS / scenario).read_text()
    assert some_seed_fails(simk, forced(scn, text, old, new), needle)


def test_timer_create_vs_close_is_proved_by_dfs(simk):
    """Every interleaving of the create and the close (dfs with partial-order
    reduction, no preemption bound) ends with the close returned and every
    slot back: a timer listed after the close scanned its sources was never
    detached, and the closer waited for its slot forever."""
    r = simk("explore", PORTS / "timer-create-vs-close.scn", "--policy", "dfs",
             "--runs", 1000000, timeout=300)
    assert r.code == 0, r
    assert "the search is complete" in r.last and "all passed" in r.last, r.last


def test_ops_are_listed(simk):
    r = simk("help", "ops")
    assert r.code == 0, r
    for op in ("port_create", "port_send", "port_sendn", "port_alert", "port_associate",
               "port_dissociate", "port_watch", "port_unwatch", "port_get", "port_getn",
               "port_count", "port_dispatch", "port_limits", "port_stat", "timer_create",
               "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete"):
        assert op in r.out, op


def test_trace_shows_the_port_machinery(simk):
    r = simk("run", PORTS / "basics.scn")
    assert r.code == 0, r
    for ev in ("port:create", "port:send", "port:deliver", "port:alert", "port:fd_fire",
               "port:file_fire", "ptimer:expire", "port:closed", "port:free"):
        assert ev in r.out, ev


def test_a_lost_event_fails_the_run(simk, scn):
    """The end-of-run check: an event left queued in a port whose
    descriptor is never closed is discarded at process exit and accounted;
    a waiter left sleeping forever is a deadlock."""
    p = scn("thread t\n  local p = port_create\n  local r = port_send p 1 1\n"
            "  r = port_getn p 4 2\n")
    r = simk("run", p, "--quiet")
    assert r.code == 4 and "port_getn" in r.last, r


def test_leaving_ports_and_timers_to_process_exit_is_clean(simk, scn):
    p = scn("thread t\n  local p = port_create\n  local r = port_send p 1 1\n"
            "  local tm = timer_create SIGEV_PORT port=p\n"
            "  r = timer_settime tm 10us interval=10us\n  delay 55us\n"
            "  r = port_alert p PORT_ALERT_SET 1\n"
            "finally\n  local live = port_stat \"ports_live\"\n  expect live == 0\n"
            "  local s = port_stat \"slots_live\"\n  expect s == 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


def test_argument_errors_in_scenarios(simk, scn):
    p = scn("thread t\n"
            "  local r = port_send 5 1\n  expect r == -EBADF\n"
            "  local p = port_create\n"
            "  r = port_alert p PORT_ALERT_SET + PORT_ALERT_UPDATE 1\n  expect r == -EINVAL\n"
            "  r = port_getn p 1 2\n  expect r == -EINVAL\n"
            "  r = port_get p timeout=1us\n  expect r == -ETIME\n"
            "  r = port_associate p 77 POLLIN\n  expect r == -EBADF\n"
            "  r = port_dissociate p 0\n  expect r == -EBADF || r == -ENOENT\n"
            "  r = port_unwatch p\n  expect r == -ENOENT\n"
            "  r = timer_create 99\n  expect r == -EINVAL\n"
            "  r = timer_create SIGEV_PORT port=77\n  expect r == -EBADF\n"
            "  r = timer_delete 3\n  expect r == -EINVAL\n"
            "  r = port_limits events=0\n  expect r == -EINVAL\n"
            "  r = port_limits ports=-1\n  expect r == -EINVAL\n"
            "  r = port_limits events=-1\n  expect r == -EINVAL\n"
            "  r = port_limits list=0x100000000\n  expect r == -EINVAL\n"
            "  r = close p\n  expect r == 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


@pytest.mark.parametrize("name", ["O0", "asan", "clang"])
@pytest.mark.parametrize("scenario", ["basics.scn", "close-vs-waiters.scn",
                                      "fork-noshare.scn", "timer-overrun.scn"])
def test_same_hash_across_builds(simk, name, scenario):
    assert_same_hash_across_builds(simk, name, PORTS / scenario)
