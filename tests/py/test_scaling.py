"""Work proportional to the work asked for: counted in operations, never
timed (the timings are `make bench`: build/bench/scaling)."""
import pytest

N = 5000


def test_kqueue_registrations_cost_constant_lookups_each(simk, scn):
    """20,000 registrations took 325 s: a fixed 64-bucket table and a
    consistency walk over every knote after each call (each walk doing a
    lookup per knote). Now the table grows and the walk stops at 64
    knotes outside the sanitizer build: a few compared knotes per lookup."""
    p = scn("thread t\n"
            "  local kq = kqueue\n"
            f"  repeat {N} as i\n"
            "    local r = kevent_add kq i EVFILT_USER flags=EV_CLEAR\n"
            "    expect r == 0\n"
            f"  repeat {N} as i\n"
            "    local r = kq_trigger kq i\n"
            "    expect r == 0\n"
            "  local steps = kq_stat \"lookup_steps\"\n"
            f"  expect steps < {4 * 2 * N}\n"
            "  local walked = kq_stat \"check_steps\"\n"
            f"  expect walked < {2 * 64 * 2 * N}\n"  # at most 64 knotes a check, not N
            "  local got = 0\n"
            f"  while got < {N}\n"
            "    local n = kevent kq max=16 timeout=0\n"
            "    expect n > 0\n"
            "    got += n\n"
            "  steps = close kq\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_many_runnable_threads_under_random_and_pct(simk, scn, policy):
    """Thousands of runnable threads at once (pct walked them all at each
    decision: 20,000 threads took 140 s); the choices are the same as
    the walk's (the sanitizer build compares them at every decision)."""
    p = scn("shared go = 0\nshared done = 0\nwaitqueue wq\n"
            "thread boss\n"
            f"  repeat {N}\n"
            "    local t = spawn w\n"
            "  go = 1\n"
            "  local r = wake wq\n"
            f"  while done < {N}\n"
            "    delay 1us\n"
            "thread w manual\n"
            "  while go == 0\n"
            "    local r = sleep wq timeout=1ms\n"
            "  yield\n"
            "  done += 1\n")
    r = simk("run", p, "--quiet", "--policy", policy, "--seed", 4, "--pct-steps", 20000)
    assert r.code == 0, r
