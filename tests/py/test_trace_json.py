"""`simk run --trace-out F.json` (docs/tracing.md "Perfetto"): the
trace-event format's rules hold for every scenario in scenarios/ — every B
has its E on the same track, flow ids pair up (one start, one end, the
start first), timestamps never go back on a track — and the content is
there: a virtual-time axis with no two events at one timestamp, named
tracks, decoded args on every event, device lanes, cause arrows."""
import json
from collections import Counter, defaultdict

import pytest

from conftest import SCENARIOS

ALL_SCENARIOS = sorted(SCENARIOS.rglob("*.scn"))


def check_trace_events(doc):
    """The format rules; returns the events. Raises AssertionError naming the
    first broken rule."""
    evs = doc["traceEvents"]
    assert isinstance(evs, list) and evs
    stacks = defaultdict(list)
    last_ts = {}
    flows = defaultdict(list)
    named = set()
    for k, e in enumerate(evs):
        ph = e["ph"]
        if ph == "M":
            if e["name"] == "thread_name":
                named.add((e["pid"], e["tid"]))
            continue
        for field in ("name", "pid", "tid", "ts"):
            assert field in e, (k, field, e)
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
        track = (e["pid"], e["tid"])
        if ph in ("s", "f"):
            flows[e["id"]].append(e)
            continue
        assert track in named, ("unnamed track", e)
        assert e["ts"] >= last_ts.get(track, 0), ("time goes back on a track", e)
        last_ts[track] = e["ts"]
        if ph == "B":
            stacks[track].append(e)
        elif ph == "E":
            assert stacks[track], ("E without B", e)
            b = stacks[track].pop()
            assert b["name"] == e["name"], ("E closes another slice", b, e)
        elif ph == "X":
            assert e["dur"] >= 0, e
        else:
            assert ph == "i", ("unexpected phase", e)
            assert e.get("s") in ("t", "g", "p"), e
    for track, st in stacks.items():
        assert not st, ("B without E", track, st[-1])
    for fid, pair in flows.items():
        assert sorted(x["ph"] for x in pair) == ["f", "s"], (fid, pair)
        s = next(x for x in pair if x["ph"] == "s")
        f = next(x for x in pair if x["ph"] == "f")
        assert s["ts"] <= f["ts"], ("flow ends before it starts", s, f)
    return evs


@pytest.mark.parametrize("path", ALL_SCENARIOS, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_scenario_exports_valid_trace_events(simk, path, tmp_path):
    out = tmp_path / "t.json"
    r = simk("run", path, "--trace-out", out, "--quiet")
    assert r.m, r
    doc = json.loads(out.read_text())
    assert doc["otherData"]["hash"] == r.hash
    evs = check_trace_events(doc)
    shown = [e for e in evs if e["ph"] in ("B", "i")]
    for e in shown:
        assert e["args"]["text"], e
    # the axis: one instant's events are spread, so no two share a timestamp
    stamps = Counter(e["ts"] for e in shown)
    assert max(stamps.values()) == 1, stamps.most_common(3)
    if not r.passed:
        assert any(e["ph"] == "i" and e.get("s") == "g" and e["name"].startswith("FAIL")
                   for e in evs)


def test_calls_are_slices_with_decoded_args_and_devices_have_lanes(simk, tmp_path):
    out = tmp_path / "t.json"
    r = simk("run", SCENARIOS / "vfs" / "files.scn", "--trace-out", out, "--quiet")
    assert r.passed, r
    evs = check_trace_events(json.loads(out.read_text()))
    opens = [e for e in evs if e["ph"] == "B" and e["name"] == "open"]
    assert any('open("/d/f", O_RDWR|O_CREAT|O_EXCL' in e["args"]["text"] for e in opens), opens
    ends = [e for e in evs if e["ph"] == "E" and e["name"] == "open" and "args" in e]
    assert any(e["args"]["text"].endswith("-EEXIST") for e in ends), ends
    b = {e["args"]["seq"]: e for e in evs if e["ph"] == "B" and "args" in e}
    # a call that sleeps lasts: some slice has a duration
    durations = []
    stack = {}
    for e in evs:
        if e["ph"] == "B":
            stack[(e["pid"], e["tid"])] = e["ts"]
        elif e["ph"] == "E":
            durations.append(e["ts"] - stack.pop((e["pid"], e["tid"])))
    assert max(durations) > 1.0, durations
    assert b
    lanes = [e for e in evs if e["ph"] == "X" and e["cat"] == "device"]
    assert lanes and all(e["name"].startswith("blk#") for e in lanes), lanes[:3]
    flows = [e for e in evs if e["ph"] == "s"]
    assert {"woken", "carried"} <= {e["name"] for e in flows}, Counter(e["name"] for e in flows)
