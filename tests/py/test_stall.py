"""A run whose threads all sleep while a periodic interrupt keeps firing is a
stall: it stops (exit 4) after max_steps idle interrupts instead of spinning
through hours of virtual time, and names the sleepers."""
STALL = """\
max_steps 5000
waitqueue wq
thread t
  local id = timer_create SIGEV_NONE
  local r = timer_settime id 1ms interval=1ms
  sleep wq
"""


def test_periodic_timer_with_everyone_asleep_is_a_stall(simk, scn):
    r = simk("run", scn(STALL), "--quiet")
    assert r.code == 4, r
    assert "stall: interrupts keep firing while every thread sleeps" in r.last, r
    assert "t(tid 1) sleeps on wq" in r.last, r


def test_a_waiter_that_the_timer_serves_is_not_a_stall(simk, scn):
    ok = STALL.replace("  sleep wq\n", "  delay 20ms\n  timer_delete id\n")
    r = simk("run", scn(ok), "--quiet")
    assert r.code == 0, r
