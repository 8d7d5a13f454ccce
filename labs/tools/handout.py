#!/usr/bin/env python3
"""Writes a kernel lab's handout (docs/labs.md): `make handout LAB=NN`.

  handout.py LAB [--out DIR]

The handout is this tree with the lab's marked regions replaced by the
lab's stubs (labs/kernel/NN-*/stub/NAME.c) and without what students must
not see: every lab's teacher/ folder (hidden parts, wrong solutions, notes),
the scenario labs' solution/ folders and the tests that use them. It is
written to DIR/NN-name/ and DIR/NN-name.tar.gz (DIR: build/handout), then
checked: no line of the lab's reference code that is not also elsewhere in
simk may be left in it.
"""
import argparse
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labkit  # noqa: E402

def excluded(rel):
    """Teacher material: never in a handout."""
    parts = rel.split("/")
    if len(parts) > 3 and parts[:2] == ["labs", "kernel"] and parts[3] == "teacher":
        return True
    if len(parts) > 3 and parts[:2] == ["labs", "scenario"] and parts[3] == "solution":
        return True
    return rel in ("tests/py/test_labs_kernel.py", "tests/py/test_labs.py")


def distinctive_lines(root, lab_id, refs):
    """Lines of the lab's reference regions that appear nowhere else in
    root's text files: if one is in a handout, solution text leaked."""
    mine = set()
    for rel, text in refs.values():
        for line in text.split("\n"):
            s = line.strip()
            if len(s) >= 16 and not s.startswith(("/*", "*", "//")):
                mine.add(s)
    if not mine:
        return set()
    seen_elsewhere = set()
    region_files = {rel for rel, _ in refs.values()}
    for rel in labkit.repo_files(root):
        if excluded(rel) or rel.endswith((".patch", ".diff")):
            continue
        try:
            text = (Path(root) / rel).read_text()
        except (UnicodeDecodeError, OSError):
            continue
        if rel in region_files:  # outside this lab's regions only
            text = labkit.splice(text, lab_id, {k[1]: "" for k in refs}, rel)
        for line in text.split("\n"):
            if line.strip() in mine:
                seen_elsewhere.add(line.strip())
    return mine - seen_elsewhere


def leaks(handout, root, lab_id):
    """(path, line) pairs of reference-only lines found in the handout."""
    refs = labkit.find_regions(root, lab_id)
    bad = distinctive_lines(root, lab_id, refs)
    out = []
    for rel in labkit.repo_files(handout):
        try:
            text = (Path(handout) / rel).read_text()
        except (UnicodeDecodeError, OSError):
            continue
        for line in text.split("\n"):
            if line.strip() in bad:
                out.append((rel, line.strip()))
    return out


LTO_DEFAULT = "    LTO ?= -flto=auto\n"
LTO_HANDOUT = "    LTO ?= # a handout: off (labs/tools/handout.py)\n"


def make_handout(root, lab, out):
    root = Path(root).resolve()
    spec = labkit.load_lab(root, lab)
    lab_id = spec["id"]
    refs = labkit.find_regions(root, lab_id)
    if not refs:
        raise labkit.LabError(f"no LAB {lab_id} markers in the kernel sources")
    stubs = {}
    for (_, name), (rel, _) in refs.items():
        f = spec["dir"] / "stub" / f"{name}.c"
        if not f.is_file():
            raise labkit.LabError(f"{spec['name']}: region '{name}' of {rel} has no stub "
                                  f"(stub/{name}.c)")
        stubs[name] = f.read_text()
    overrides = {}
    for (_, name), (rel, _) in refs.items():
        base = overrides.get(rel, (root / rel).read_text())
        overrides[rel] = labkit.splice(base, lab_id, {name: stubs[name]}, rel)
    # A student rebuilds after every change: the handout's default build
    # links without link-time optimisation (10 s a link with it; the
    # simulation's speed does not matter for a lab).
    mk = (root / "Makefile").read_text()
    if LTO_DEFAULT not in mk:
        raise labkit.LabError(f"Makefile: no '{LTO_DEFAULT.strip()}' line to turn off")
    overrides["Makefile"] = mk.replace(LTO_DEFAULT, LTO_HANDOUT, 1)
    dst = Path(out) / spec["name"]
    dst.mkdir(parents=True, exist_ok=True)
    files = [f for f in labkit.repo_files(root) if not excluded(f)]
    # sync_tree excludes by prefix; the teacher folders are per lab
    labkit.sync_tree(root, dst, overrides,
                     exclude=[f for f in labkit.repo_files(root) if excluded(f)])
    assert all((dst / f).is_file() for f in files)
    bad = leaks(dst, root, lab_id)
    if bad:
        raise labkit.LabError("the handout still holds reference code: " +
                              "; ".join(f"{p}: {t}" for p, t in bad[:5]))
    tar = Path(out) / f"{spec['name']}.tar.gz"
    with tarfile.open(tar, "w:gz") as t:
        t.add(dst, arcname=spec["name"])
    return dst, tar


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lab", help="the lab: NN or NN-name (labs/kernel/)")
    ap.add_argument("--out", default=None, help="output folder (default build/handout)")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[2]),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    out = Path(args.out) if args.out else Path(args.root) / "build" / "handout"
    try:
        dst, tar = make_handout(args.root, args.lab, out)
    except labkit.LabError as e:
        labkit.die(str(e))
    print(f"handout: {dst}")
    print(f"tarball: {tar}")
    print(f"students: cd {dst.name} && make && make grade LAB={dst.name[:2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
