"""The dependency rule of docs/architecture.md, checked on the tree and on
the objects of the default build:

    syscalls -> vfs -> drivers -> kern -> sim,    scn -> kern -> sim

- sim/ includes nothing above it, and its objects call nothing defined
  outside sim/ except the C library and libfiu (the engine reaches the
  layers above only through the callbacks they register);
- scn/ (the scenario language) includes and calls sim/ and kern/ only —
  never vfs/, drivers/ or syscalls/: layers register their operations into
  its registries from their <prefix>_scn.c files;
- kern/ never reaches drivers/, vfs/ or syscalls/; drivers/ never vfs/ or
  syscalls/; vfs/ never syscalls/;
- a subsystem never includes another one's private header (<x>_priv.h).

syscalls/builtin.c is the composition point: the one file that knows every
layer. The cli, tests, bench, fuzz and examples sit on top of everything.
"""
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# What each layer may include or call, besides itself. "simk" is the
# public include/simk/ folder. Every layer may also reach scn/ from its
# <prefix>_scn.c (and the private header that declares its ops).
MAY_USE = {
    "sim": {"simk"},
    "scn": {"simk", "sim", "kern"},
    "kern": {"simk", "sim"},
    "drivers": {"simk", "sim", "kern"},
    "vfs": {"simk", "sim", "kern", "drivers"},
    "syscalls": {"simk", "sim", "kern", "drivers", "vfs"},
    "guest": {"simk", "sim", "kern", "drivers", "vfs", "scn"},
}
COMPOSITION = {"syscalls/builtin.c", "syscalls/builtin.h"}


def layer_of(path):
    """Top folder of a repository path or include name ("include/simk/x.h"
    and "simk/x.h" are the public folder)."""
    parts = Path(path).parts
    if parts[0] == "include":
        parts = parts[1:]
    return parts[0]


def sources(layer):
    return sorted(p for p in (ROOT / layer).rglob("*.[ch]"))


def includes(path):
    return INCLUDE_RE.findall(path.read_text(errors="replace"))


def scn_binding(rel):
    """Files through which a layer registers its scenario operations."""
    name = Path(rel).name
    return name.endswith("_scn.c") or name.endswith("_priv.h")


def include_violations(layer):
    bad = []
    for p in sources(layer):
        rel = str(p.relative_to(ROOT))
        if rel in COMPOSITION:
            continue
        for inc in includes(p):
            if "/" not in inc:
                continue  # a header next to the file, or a test helper
            to = layer_of(inc)
            if to == layer or to in MAY_USE[layer]:
                continue
            if to == "scn" and scn_binding(rel):
                continue
            bad.append(f"{rel}: #include \"{inc}\"")
    return bad


@pytest.mark.parametrize("layer", sorted(MAY_USE))
def test_layer_includes_only_what_is_below_it(layer):
    assert include_violations(layer) == []


def test_sim_includes_only_sim_and_the_public_headers():
    for p in sources("sim"):
        for inc in includes(p):
            assert inc.startswith(("sim/", "simk/")), f"{p.relative_to(ROOT)}: {inc}"


def test_no_subsystem_includes_another_ones_private_header():
    bad = []
    for p in sources("syscalls"):
        rel = p.relative_to(ROOT)
        for inc in includes(p):
            if inc.startswith("syscalls/") and inc.endswith("_priv.h"):
                if Path(inc).parent != rel.parent:
                    bad.append(f"{rel}: {inc}")
    assert bad == []


# ---- objects: who calls whom ------------------------------------------------

OBJ = ROOT / "build" / "obj"


def nm(*args):
    out = subprocess.run(["nm", *args], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def objects():
    if not (OBJ / "sim").is_dir():
        pytest.skip("build/obj not built (make)")
    return sorted(o for o in OBJ.rglob("*.o") if layer_of(o.relative_to(OBJ)) in MAY_USE)


def defined(obj):
    syms = set()
    for line in nm("--defined-only", str(obj)):
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRCVW":
            syms.add(f[2])
    return syms


def undefined(obj):
    return {line.split()[-1] for line in nm("-u", str(obj)) if line.strip()}


def shared_libraries_defined():
    """Dynamic symbols of the shared libraries build/simk links (libc,
    libm, libfiu, ...)."""
    simk = ROOT / "build" / "simk"
    libs = []
    for line in subprocess.run(["ldd", str(simk)], capture_output=True, text=True).stdout.splitlines():
        m = re.search(r"=>\s+(\S+)", line)
        if m and Path(m.group(1)).exists():
            libs.append(m.group(1))
    assert any("libc.so" in lib for lib in libs), libs
    syms = set()
    for lib in libs:
        for line in nm("-D", "--defined-only", lib):
            f = line.split()
            if len(f) == 3:
                syms.add(f[2].split("@")[0])
    return syms


def test_sim_objects_call_only_sim_libc_and_libfiu():
    objs = objects()
    sim_defs = set()
    for o in objs:
        if layer_of(o.relative_to(OBJ)) == "sim":
            sim_defs |= defined(o)
    libs = shared_libraries_defined()
    linker = {"_GLOBAL_OFFSET_TABLE_"}
    # the compiler's own runtime (libgcc / compiler-rt builtins such as
    # __popcountdi2 for __builtin_popcountll), linked statically
    compiler_rt = re.compile(r"^__(popcount|clz|ctz|ffs|parity)[sdt]i2$")
    bad = []
    for o in objs:
        if layer_of(o.relative_to(OBJ)) != "sim":
            continue
        for sym in sorted(undefined(o)):
            if sym not in sim_defs and sym not in libs and sym not in linker and \
                    not compiler_rt.match(sym):
                bad.append(f"{o.relative_to(OBJ)}: {sym}")
    assert bad == []


def test_objects_call_only_what_is_below_them():
    objs = objects()
    owner = {}
    for o in objs:
        for sym in defined(o):
            owner[sym] = o.relative_to(OBJ)
    bad = []
    for o in objs:
        rel = o.relative_to(OBJ)
        src = str(rel.with_suffix(".c"))
        if src in COMPOSITION:
            continue
        lay = layer_of(rel)
        for sym in sorted(undefined(o)):
            if sym not in owner:
                continue  # the C library and the other shared libraries
            to = layer_of(owner[sym])
            if to == lay or to in MAY_USE[lay]:
                continue
            if lay == "guest" and sym.startswith("simk_"):
                continue  # the user side of the system-call boundary: any layer's public stubs
            if to == "scn" and scn_binding(src):
                continue
            bad.append(f"{rel} calls {sym} ({owner[sym]})")
    assert bad == []
