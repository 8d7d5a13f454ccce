"""labkit: what the kernel-lab tools share (docs/labs.md).

A kernel lab's target code lives in simk's real kernel sources, between
two comment lines:

    /* LAB 02 BEGIN: ring_post */
    ...the reference solution: simk's own code...
    /* LAB 02 END: ring_post */

The handout (handout.py) replaces the text between them by the lab's stub
(labs/kernel/NN-*/stub/NAME.c); the grader (grade.py) takes the text
between them from a student's files and splices it into a fresh copy of the
reference tree, so nothing a student changed outside the marked regions
(the tests, the scenario interpreter, other kernel code) is graded.

Only the Python standard library: the grader must run wherever simk builds.
"""
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

# Folders whose files may hold lab regions (the kernel and what it links).
REGION_DIRS = ("sim", "scn", "kern", "drivers", "vfs", "syscalls")
BEGIN_RE = re.compile(r"^\s*/\* LAB (\d\d) BEGIN: ([A-Za-z0-9_.-]+) \*/\s*$")
END_RE = re.compile(r"^\s*/\* LAB (\d\d) END: ([A-Za-z0-9_.-]+) \*/\s*$")


class LabError(Exception):
    """A problem with a lab's files or a submission, said in one line."""


# ---- the repository ------------------------------------------------------------

def repo_files(root):
    """The files of the tree rooted at root, relative paths, sorted: git's
    view (tracked and untracked, not ignored) when root is a git work tree,
    else every file outside build/ and .git/."""
    root = Path(root)
    if (root / ".git").exists() and shutil.which("git"):
        r = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True, text=True)
        if r.returncode == 0:
            return sorted(p for p in set(r.stdout.split("\0")) if p and (root / p).is_file())
    out = []
    for d, dirs, files in os.walk(root):
        rel = Path(d).relative_to(root)
        dirs[:] = [x for x in dirs if not (rel == Path(".") and x in ("build", ".git"))
                   and x != "__pycache__"]
        out += [str(rel / f) if str(rel) != "." else f for f in files]
    return sorted(out)


def lab_dir(root, lab):
    """labs/kernel/NN-name for lab "NN", "NN-name" or "N"."""
    base = Path(root) / "labs" / "kernel"
    want = str(lab)
    if want.isdigit():
        want = f"{int(want):02d}"
    hits = sorted(p for p in base.iterdir() if p.is_dir() and
                  (p.name == want or p.name.split("-")[0] == want)) if base.is_dir() else []
    if len(hits) != 1:
        names = ", ".join(sorted(p.name for p in base.iterdir() if p.is_dir())) \
            if base.is_dir() else "none"
        raise LabError(f"no kernel lab '{lab}' (labs/kernel/ has: {names})")
    return hits[0]


def all_labs(root):
    base = Path(root) / "labs" / "kernel"
    return sorted(p.name for p in base.iterdir() if p.is_dir() and p.name[:2].isdigit())


# ---- lab specifications -------------------------------------------------------

def _load_toml(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise LabError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as e:
        raise LabError(f"{path}: {e}") from None


def load_lab(root, lab):
    """The lab's spec: lab.toml, plus teacher/grade.toml (hidden parts) when
    it is there (the teacher's repository; never in a handout)."""
    d = lab_dir(root, lab)
    spec = _load_toml(d / "lab.toml")
    spec["dir"] = d
    spec["id"] = d.name[:2]
    spec["name"] = d.name
    parts = []
    for p in spec.get("part", []):
        parts.append(dict(p, hidden=False))
    hidden = d / "teacher" / "grade.toml"
    if hidden.is_file():
        for p in _load_toml(hidden).get("part", []):
            parts.append(dict(p, hidden=True))
    for p in parts:
        for key in ("name", "points", "scenario"):
            if key not in p:
                raise LabError(f"{d.name}: a part has no '{key}'")
        p.setdefault("policies", ["random", "pct", "dfs"])
        p.setdefault("runs", 200)
        p.setdefault("bound", 2)
        p.setdefault("faults", [])
        p["path"] = (d / p["scenario"]).resolve()
        if not p["path"].is_file():
            raise LabError(f"{d.name}: part '{p['name']}': no file {p['scenario']}")
    spec["parts"] = parts
    return spec


def load_wrong(root, lab):
    """teacher/wrong.toml: the typical wrong solutions, as patches."""
    d = lab_dir(root, lab)
    f = d / "teacher" / "wrong.toml"
    if not f.is_file():
        return []
    out = _load_toml(f).get("wrong", [])
    for w in out:
        for key in ("name", "patch", "reason", "why"):
            if key not in w:
                raise LabError(f"{f}: a wrong solution has no '{key}'")
        w["path"] = d / "teacher" / w["patch"]
    return out


# ---- regions -------------------------------------------------------------------

def parse_regions(text, path="<text>"):
    """[(lab, name, first_line, end_line)] of one file: the region is
    lines[first_line:end_line] (0-based, markers excluded)."""
    out, open_ = [], None
    for i, line in enumerate(text.split("\n")):
        b, e = BEGIN_RE.match(line), END_RE.match(line)
        if b:
            if open_:
                raise LabError(f"{path}:{i + 1}: LAB {b.group(1)} BEGIN inside "
                               f"LAB {open_[0]} {open_[1]}")
            open_ = (b.group(1), b.group(2), i + 1)
        elif e:
            if not open_ or (e.group(1), e.group(2)) != open_[:2]:
                raise LabError(f"{path}:{i + 1}: LAB {e.group(1)} END: {e.group(2)} "
                               "without its BEGIN")
            out.append((open_[0], open_[1], open_[2], i))
            open_ = None
    if open_:
        raise LabError(f"{path}: LAB {open_[0]} BEGIN: {open_[1]} has no END")
    return out


def find_regions(root, lab_id=None):
    """{(lab, name): (relpath, text)} over the kernel folders of root."""
    root = Path(root)
    out = {}
    for d in REGION_DIRS:
        for p in sorted((root / d).rglob("*")) if (root / d).is_dir() else []:
            if p.suffix not in (".c", ".h") or not p.is_file():
                continue
            text = p.read_text()
            if "/* LAB " not in text:
                continue
            rel = str(p.relative_to(root))
            lines = text.split("\n")
            for lab, name, a, b in parse_regions(text, rel):
                if lab_id is not None and lab != lab_id:
                    continue
                if (lab, name) in out:
                    raise LabError(f"{rel}: LAB {lab} region '{name}' is also in "
                                   f"{out[(lab, name)][0]}")
                out[(lab, name)] = (rel, "\n".join(lines[a:b]))
    return out


def splice(text, lab_id, repl, path="<text>"):
    """text with the body of each LAB lab_id region named in repl replaced."""
    lines = text.split("\n")
    regions = parse_regions(text, path)
    for lab, name, a, b in reversed(regions):
        if lab == lab_id and name in repl:
            body = repl[name].rstrip("\n")
            lines[a:b] = body.split("\n") if body else []
    return "\n".join(lines)


def student_regions(src, lab_id, wanted):
    """The student's text of each region: {name: text}. src is a tree (the
    handout with the student's code) or a folder of loose files (a
    Gradescope upload); a file is looked up at its path, then by its base
    name. Raises LabError naming what is missing."""
    src = Path(src)
    out = {}
    for name, (rel, _) in sorted(wanted.items()):
        cands = [src / rel, src / Path(rel).name] if src.is_dir() else [src]
        f = next((c for c in cands if c.is_file()), None)
        if f is None:
            raise LabError(f"the submission has no {rel} (nor {Path(rel).name})")
        regions = {r[1]: r for r in parse_regions(f.read_text(), str(f)) if r[0] == lab_id}
        if name not in regions:
            raise LabError(f"{f}: the markers of LAB {lab_id} region '{name}' are missing "
                           "(keep the BEGIN and END lines; write your code between them)")
        lines = f.read_text().split("\n")
        _, _, a, b = regions[name]
        out[name] = "\n".join(lines[a:b])
    return out


def normalise(code):
    """Code without comments and whitespace, to compare two regions."""
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    code = re.sub(r"//[^\n]*", "", code)
    return re.sub(r"\s+", "", code)


# ---- trees ---------------------------------------------------------------------

def sync_tree(src_root, dst, overrides=None, exclude=()):
    """Makes dst a copy of src_root's files with overrides {rel: text}.
    A file dst lacks is copied with its time stamps (so build objects copied
    alongside stay up to date); a file whose content differs is rewritten
    now (so make rebuilds it); an identical one is left alone. Files of dst
    no longer in the source are removed (build/ is kept). Returns the
    relative paths written."""
    src_root, dst = Path(src_root), Path(dst)
    overrides = overrides or {}
    files = [f for f in repo_files(src_root)
             if not any(f == x or f.startswith(x.rstrip("/") + "/") for x in exclude)]
    keep = set(files)
    written = []
    for rel in files:
        s, t = src_root / rel, dst / rel
        t.parent.mkdir(parents=True, exist_ok=True)
        if rel in overrides:
            data = overrides[rel].encode()
        elif not t.exists():
            shutil.copy2(s, t)
            written.append(rel)
            continue
        else:
            data = s.read_bytes()
        if not t.exists() or t.read_bytes() != data:
            t.write_bytes(data)
            shutil.copymode(s, t)
            written.append(rel)
    for d, dirs, fs in os.walk(dst):
        rel_d = Path(d).relative_to(dst)
        if rel_d == Path("."):
            dirs[:] = [x for x in dirs if x not in ("build", ".git")]
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in fs:
            rel = str(rel_d / f) if str(rel_d) != "." else f
            if rel not in keep:
                (dst / rel).unlink()
    return written


def seed_build(src_root, dst, variant=""):
    """Copies src_root's build objects of a variant into a tree made by
    sync_tree from the same sources, so its first build only compiles what
    differs. Harmless when there is nothing to copy."""
    b = Path("build") / variant if variant else Path("build")
    s, t = Path(src_root) / b, Path(dst) / b
    if not (s / "obj").is_dir() or (t / "obj").exists():
        return False
    t.mkdir(parents=True, exist_ok=True)
    shutil.copytree(s / "obj", t / "obj", copy_function=shutil.copy2)
    if (s / "libsimk.a").is_file():
        shutil.copy2(s / "libsimk.a", t / "libsimk.a")
    return True


def build(tree, variant="", jobs=None, timeout=900):
    """make cli in tree (build/simk: all a grade runs; `all` would also
    compile every guest test program with simk-cc, minutes per tree);
    (ok, output tail)."""
    jobs = jobs or os.cpu_count() or 2
    # LTO= : a grading tree is built once and runs a few hundred short
    # seeds; the link-time optimisation of the default build would cost
    # more time than it saves (Makefile).
    cmd = ["make", "-C", str(tree), f"-j{jobs}", "--no-print-directory", "cli", "LTO="]
    if variant:
        cmd.append(f"VARIANT={variant}")
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"the build took longer than {timeout}s"
    out = (r.stdout + r.stderr).strip().split("\n")
    return r.returncode == 0, "\n".join(out[-60:])


def simk_binary(tree, variant=""):
    return Path(tree) / "build" / variant / "simk" if variant else Path(tree) / "build" / "simk"


def die(msg, code=2):
    print(f"{Path(sys.argv[0]).name}: {msg}", file=sys.stderr)
    sys.exit(code)
