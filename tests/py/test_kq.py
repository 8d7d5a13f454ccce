"""kqueue: the race scenarios of scenarios/kq/ explored under random and
PCT (>= 1,000 seeds each; every run also passes kqueue's end-of-run leak
check: no knote, kqueue or timer left), plus the scenario operations."""
import re

import pytest

from conftest import SCENARIOS

KQ = SCENARIOS / "kq"
RACES = [
    "two-scanners.scn",
    "activate-during-scan.scn",
    "delete-vs-timer.scn",
    "close-vs-register.scn",
    "track-fork-early-exit.scn",
    "track-fork-vs-register.scn",
    "dispatch-reenable.scn",
    "port-close-vs-register.scn",
]
RUNS = 1000


def test_every_race_scenario_is_listed():
    assert sorted(p.name for p in KQ.glob("*.scn")) == sorted(RACES)


@pytest.mark.parametrize("policy", ["random", "pct"])
@pytest.mark.parametrize("name", RACES)
def test_race_scenario_explored(simk, name, policy):
    r = simk("explore", KQ / name, "--runs", RUNS, "--policy", policy, "--quiet")
    assert r.code == 0, r
    m = re.match(rf"explored {RUNS} runs \(policy {policy}, seeds 1\.\.{RUNS}.*\): all passed, "
                 r"distinct hashes=(\d+)", r.last)
    assert m, r.last
    # the seeds really interleave differently
    assert int(m.group(1)) > RUNS // 20, r.last


@pytest.mark.parametrize("name", ["two-scanners.scn", "track-fork-early-exit.scn",
                                  "track-fork-vs-register.scn"])
def test_race_scenario_is_deterministic(simk, name):
    r = simk("check-determinism", KQ / name, "--seed", 7, "--policy", "random")
    assert r.code == 0, r


def test_broken_expectation_is_caught(simk, scn):
    # A one-shot event is returned once: expecting it twice must fail.
    p = scn(
        "thread t\n"
        "  local kq = kqueue\n"
        "  local r = kevent_add kq 1 EVFILT_USER flags=EV_ONESHOT fflags=NOTE_TRIGGER\n"
        "  local n = kevent kq timeout=0\n"
        "  expect n == 1\n"
        "  n = kevent kq timeout=0\n"
        "  expect n == 1\n"
    )
    r = simk("run", p, "--quiet")
    assert r.code == 1, r
    assert "expect failed: n == 1 (0 == 1" in r.last


def test_scenario_operations(simk, scn):
    p = scn(
        "thread t\n"
        "  local kq = kqueue\n"
        "  local r = kevent_add kq 5 EVFILT_USER udata=42\n"
        "  expect r == 0\n"
        "  r = kevent_add kq 1 0\n"
        "  expect r == -EINVAL\n"
        "  r = kevent_change kq 6 EVFILT_USER EV_DELETE\n"
        "  expect r == -ENOENT\n"
        "  r = kq_trigger kq 5 fflags=NOTE_FFCOPY+3\n"
        "  r = kq_pending kq\n"
        "  expect r == 1\n"
        "  local id = 0\n"
        "  local ff = 0\n"
        "  local n = kevent kq max=4 timeout=0 ident=id fflags=ff\n"
        "  expect n == 1 && id == 5 && ff == 3\n"
        "  local u = 0\n"
        "  r = kev_get 0 udata=u\n"
        "  expect r == 0 && u == 42\n"
        "  r = kev_get 1\n"
        "  expect r == -EINVAL\n"
        "  r = kevent_change kq 5 EVFILT_USER EV_DELETE\n"
        "  r = kevent_add kq 1 EVFILT_TIMER flags=EV_ONESHOT data=2\n"
        "  local t0 = now\n"
        "  n = kevent kq ident=id\n"
        "  local t1 = now\n"
        "  expect n == 1 && id == 1 && t1 - t0 == 2ms\n"
        "  r = kq_timers\n"
        "  expect r == 0\n"
        "  local a = 0\n"
        "  local b = 0\n"
        "  r = socketpair a b\n"
        "  r = kevent_add kq b EVFILT_EXCEPT fflags=NOTE_OOB\n"
        "  r = sock_send a \"hi!\" flags=MSG_OOB\n"
        "  expect r == 3\n"
        "  n = kevent kq max=4 timeout=0 ident=id fflags=ff\n"
        "  expect n == 1 && id == b && ff == NOTE_OOB\n"
        "  r = sock_recv b 1 flags=MSG_OOB\n"
        "  expect r == 1\n"
        "  r = shutdown a SHUT_WR\n"
        "  r = sock_recv b 10\n"
        "  expect r == 2\n"
        "  r = bit 6 1\n"
        "  expect r == 1\n"
        "  r = kq_knotes\n"
        "  expect r == 1\n"
        "  r = close kq\n"
        "  r = kq_knotes\n"
        "  expect r == 0\n"
    )
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


def forced(scn, text, old, new, after=""):
    """The scenario with the first `old` after `after` replaced by `new`."""
    head, sep, tail = text.partition(after) if after else ("", "", text)
    assert old in tail, old
    return scn(head + sep + tail.replace(old, new, 1))


def some_seed_fails(simk, path, needle, runs=RUNS):
    for policy in ("random", "pct"):
        r = simk("explore", path, "--runs", runs, "--policy", policy, "--quiet", timeout=300)
        if r.code == 1:
            assert needle in r.last, r
            return True
    return False


# Each race has (at least) two outcomes; forbidding either one must make
# some seed fail, which shows that exploration really reaches the race and
# that the scenario's own checks are not passing vacuously.
OUTCOMES = [
    # registration vs close: the add succeeds, or meets the closed fd
    ("close-vs-register.scn", "", "  expect r == 0 || r == -EBADF\n",
     "  expect r == 0\n", "r == 0"),
    ("close-vs-register.scn", "", "  expect r == 0 || r == -EBADF\n",
     "  expect r == -EBADF\n", "r == -EBADF"),
    # EV_DELETE vs the one-shot timer's expiry: deleted first, or fired first
    ("delete-vs-timer.scn", "", "  expect r == 0 || r == -ENOENT",
     "  expect r == 0", "r == 0"),
    ("delete-vs-timer.scn", "", "  expect r == 0 || r == -ENOENT",
     "  expect r == -ENOENT", "r == -ENOENT"),
    # NOTE_TRACK with an early exit: tracked, or NOTE_TRACKERR
    ("track-fork-early-exit.scn", "", "  expect trackerr + g2exit == 1\n",
     "  expect trackerr == 0\n", "trackerr == 0"),
    ("track-fork-early-exit.scn", "", "  expect trackerr + g2exit == 1\n",
     "  expect trackerr == 1\n", "trackerr == 1"),
    # ... and the fork's NOTE_TRACK step sometimes waits for the registration
    # lock (held by the noisy thread), then registers recursively
    ("track-fork-early-exit.scn", "", "  expect w >= 0\n", "  expect w == 0\n", "w == 0"),
    # NOTE_TRACK vs a registrar modifying the tracking knote: the fork waits
    # for the lock the registrar holds while it owns (or waits for) the
    # knote; lock-then-knote makes that safe (knote-then-lock deadlocks)
    ("track-fork-vs-register.scn", "", "  expect w >= 0\n", "  expect w == 0\n", "w == 0"),
    # activate during scan: a knote returned by a call still scanning is
    # triggered again (not returned twice by that call: the scan asserts
    # it), and such a knote is returned by a later call
    ("activate-during-scan.scn", "", "  expect rl <= ra", "  expect ra == 0", "ra == 0"),
    ("activate-during-scan.scn", "", "  expect rl <= ra", "  expect rl == 0", "rl == 0"),
    # close vs register: the knote is dropped by the close observer, or by
    # the registration's own fd_is check (attached after the close ran)
    ("close-vs-register.scn", "", "  expect byclose + byfdis <= 1",
     "  expect byclose == 0", "byclose == 0"),
    ("close-vs-register.scn", "", "  expect byclose + byfdis <= 1",
     "  expect byfdis == 0", "byfdis == 0"),
    # EV_DISPATCH re-enable vs trigger: triggers coalesce while disabled, or not
    ("dispatch-reenable.scn", "", "  expect total == 15 && nev <= 4\n",
     "  expect total == 15 && nev == 4\n", "nev == 4"),
    ("dispatch-reenable.scn", "", "  expect total == 15 && nev <= 4\n",
     "  expect total == 15 && nev < 4\n", "nev < 4"),
    # two scanners: each of them takes some one-shot event
    ("two-scanners.scn", "thread scanner_a manual", "        got += 1\n",
     "        got += 1\n        expect id == 0\n", "id == 0"),
    ("two-scanners.scn", "thread scanner_b manual", "        got += 1\n",
     "        got += 1\n        expect id == 0\n", "id == 0"),
]


@pytest.mark.parametrize("name,after,old,new,needle", OUTCOMES,
                         ids=[f"{o[0]}:{o[1] or 'all'}:{o[4]}" for o in OUTCOMES])
def test_race_reaches_each_outcome(simk, scn, name, after, old, new, needle):
    text = (KQ / name).read_text()
    assert some_seed_fails(simk, forced(scn, text, old, new, after), needle)


@pytest.mark.parametrize("name", ["O0", "asan", "clang"])
@pytest.mark.parametrize("scenario", RACES)
def test_same_hash_across_builds(simk, name, scenario):
    """Every kqueue scenario gives the same outcome and hash under -O0, clang
    and ASan+UBSan (where LeakSanitizer is on: a host leak fails the run)."""
    from conftest import variant
    other = variant(name)
    if other is None:
        pytest.skip(f"build/{name}/simk not built (make test builds it)")
    for seed in (1, 7):
        base = simk("run", KQ / scenario, "--quiet", "--seed", seed, "--policy", "random")
        r = simk("run", KQ / scenario, "--quiet", "--seed", seed, "--policy", "random",
                 binary=other)
        assert "Sanitizer" not in r.err and "runtime error:" not in r.err, r.err[-3000:]
        assert (r.code, r.hash, r.last) == (base.code, base.hash, base.last), (r, base)


def test_fd_is_drop_leaks_nothing(simk, scn):
    """A run in which the fd_is check dropped the knote (found by forcing
    that outcome to fail) passes unforced: its expectations (no knote on
    the closed descriptor, one WRITE knote left, none after the close) and
    kqueue's and kmem's end-of-run leak checks. The forced line is an
    `expect`, which takes no switch point, so the schedule is the same (the
    trace shows the drop)."""
    text = (KQ / "close-vs-register.scn").read_text()
    path = forced(scn, text, "  expect byclose + byfdis <= 1", "  expect byfdis == 0")
    found = 0
    for policy in ("random", "pct"):
        r = simk("explore", path, "--runs", RUNS, "--policy", policy, "--quiet")
        assert r.code == 1 and "byfdis == 0 (1 == 0" in r.last, r
        seed = re.match(r"FAIL seed=(\d+) ", r.last).group(1)
        ok = simk("run", KQ / "close-vs-register.scn", "--seed", seed, "--policy", policy)
        assert ok.code == 0 and ok.last.startswith("PASS"), ok.last
        assert "kq:attach_closed" in ok.out  # the same run: the fd_is drop
        found += 1
    assert found == 2
