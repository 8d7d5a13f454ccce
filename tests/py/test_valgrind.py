"""simk under valgrind's memcheck, without options: the coroutine stacks
are registered with VALGRIND_STACK_REGISTER (sim/ctx.c, when valgrind's
header is there at build time), so a stack switch is neither a "client
switching stacks?" warning nor a source of false "uninitialised value"
errors (without the requests, and even with --max-stackframe, every switch
made the other stacks' contents undefined). Runs only where valgrind is
installed (docs/determinism.md, "Valgrind")."""
import shutil
import subprocess

import pytest

from conftest import SCENARIOS, SIMK

VALGRIND = shutil.which("valgrind")
pytestmark = pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed")


@pytest.mark.parametrize("args,code", [
    (("run", SCENARIOS / "demo.scn", "--quiet"), 0),
    (("run", SCENARIOS / "laio" / "basics.scn", "--quiet"), 0),
    (("run", SCENARIOS / "fork-wait.scn", "--policy", "random", "--seed", 3), 0),
    (("run", SCENARIOS / "lost-wakeup.scn", "--seed", 11, "--policy", "random", "--quiet"), 4),
    (("explore", SCENARIOS / "kq" / "two-scanners.scn", "--runs", 20, "--quiet"), 0),
])
def test_a_short_run_is_clean_under_memcheck(args, code):
    p = subprocess.run([VALGRIND, "--error-exitcode=99", "--leak-check=full",
                        "--errors-for-leak-kinds=definite", str(SIMK), *map(str, args)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == code, p.stderr[-3000:]
    assert "switching stacks" not in p.stderr, p.stderr[-3000:]
    assert "ERROR SUMMARY: 0 errors" in p.stderr, p.stderr[-3000:]
