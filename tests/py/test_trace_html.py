"""`simk run --html-out F.html` (docs/tracing.md "HTML timeline"): one
self-contained file (no network, no external script) that headless
Chromium opens without a script error, showing one lane per thread plus
the interrupt lane, the calls, the causal arrows and the failure."""
import re
import shutil
import subprocess

import pytest

from conftest import SCENARIOS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(scripts/deps.sh test installs it)")


def chromium(tmp_path, *args):
    profile = tmp_path / "profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           f"--user-data-dir={profile}", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def open_page(simk, tmp_path, path, *opts):
    html = tmp_path / "run.html"
    r = simk("run", path, "--quiet", "--html-out", html, *opts)
    assert r.m, r
    page = html.read_text()
    dom = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    return r, page, dom.stdout, html


def test_a_failing_run_opens_offline_with_its_lanes_and_failure(simk, tmp_path):
    r, page, dom, html = open_page(simk, tmp_path, SCENARIOS / "racy-counter.scn", "--seed", 2)
    assert r.code == 1
    # self-contained: no external resource of any kind
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|@import|url\(http", page)
    assert set(re.findall(r"https?://[^'\" ]+", page)) <= {"http://www.w3.org/2000/svg"}
    # the renderer ran to its end without an error
    assert 'data-status="ok"' in dom, dom[-3000:]
    lanes = re.findall(r'<g class="lane" data-lane="([^"]+)"', dom)
    assert lanes == ["irq", "T1 a", "T2 b", "T3 finally"], lanes
    m = re.search(r'<div id="failure">FAIL: ([^<]*)</div>', dom)
    assert m and "racy-counter.scn:28:3: expect failed" in m.group(1), dom[-3000:]
    assert 'id="fail-line"' in dom and 'class="mark FAIL"' in dom
    assert re.search(r'<path [^>]*class="edge reads"', dom), "no causal arrow"
    shot = tmp_path / "shot.png"
    s = chromium(tmp_path, "--window-size=1200,600", f"--screenshot={shot}", html.as_uri())
    assert s.returncode == 0 and shot.stat().st_size > 1000


def test_a_passing_run_shows_calls_and_no_failure(simk, tmp_path):
    r, page, dom, _ = open_page(simk, tmp_path, SCENARIOS / "laio" / "basics.scn")
    assert r.passed
    assert 'data-status="ok"' in dom
    assert '<div id="failure" hidden="">' in dom or 'id="failure" hidden' in dom
    calls = re.findall(r'<rect [^>]*class="slice" data-call="([^"]*)"', dom)
    assert "io_submit" in calls and "io_getevents" in calls, calls[:20]
    # a call's source line is in the data the click shows
    assert re.search(r'"call":"io_submit"', page) and re.search(r'"line":\d+', page)


def test_html_out_does_not_change_the_run(simk, tmp_path):
    a = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2, "--quiet")
    b = simk("run", SCENARIOS / "racy-counter.scn", "--seed", 2, "--quiet",
             "--html-out", tmp_path / "x.html")
    assert a.hash == b.hash
    r = simk("run", SCENARIOS / "demo.scn", "--quiet", "--html-out", "/nonexistent/d/x.html")
    assert r.code == 2 and "cannot write /nonexistent/d/x.html" in r.err, r
