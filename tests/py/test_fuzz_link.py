"""`make fuzz` links each harness (fuzz/*.c) with libsimk.a and libFuzzer
(-fsanitize=fuzzer). The library must not define a symbol libFuzzer also
defines: the guest runtime's __sanitizer_cov_trace_pc (the spin budget of
guest programs, guest/guest_tsan.c) once did, and every fuzzer failed to
link with "multiple definition". `make fuzz` is not in `make test` (it
builds a whole instrumented variant), so this links a harness against
the clang build's library instead: the same objects, the same symbols."""
import shutil
import subprocess

import pytest

from conftest import ROOT

HARNESS = r"""
#include <stddef.h>
#include <stdint.h>
#include <simk/sim.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	struct simk_opts o;
	simk_opts_default(&o);
	return 0;
}
"""


PROBE = r"""
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (int)(size > 0 && data[0] == 0);
}
"""


def link(clang, tmp_path, text, libs):
    src = tmp_path / "harness.c"
    src.write_text(text)
    out = tmp_path / "harness"
    return subprocess.run([clang, "-fsanitize=fuzzer", "-I", str(ROOT / "include"), str(src),
                           *libs, "-o", str(out)], capture_output=True, text=True, timeout=300)


def test_a_fuzz_harness_links_with_the_library(tmp_path):
    clang = shutil.which("clang")
    lib = ROOT / "build" / "clang" / "libsimk.a"
    if clang is None or not lib.exists():
        pytest.skip("needs clang and build/clang/libsimk.a (make test builds it)")
    if link(clang, tmp_path, PROBE, []).returncode != 0:
        pytest.skip("this clang has no libFuzzer runtime")
    # the whole archive: a harness that reaches the guest runtime (through
    # the built-in registrations, as fuzz/scn_run_fuzz.c does) pulls in
    # every object a definition could clash in
    r = link(clang, tmp_path, HARNESS, ["-Wl,--whole-archive", str(lib), "-Wl,--no-whole-archive",
                                        "-lfiu", "-lm", "-laio"])
    assert r.returncode == 0, r.stderr[-3000:]
    assert "multiple definition" not in r.stderr
