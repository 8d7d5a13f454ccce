"""The embedding API: a C program that includes only include/simk/ (the
engine and the system-call stubs) and links build/libsimk.a runs a
simulation deterministically: a pipe between a process and its child."""
import os
import re
import subprocess

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def embed(tmp_path_factory):
    lib = ROOT / "build" / "libsimk.a"
    if not lib.exists():
        pytest.skip("build/libsimk.a not built")
    out = tmp_path_factory.mktemp("embed") / "embed"
    subprocess.run(["cc", "-std=c17", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "include"),
                    str(ROOT / "examples" / "embed" / "embed.c"), str(lib), "-lfiu", "-lm",
                    "-o", str(out)], check=True)
    return out


def run(embed, seed):
    r = subprocess.run([str(embed), str(seed)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    m = re.search(r'child read "ping pong done"\noutcome=0 hash=([0-9a-f]{16}) vtime=(\d+)ns',
                  r.stdout)
    assert m, r.stdout
    return m.group(1), r.stdout


def test_embedded_run_passes_and_is_deterministic(embed):
    h1, out1 = run(embed, 5)
    h2, out2 = run(embed, 5)
    assert h1 == h2 and out1 == out2


def test_embedded_runs_differ_across_seeds(embed):
    hashes = {run(embed, seed)[0] for seed in range(1, 9)}
    assert len(hashes) > 1


def test_library_links_with_clang_and_gives_the_same_hash(embed, tmp_path):
    """The default build's objects are gcc LTO objects; they are fat (native
    code beside the IR, Makefile), so a program linked by another compiler,
    which cannot read gcc's IR, still links and runs the same simulation."""
    import shutil
    clang = shutil.which("clang")
    if clang is None:
        pytest.skip("clang is not installed")
    out = tmp_path / "embed_clang"
    subprocess.run([clang, "-std=c17", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "include"),
                    str(ROOT / "examples" / "embed" / "embed.c"), str(ROOT / "build" / "libsimk.a"),
                    "-lfiu", "-lm", "-o", str(out)], check=True)
    for seed in (1, 5):
        assert run(out, seed) == run(embed, seed)
