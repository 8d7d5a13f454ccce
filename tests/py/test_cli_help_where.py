"""simk help ops --where: every operation names its C function and source
file (issue 11), and the file really defines that function."""
import os
import re
import subprocess

ROOT = os.environ.get("SIMK_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
SIMK = os.path.join(ROOT, "build", "simk")


def where_table():
    out = subprocess.run([SIMK, "help", "ops", "--where"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0].startswith("operation")
    rows = [line.split() for line in out[1:]]
    assert rows, "no operations listed"
    return rows


def test_every_operation_names_a_function_its_file_defines():
    rows = where_table()
    ops = subprocess.run([SIMK, "help", "ops"], capture_output=True, text=True,
                         check=True).stdout
    for name, kind, where in rows:
        assert kind in ("syscall", "kernel"), name
        path, fn = where.rsplit(":", 1)
        src = open(os.path.join(ROOT, path)).read()
        assert re.search(r"\b%s\s*\(struct scn_call \*" % re.escape(fn), src), \
            "%s: %s does not define %s" % (name, path, fn)
        assert re.search(r"^  %s\b" % re.escape(name), ops, re.M), name


def test_system_call_operations_are_marked():
    kinds = {name: kind for name, kind, _ in where_table()}
    assert kinds["open"] == "syscall" and kinds["io_submit"] == "syscall"
    assert kinds["lock"] == "kernel" and kinds["buf_fill"] == "kernel"


def test_where_is_a_help_flag_only():
    r = subprocess.run([SIMK, "run", "scenarios/demo.scn", "--where"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 2 and "--where" in r.stderr
