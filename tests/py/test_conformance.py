"""Behaviour the peer suites check (LTP's POSIX AIO tests, libaio's harness,
libkqueue's tests, FreeBSD's kqueue and pipe tests), written as our own
scenarios in scenarios/<subsystem>/conformance/. Each passes with its own
options and under other interleavings (random and PCT), and each really
checks something: breaking the expectation it was written for fails it."""
import pytest

from conftest import SCENARIOS, forced

CONFORMANCE = sorted(SCENARIOS.glob("*/conformance/*.scn"))
IDS = [f"{p.parent.parent.name}/{p.name}" for p in CONFORMANCE]


def test_there_are_conformance_scenarios():
    subsystems = {p.parent.parent.name for p in CONFORMANCE}
    assert {"kq", "paio", "laio"} <= subsystems, subsystems


@pytest.mark.parametrize("path", CONFORMANCE, ids=IDS)
def test_passes_with_its_own_options(simk, path):
    r = simk("run", path, "--quiet")
    assert r.code == 0 and r.passed, r


@pytest.mark.parametrize("policy", ["random", "pct"])
@pytest.mark.parametrize("path", CONFORMANCE, ids=IDS)
def test_passes_under_other_schedules(simk, path, policy):
    r = simk("explore", path, "--runs", 200, "--policy", policy, "--quiet", timeout=300)
    assert r.code == 0, r
    assert "all passed" in r.last, r.last


# (scenario, a line it has, that line made to expect the old, wrong
# behaviour): the scenario must then fail, so it checks what it claims.
BROKEN = [
    ("kq/conformance/proc-exit.scn", "  expect r == c1 && st == 64 << 8\n",
     "  expect r == c1 && st == 64\n"),
    ("kq/conformance/pipe.scn", "  expect (flags & EV_ERROR) != 0 && data == EPIPE\n  local filt = 0\n"
     "  n = kevent kq max=4 timeout=0 filter=filt flags=flags data=data\n"
     "  expect n == 1 && filt == EVFILT_READ && data == 0\n",
     "  expect (flags & EV_ERROR) != 0 && data == 0\n  local filt = 0\n"
     "  n = kevent kq max=4 timeout=0 filter=filt flags=flags data=data\n"
     "  expect n == 1 && filt == EVFILT_READ && data == 0\n"),
    ("kq/conformance/socket.scn", "  r = sock_recv a 1\n  n = kevent kq max=2 timeout=0\n  expect n == 0\n"
     "  r = sock_send a \"back\"",
     "  r = sock_recv a 1\n  n = kevent kq max=2 timeout=0\n  expect n == 1\n"
     "  r = sock_send a \"back\""),
    ("laio/conformance/partial-write.scn", "  expect res == 4000\n", "  expect res == -EFBIG\n"),
    ("paio/conformance/fsync-fields.scn", "  r = aio_fsync f fd prio=-1\n  expect r == 0\n",
     "  r = aio_fsync f fd prio=-1\n  expect r == -EINVAL\n"),
]


@pytest.mark.parametrize("name,old,new", BROKEN, ids=[b[0] for b in BROKEN])
def test_the_old_behaviour_fails(simk, scn, name, old, new):
    p = forced(scn, (SCENARIOS / name).read_text(), old, new)
    r = simk("run", p, "--quiet")
    assert r.code == 1, r
    assert "expect failed" in r.last, r.last
