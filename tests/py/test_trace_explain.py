"""A failing `simk run` prints "how we got here" (docs/tracing.md): the
causal chain that ends at the failure. For every lab in labs/scenario and
every scenario kept as an example of a bug, the chain of the first failing
seed is non-empty and ends at the failing line: the failed expectation's
line, or, for a deadlock, the line where each sleeper went to sleep."""
import re

import pytest

from conftest import ROOT, SCENARIOS

LABS = sorted((ROOT / "labs" / "scenario").glob("*/broken.scn"))
# examples of bugs that random or pct finds (not those that need --policy dfs)
BUGS = sorted(p for p in SCENARIOS.rglob("*.scn")
              if "# simk: expect-failure" in p.read_text() and "--policy dfs" not in p.read_text())


def first_failure(simk, path):
    for policy in ("random", "pct"):
        r = simk("explore", path, "--runs", 1000, "--policy", policy, "--quiet", timeout=300)
        m = re.search(r"^reproduce: \S+ (run .*)$", r.out + r.err, re.M)
        if r.code != 0 and m:
            return m.group(1).split()[1:]
    pytest.fail(f"{path}: no failing seed")


def chain_of(err):
    m = re.search(r"^how we got here .*?\n(.*?)^ +=> (.*)$", err, re.M | re.S)
    assert m, err
    return m.group(1), m.group(2).strip()


@pytest.mark.parametrize("path", LABS + BUGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_chain_ends_at_the_failing_line(simk, path):
    args = first_failure(simk, path)
    r = simk("run", *args)
    assert r.code != 0, r
    chain, reason = chain_of(r.err)
    steps = re.findall(r"^ +\d+ns +.*$", chain, re.M)
    assert steps, r.err
    name = path.name
    if reason.startswith("deadlock"):
        # each sleeper's sleep: where the scenario threads say it sleeps
        sleeps = re.findall(rf"sleeps on .* at \S*{re.escape(name)}:(\d+):", r.err)
        assert sleeps, r.err
        for line in sleeps:
            assert f"[{name}:{line}]" in chain, (line, chain)
    else:
        # the line of the expectation (its reason says) or of the thread
        # that failed (the scenario threads say)
        m = re.search(rf"{re.escape(name)}:(\d+):\d+: ", reason) or \
            re.search(rf"failed at \S*{re.escape(name)}:(\d+):", r.err)
        assert m, (reason, r.err)
        last = steps[-1]
        assert "FAIL" in last and last.endswith(f"[{name}:{m.group(1)}]"), (last, reason)
    # the chain crosses threads or devices when the failure needs more than one
    if re.search(r"^ +\d+ns +(reads|woken|carried|signal) ", chain, re.M) is None:
        threads = {re.search(r" (T\d+|irq) ", s).group(1) for s in steps}
        assert "!! " in chain or len(threads) == 1, chain


def test_a_lost_update_is_named(simk):
    r = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2)
    chain, _ = chain_of(r.err)
    assert "!! lost update" in chain, chain
    assert re.search(r"race +T1 a +counter = 4  \[racy-counter\.scn:20\]", chain), chain


def test_a_missed_wake_up_is_named(simk):
    r = simk("run", SCENARIOS / "lost-wakeup.scn", "--seed", 11)
    assert r.code == 4, r
    chain, _ = chain_of(r.err)
    assert "!! stale" in chain and "!! missed" in chain, chain
    assert re.search(r"race +T1 waker +wake\(wq\)  \[lost-wakeup\.scn:\d+\]", chain), chain


def test_quiet_prints_no_chain_and_the_result_stays_last(simk):
    r = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2, "--quiet")
    assert "how we got here" not in r.err and r.last.startswith("FAIL")
    r = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2)
    assert r.last.startswith("FAIL")


def test_an_aio_request_is_followed_through_the_device_and_back(simk):
    """Request ids tie the layers (docs/tracing.md, "Adding an event"): the
    chain of lab 07's failure goes from io_submit's laio#1 to its direct
    I/O dio#1, the device requests it made, their interrupt, the direct
    I/O's end (naming the device request that ended it), the AIO event and
    the io_getevents it woke."""
    from conftest import ROOT
    lab = ROOT / "labs" / "scenario" / "07-aio-getevents" / "broken.scn"
    r = simk("run", lab, "--seed", 1)
    assert r.code == 1
    chain = r.err.split("how we got here", 1)[1]
    steps = [
        r"laio:submit laio#1 IOCB_CMD_PWRITE",
        r"vfs:dio dio#1 write",
        r"blk:submit write dev1 sector \d+ count 8 blk#(\d+)",
        r"carried irq +blk:done write dev1 sector \d+ 0 blk#\1",
        r"carried irq +vfs:dio_done dio#1 write 4096 blk#\d+",
        r"carried irq +laio:event laio#1 res 4096",
        r"woken +T1 app +io_getevents = 1",
    ]
    assert re.search(r"[\s\S]*?".join(steps), chain), chain
