"""scripts/deps.sh: each purpose checks its own package group (`make run`
needs only the build and run packages; `make test` adds the test ones) and
.ci/run installs them all. A fake dpkg-query reports every package missing,
so the script's --check report names each group's packages."""
import os
import subprocess

import pytest

from conftest import ROOT

DEPS = ROOT / "scripts" / "deps.sh"


def missing(tmp_path, *args):
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    (fake / "dpkg-query").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")
    r = subprocess.run(["bash", str(DEPS), *args, "--check"], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 1, r
    line = [l for l in r.stderr.splitlines() if l.startswith("simk: missing packages")][0]
    return set(line.split(": ", 2)[2].split())


def test_run_needs_only_the_compiler_and_libfiu(tmp_path):
    assert missing(tmp_path, "run") == {"build-essential", "libfiu-dev"}


def test_test_adds_the_test_tools_to_run(tmp_path):
    run, test = missing(tmp_path, "run"), missing(tmp_path, "test")
    assert run < test
    assert {"clang", "libcriterion-dev", "python3-pytest", "pkg-config"} <= test


@pytest.mark.parametrize("group", ["bench", "fuzz"])
def test_all_is_every_group(tmp_path, group):
    assert missing(tmp_path, group) <= missing(tmp_path, "all")
    assert missing(tmp_path, "test") <= missing(tmp_path, "all")
    assert missing(tmp_path) == missing(tmp_path, "all")


def test_targets_ask_for_their_group():
    text = (ROOT / "Makefile").read_text()
    recipe = lambda t: text.split(f"\n{t}:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/deps.sh run" in recipe("run")
    assert "scripts/deps.sh test" in recipe("check")
    assert "deps.sh all" in (ROOT / ".ci" / "run").read_text()


def test_unknown_group_is_a_usage_error():
    r = subprocess.run(["bash", str(DEPS), "nope"], capture_output=True, text=True)
    assert r.returncode == 2 and "usage: scripts/deps.sh" in r.stderr
