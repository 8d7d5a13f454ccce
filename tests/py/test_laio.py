"""Linux AIO scenarios (scenarios/laio/): the races of the reference
explored under random and PCT schedules (1,000 seeds each), never losing or
duplicating an event; each race really goes both ways (forcing one outcome
makes some seed fail); determinism; the scenario operations' surface."""
import pytest

from conftest import SCENARIOS, assert_same_hash_across_builds, forced, some_seed_fails

AIO = SCENARIOS / "laio"
RACES = ["two-getevents.scn", "completion-vs-timeout.scn", "cancel-vs-completion.scn",
         "destroy-inflight.scn", "kick-while-running.scn", "ring-full-reaper.scn",
         "close-inflight.scn", "device-faults.scn"]
ALL = RACES + ["basics.scn"]
# teaching examples of a bug (tests/py/test_exploration.py)
FAILING = ["completion-order.scn"]


def test_every_linux_aio_scenario_is_covered():
    assert {p.name for p in AIO.glob("*.scn")} == set(ALL + FAILING)


@pytest.mark.parametrize("scenario", ALL)
def test_passes_with_its_own_options(simk, scenario):
    r = simk("run", AIO / scenario, "--quiet")
    assert r.code == 0 and r.passed, r


@pytest.mark.parametrize("scenario", RACES)
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_race_never_loses_or_duplicates_an_event(simk, scenario, policy):
    r = simk("explore", AIO / scenario, "--runs", 1000, "--policy", policy, timeout=300)
    assert r.code == 0, r
    assert r.last.startswith("explored 1000 runs") and "all passed" in r.last, r.last


@pytest.mark.parametrize("scenario", ALL)
def test_deterministic(simk, scenario):
    r = simk("check-determinism", AIO / scenario, "--seed", 3)
    assert r.code == 0, r


# Each race has two outcomes; forcing either one must fail some seed,
# which shows that exploration reaches both.
OUTCOMES = [
    ("two-getevents.scn", "  got += n\n  done += 1\n\nthread waiter2",
     "  expect n == 0\n  got += n\n  done += 1\n\nthread waiter2", "n == 0"),
    ("two-getevents.scn", "  got += n\n  done += 1\n\nthread waiter2",
     "  expect n == 1\n  got += n\n  done += 1\n\nthread waiter2", "n == 1"),
    ("completion-vs-timeout.scn", "  first = n\n", "  first = n\n  expect first == 1\n",
     "first == 1"),
    ("completion-vs-timeout.scn", "  first = n\n", "  first = n\n  expect first == 0\n",
     "first == 0"),
    ("cancel-vs-completion.scn", "  expect events + cancelled == 1\n",
     "  expect cancelled == 1\n", "cancelled == 1"),
    ("cancel-vs-completion.scn", "  expect events + cancelled == 1\n",
     "  expect cancelled == 0\n", "cancelled == 0"),
    ("destroy-inflight.scn", "  expect s == e + t\n", "  expect t == 0\n", "t == 0"),
    ("destroy-inflight.scn", "  expect n == -EINVAL || (n >= 0 && n <= 4)\n",
     "  expect n != -EINVAL\n", "n != -EINVAL"),
    ("kick-while-running.scn", "  r = io_destroy ctx\n",
     "  local k = aio_stat \"kicks_running\"\n  expect k == 0\n  r = io_destroy ctx\n",
     "k == 0"),
    ("ring-full-reaper.scn", "      expect r == -EAGAIN\n", "      expect r == 1\n",
     "r == 1"),
    ("close-inflight.scn", "  expect r == 1 || r == -EBADF\n", "  expect r == 1\n",
     "r == 1"),
    ("close-inflight.scn", "  expect r == 1 || r == -EBADF\n", "  expect r == -EBADF\n",
     "r == -EBADF"),
    ("close-inflight.scn", "  r = io_destroy ctx\n",
     "  local f = aio_stat \"deferred_fputs\"\n  expect f == 0\n  r = io_destroy ctx\n",
     "f == 0"),
    ("device-faults.scn", "        expect res == 4096 || res == 0 || res == -EIO\n",
     "        expect res != -EIO\n", "res != -EIO"),
]


@pytest.mark.parametrize("scenario,old,new,needle", OUTCOMES,
                         ids=[f"{o[0]}:{o[3]}" for o in OUTCOMES])
def test_race_reaches_both_outcomes(simk, scn, scenario, old, new, needle):
    text = (AIO / scenario).read_text()
    assert some_seed_fails(simk, forced(scn, text, old, new), needle)


def test_reproducer_of_a_forced_failure_replays(simk, scn):
    text = (AIO / "cancel-vs-completion.scn").read_text()
    p = forced(scn, text, "  expect events + cancelled == 1\n", "  expect cancelled == 0\n")
    r = simk("explore", p, "--runs", 500, "--policy", "random")
    assert r.code == 1, r
    seed = r.last.split()[1].split("=")[1]
    again = simk("run", p, "--seed", seed, "--policy", "random", "--quiet")
    assert again.code == 1 and again.last == r.last, (again, r)


def test_trace_shows_the_aio_machinery(simk):
    r = simk("run", AIO / "kick-while-running.scn")
    assert r.code == 0, r
    for ev in ("laio:setup", "laio:submit", "laio:kick", "laio:retry", "laio:event",
               "laio:end", "laio:free"):
        assert ev in r.out, ev


def test_aio_sysctl_sets_the_limit(simk, scn):
    p = scn("aio_sysctl l max_nr=10\nthread t\n  local a = io_setup 10\n  expect a > 0\n"
            "  local b = io_setup 1\n  expect b == -EAGAIN\n  local m = aio_max_nr 20\n"
            "  expect m == 10\n  b = io_setup 10\n  expect b > 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


def test_argument_errors_in_scenarios(simk, scn):
    p = scn("thread t\n"
            "  local c = io_setup 0\n  expect c == -EINVAL\n"
            "  c = io_setup 4\n"
            "  local cb = iocb IOCB_CMD_PREAD 99 len=8\n"
            "  local r = io_submit c cb\n  expect r == -EBADF\n"
            "  local e = eventfd 0\n"
            "  cb = iocb IOCB_CMD_NOOP e len=8\n"
            "  r = io_submit c cb\n  expect r == -EINVAL\n"
            "  r = io_getevents c 2 1\n  expect r == -EINVAL\n"
            "  r = io_cancel c cb\n  expect r == -EINVAL\n"
            "  r = io_getevents c 1 1 timeout=1ms\n  expect r == 0\n"
            "  r = io_destroy c\n  expect r == 0\n"
            "  r = io_destroy c\n  expect r == -EINVAL\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


def test_leaving_a_context_to_process_exit_is_clean(simk, scn):
    """No io_destroy: process exit tears the context down, requests in
    flight included, and the run's leak check passes."""
    p = scn("buffer b 64\nthread t\n  local rd = -1\n  local wr = -1\n"
            "  local r = pipe rd wr\n  local c = io_setup 4\n"
            "  local cb = iocb IOCB_CMD_PREAD rd len=8\n  r = io_submit c cb\n"
            "  expect r == 1\n"
            "finally\n  local n = aio_nr\n  expect n == 0\n"
            "  local torn = aio_stat \"ended_torn\"\n  expect torn == 1\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0, r


@pytest.mark.parametrize("name", ["O0", "asan", "clang"])
@pytest.mark.parametrize("scenario", ["basics.scn", "cancel-vs-completion.scn",
                                      "destroy-inflight.scn", "kick-while-running.scn"])
def test_same_hash_across_builds(simk, name, scenario):
    assert_same_hash_across_builds(simk, name, AIO / scenario)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_allocation_failure_in_io_setup_and_iocb_is_enomem(simk, scn, k):
    """The argument blocks io_setup and iocb build in user memory come from
    kmem: when that allocation fails the operation returns -ENOMEM (it
    panicked, exit 3). The k-th allocation of each call fails in turn."""
    body = ("device disk\nfs root disk\n"
            "thread t\n"
            "  local fd = open \"/f\" O_CREAT + O_RDWR\n"
            "  expect fd >= 0\n"
            "  aio_fault \"kmem/alloc/enomem:nth=%d\"\n"
            "  local r = %s\n"
            "  expect r > 0 || r == -ENOMEM\n"
            "  print r\n")
    for call in ("io_setup 8", "iocb IOCB_CMD_PWRITE fd", "iocb IOCB_CMD_PWRITEV fd nvec=4"):
        r = simk("run", scn(body % (k, call)))
        assert r.code == 0, (call, r)
        if k == 1:  # the very first allocation of the call
            assert "r -12" in r.out, (call, r.out)
