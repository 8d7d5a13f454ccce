"""POSIX AIO scenarios (scenarios/paio/): the races of the worker pool,
cancellation, aio_fsync, lio_listio and the notifications, each explored
with 1,000 seeds under the random and the PCT policy; every request ends
exactly once (the subsystem's end-of-run check fails a run otherwise).
Forcing one outcome of a race shows that every outcome really happens.
SIGEV_PORT completing while the port closes is port-close.scn (and, at the
C level, tests/unit/test_paio_races.c)."""
import pytest

from conftest import SCENARIOS

PAIO = SCENARIOS / "paio"
ALL = [
    "cancel-vs-pickup.scn",
    "cancel-pipe-read.scn",
    "fsync-spread.scn",
    "lio-nowait-notify.scn",
    "worker-creation.scn",
    "kevent-oneshot.scn",
    "port-close.scn",
]
RUNS = 1000


def test_every_posix_aio_scenario_is_covered():
    assert {p.name for p in PAIO.glob("*.scn")} == set(ALL)


@pytest.mark.parametrize("scenario", ALL)
def test_passes_with_its_own_options(simk, scenario):
    r = simk("run", PAIO / scenario, "--quiet")
    assert r.code == 0 and r.passed, r


@pytest.mark.parametrize("scenario", ALL)
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_every_request_ends_once_under_explored_schedules(simk, scenario, policy):
    r = simk("explore", PAIO / scenario, "--runs", RUNS, "--policy", policy, "--quiet")
    assert r.code == 0, r
    assert f"explored {RUNS} runs" in r.last and "all passed" in r.last, r


@pytest.mark.parametrize("scenario", ALL)
def test_deterministic(simk, scenario):
    r = simk("check-determinism", PAIO / scenario)
    assert r.code == 0, r


def forced(scn, name, anchor, line):
    """The scenario with `line` inserted before `anchor` (a full line)."""
    text = (PAIO / name).read_text()
    assert anchor in text, anchor
    return scn(text.replace(anchor, line + anchor, 1))


@pytest.mark.parametrize("outcome", ["AIO_CANCELED", "AIO_NOTCANCELED"])
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_cancel_vs_pickup_sees_each_outcome(simk, scn, outcome, policy):
    """Forbidding one outcome makes some seed fail: both happen."""
    s = forced(scn, "cancel-vs-pickup.scn", "  local e = aio_error cb\n",
               f"  expect outcome != {outcome}\n")
    r = simk("explore", s, "--runs", 300, "--policy", policy, "--quiet")
    assert r.code == 1 and f"outcome != {outcome}" in r.last, r


@pytest.mark.parametrize("outcome", ["AIO_CANCELED", "AIO_NOTCANCELED", "AIO_ALLDONE"])
def test_cancel_pipe_read_sees_each_outcome(simk, scn, outcome):
    s = forced(scn, "cancel-pipe-read.scn", "  local n = aio_return cb\n",
               f"  expect outcome != {outcome}\n")
    r = simk("explore", s, "--runs", 300, "--quiet")
    assert r.code == 1 and f"outcome != {outcome}" in r.last, r


def test_canceled_pipe_read_sometimes_consumed_the_bytes(simk, scn):
    """The reference's window: a canceled read woken by the data before it
    unwound has taken the bytes (left == 0); other seeds leave them."""
    text = (PAIO / "cancel-pipe-read.scn").read_text()
    for want in ("0", "3"):
        s = scn(text.replace("    expect left == 0 || left == 3\n", f"    expect left == {want}\n"))
        r = simk("explore", s, "--runs", 300, "--quiet")
        assert r.code == 1 and f"left == {want}" in r.last, r


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_worker_creation_interleaves_with_submission(simk, scn, policy):
    """What a submitter sees after its two reads depends on the schedule:
    1, 2 and 3 workers all happen (never more: the scenario checks it)."""
    text = (PAIO / "worker-creation.scn").read_text()
    anchor = "  submitted += 1\n"
    for n in (1, 2, 3):
        s = scn(text.replace(anchor, f"  expect w != {n}\n" + anchor, 1))
        r = simk("explore", s, "--runs", 300, "--policy", policy, "--quiet")
        assert r.code == 1 and f"w != {n}" in r.last, r


def test_worker_creation_stops_at_max_workers(simk, scn):
    text = (PAIO / "worker-creation.scn").read_text()
    s = scn(text.replace("aio_pool pool min_workers=1 max_workers=3",
                         "aio_pool pool min_workers=1 max_workers=2"))
    r = simk("run", s, "--quiet")
    assert r.code == 1 and "workers == 3" in r.last, r


@pytest.mark.parametrize("forbid", ["events != 1", "events != 0", "outcome != AIO_CANCELED",
                                    "outcome != AIO_NOTCANCELED"])
def test_kevent_oneshot_sees_each_outcome(simk, scn, forbid):
    """The event is retrieved (once) or gone with the reaped request; the
    cancel wins or loses; every combination is reached."""
    s = forced(scn, "kevent-oneshot.scn", "  # the knote went with the request: nothing left to collect\n",
               f"  expect {forbid}\n")
    r = simk("explore", s, "--runs", 500, "--quiet")
    assert r.code == 1 and forbid in r.last, r


def test_lio_notification_never_precedes_the_last_entry(simk, scn):
    """Taking the signal early (before the entries are done) is what the
    scenario rules out; asserting it did come early fails every seed."""
    s = forced(scn, "lio-nowait-notify.scn", "  sigunblock SIGRTMIN\n",
               "  expect e0 == EINPROGRESS || e1 == EINPROGRESS || e2 == EINPROGRESS\n")
    r = simk("explore", s, "--runs", 200, "--quiet")
    assert r.code == 1 and "expect failed" in r.last, r


OPS_TOUR = """
seed 1
device disk latency=10us
fs root disk
aio_pool pool min_workers=2 max_workers=4 min_workload=1
aiocb a size=512
aiocb b size=512
aiocb f size=0
aiolist l 2
shared ran = 0
shared fd = -1

thread main_t
  fd = open "/f" O_CREAT + O_RDWR
  aio_buf_fill a 9
  local r = aio_write a fd len=512
  expect r == 0
  aiolist_set l 0 a
  r = aio_suspend l n=1
  expect r == 0
  local st = aio_state a ret=r
  expect st == AIOCB_DONE && r == 512
  r = aio_return a
  expect r == 512
  st = aio_state a
  expect st == AIOCB_RETURNED
  # SIGEV_NONE requests are collected by aio_waitn
  r = aio_read b fd len=512
  expect r == 0
  local got = 0
  r = aio_waitn l 1 got=got
  expect r == 0 && got == 1
  local first = aiolist_get l 0
  local addr = aio_addr b
  expect first == addr
  r = aio_return b
  expect r == 512
  local nines = aio_buf_count b 9
  expect nines == 512
  # SIGEV_THREAD runs a thread body of the scenario
  aio_notify f SIGEV_THREAD thread=notified
  r = aio_fsync f fd op=O_DSYNC
  expect r == 0
  aiolist_set l 0 f
  r = aio_suspend l n=1
  expect r == 0
  r = aio_return f
  expect r == 0
  while ran == 0
    delay 10us
  # the Solaris interface on the aiocb's aio_resultp
  r = aioread fd a len=100 off=12
  expect r == 0
  local res = aiowait
  local ra = aio_resaddr a
  expect res == ra
  aio_state a ret=r
  expect r == 100
  res = aiowait timeout=1ms
  expect res == -EINVAL
  r = aio_cancel fd
  expect r == AIO_ALLDONE
  local w = 0
  local sub = 0
  paio_stats workers=w
  paio_counts submitted=sub
  expect w == 2 && sub == 4
  close fd

thread notified manual
  ran = 1
"""


def test_scenario_operations_tour(simk, scn):
    """aio_state, aio_waitn, aiolist_get, aio_addr, SIGEV_THREAD running a
    scenario body, aioread/aiowait on aio_resaddr, the counters."""
    r = simk("run", scn(OPS_TOUR), "--quiet")
    assert r.code == 0 and r.passed, r
    r = simk("explore", scn(OPS_TOUR), "--runs", 200, "--policy", "random", "--quiet")
    assert r.code == 0, r


def test_aio_pool_rejects_bad_settings(simk, scn):
    r = simk("run", scn("aio_pool p min_workers=0\nthread t\n  pass\n"), "--quiet")
    assert r.code != 0, r


@pytest.mark.parametrize("build", ["O0", "asan", "clang"])
@pytest.mark.parametrize("scenario", ALL)
def test_same_hash_across_builds(simk, build, scenario):
    from conftest import variant
    other = variant(build)
    if other is None:
        pytest.skip(f"build/{build}/simk not built (make test builds it)")
    for policy, seed in (("random", 3), ("pct", 4)):
        args = ("run", PAIO / scenario, "--quiet", "--seed", seed, "--policy", policy)
        base, r = simk(*args), simk(*args, binary=other)
        assert r.code == base.code == 0, (r, base)
        assert r.hash == base.hash, (r, base)


@pytest.mark.parametrize("forbid", ["got == 1", "got == 0"])
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_port_close_sees_both_fates_of_the_notification(simk, scn, forbid, policy):
    """Retrieved before the close, and lost with the port: both happen."""
    s = forced(scn, "port-close.scn", "  close rd\n", f"  expect !({forbid})\n")
    r = simk("explore", s, "--runs", RUNS, "--policy", policy, "--quiet")
    assert r.code == 1, r
