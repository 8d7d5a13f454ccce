"""The kernel labs (labs/kernel/, docs/labs.md): for every lab, the
reference (simk's own code between the LAB markers) gets the full score;
the stub loses the points; each typical wrong solution kept in
teacher/wrong.toml loses points with the reason it documents and a
reproducer that, run again, fails the same way; the grader's JSON is
Gradescope's format; and the handout holds no solution text or teacher
material, builds, fails its own grade, and passes the full grade once the
reference is put back.

Grades here use fixed grading seeds and fewer runs (--scale) than a real
grading: the reference must pass every seed anyway, and the wrong
solutions are caught by reasons that hold for any seed."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

TOOLS = ROOT / "labs" / "tools"
sys.path.insert(0, str(TOOLS))
import labkit  # noqa: E402
import handout as handout_mod  # noqa: E402

PY = sys.executable
LABS = labkit.all_labs(ROOT)
SCALE = "0.3"


def grade(lab, tmp, *extra, src=None, json_out=None, root=ROOT, seed=None):
    cmd = [PY, str(Path(root) / "labs" / "tools" / "grade.py"), lab, "--work", str(tmp),
           "--scale", SCALE, "--grading-seed", str(seed if seed is not None else
                                                   sum(map(ord, lab)))]
    if src is not None:
        cmd += ["--src", str(src)]
    if json_out is not None:
        cmd += ["--json", str(json_out)]
    r = subprocess.run(cmd + list(extra), capture_output=True, text=True, timeout=900)
    m = re.search(r"^score: ([\d.]+) / ([\d.]+)$", r.stdout, re.M)
    return r, (float(m.group(1)), float(m.group(2))) if m else None


def wrongs():
    return [(lab, w["name"]) for lab in LABS for w in labkit.load_wrong(ROOT, lab)]


def test_six_kernel_labs_with_three_wrong_solutions_each():
    assert len(LABS) >= 6, LABS
    for lab in LABS:
        assert len(labkit.load_wrong(ROOT, lab)) >= 3, lab


@pytest.mark.parametrize("lab", LABS)
def test_lab_is_complete(lab):
    """Handout, hints, teacher notes, a stub per region, public and hidden
    parts, and the real kernel code it models named in the README."""
    spec = labkit.load_lab(ROOT, lab)
    d = spec["dir"]
    for f in ("README.md", "hints.md", "lab.toml", "teacher/NOTES.md", "teacher/wrong.toml"):
        assert (d / f).is_file(), f"{lab}/{f}"
    regions = labkit.find_regions(ROOT, spec["id"])
    assert regions, f"no LAB {spec['id']} markers in the kernel"
    for (_, name), (rel, _) in regions.items():
        assert (d / "stub" / f"{name}.c").is_file(), f"{lab}: no stub for {name}"
        assert f"`{rel}`" in (d / "README.md").read_text(), f"README must name {rel}"
    assert not set(p.name for p in (d / "stub").iterdir()) - \
        {f"{n}.c" for (_, n) in regions}, "a stub without a region"
    readme = (d / "README.md").read_text()
    for source in re.findall(r"([\w/]+\.c)", spec["models"]):
        assert source in readme, f"README must name {source}, the code it models"
    assert any(p["hidden"] for p in spec["parts"]) and any(not p["hidden"] for p in
                                                           spec["parts"])
    notes = (d / "teacher" / "NOTES.md").read_text()
    for w in labkit.load_wrong(ROOT, lab):
        assert w["name"] in notes, f"teacher/NOTES.md does not discuss '{w['name']}'"
    assert re.search(r"(?i)expected time", notes)
    assert lab in (ROOT / "labs" / "README.md").read_text()


def test_every_marker_belongs_to_a_lab():
    ids = {lab[:2] for lab in LABS}
    for (lab, name), (rel, _) in labkit.find_regions(ROOT).items():
        assert lab in ids, f"{rel}: LAB {lab} {name} has no labs/kernel/{lab}-* folder"


@pytest.mark.parametrize("lab", LABS)
def test_reference_gets_full_score(lab, tmp_path):
    r, score = grade(lab, tmp_path, json_out=tmp_path / "r.json")
    assert r.returncode == 0 and score and score[0] == score[1], r.stdout + r.stderr
    res = json.loads((tmp_path / "r.json").read_text())
    assert res["score"] == score[1] and all(t["score"] == t["max_score"] for t in res["tests"])


@pytest.mark.parametrize("lab,name", wrongs())
def test_wrong_solution_is_caught_with_a_reproducer(lab, name, tmp_path):
    w = next(x for x in labkit.load_wrong(ROOT, lab) if x["name"] == name)
    r, score = grade(lab, tmp_path, src=w["path"], json_out=tmp_path / "r.json")
    assert r.returncode == 1 and score and score[0] < score[1], r.stdout + r.stderr
    res = json.loads((tmp_path / "r.json").read_text())
    failed = [t for t in res["tests"] if t["score"] < t["max_score"]]
    assert failed
    reason = re.compile(w["reason"])
    hits = [t for t in failed if reason.search(t["output"])]
    assert hits, f"no failure says /{w['reason']}/:\n" + r.stdout
    # every failure names its reproducer, and the reproducer fails again
    tree = tmp_path / "tree"
    for t in failed:
        m = re.search(r"^reproduce: (\./build/simk run .*)$", t["output"], re.M)
        assert m, t["output"]
        if t is not hits[0]:
            continue
        args = m.group(1).split()
        if "--replay" in args:
            sched = tmp_path / "out" / args[args.index("--replay") + 1]
            args[args.index("--replay") + 1] = str(sched)
        again = subprocess.run(args, cwd=tree, capture_output=True, text=True, timeout=300)
        assert again.returncode != 0 and reason.search(again.stdout), again.stdout[-2000:]


def test_failures_show_a_shrunk_schedule_that_replays(tmp_path):
    """Each failure is shrunk by `simk shrink` (grade.py, shrink_hook): a
    random or pct failure and a dfs failure (whose reproducer replays a
    schedule file) each print a shrunk schedule in a file of their own in
    the output folder, shown like the dfs schedule, and the printed
    `shrink: reproduce:` line, run again in the graded copy, fails the same
    way. One lab, public parts, few runs: the wrong solution fails every
    schedule of the part it breaks."""
    w = next(x for x in labkit.load_wrong(ROOT, "01-waitq")
             if x["patch"] == "wrong/autoremove-everything.patch")
    r, score = grade("01-waitq", tmp_path, "--public-only", "--scale", "0.05",
                     src=w["path"])
    assert r.returncode == 1 and score and score[0] < score[1], r.stdout + r.stderr
    reason = re.compile(w["reason"])
    blocks = re.split(r"^  (?=FAIL |ok   )", r.stdout, flags=re.M)
    failed = {b.split(":")[0].split()[1]: b for b in blocks if b.startswith("FAIL ")}
    assert "dfs" in failed and {"random", "pct"} & set(failed), r.stdout
    seen = set()
    for check in ["dfs"] + [c for c in ("random", "pct") if c in failed]:
        block = failed[check]
        assert "shrunk schedule:" in block, block
        m = re.search(r"^ *shrink: reproduce: (\./build/simk run .*)$", block, re.M)
        assert m, block
        args = m.group(1).split()
        name = args[args.index("--replay") + 1]
        assert name not in seen and "/" not in name, (name, seen)
        seen.add(name)
        shrunk = tmp_path / "out" / name
        assert shrunk.is_file(), block
        assert f"{name} (also in {tmp_path / 'out'}):" in block, block
        assert shrunk.read_text().split("\n")[0] in block
        args[args.index("--replay") + 1] = str(shrunk)
        again = subprocess.run(args, cwd=tmp_path / "tree", capture_output=True, text=True,
                               timeout=300)
        assert again.returncode != 0 and reason.search(again.stdout), again.stdout[-2000:]
    assert "simk-shrunk.sched" not in r.stdout
    assert not (tmp_path / "tree" / "simk-shrunk.sched").exists()


def test_grader_json_is_gradescope_format(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((TOOLS / "gradescope-results.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    lab = LABS[0]
    w = labkit.load_wrong(ROOT, lab)[0]
    r, _ = grade(lab, tmp_path, src=w["path"], json_out=tmp_path / "r.json")
    res = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(res, schema)
    assert res["tests"] and {"name", "score", "max_score", "output"} <= set(res["tests"][0])
    assert abs(sum(t["score"] for t in res["tests"]) - res["score"]) < 1e-6
    # a submission the grader cannot take is still a valid results.json
    bad = tmp_path / "empty"
    bad.mkdir()
    r, _ = grade(lab, tmp_path / "w2", src=bad, json_out=tmp_path / "bad.json")
    assert r.returncode == 2 and "the submission has no" in r.stderr
    res = json.loads((tmp_path / "bad.json").read_text())
    jsonschema.validate(res, schema)
    assert res["score"] == 0 and "not graded" in res["output"]
    # and so is this schema's idea of a wrong one
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "tests": [{"name": "x", "score": 1}]}, schema)


def make_handout(lab, out):
    dst, tar = handout_mod.make_handout(ROOT, lab, out)
    assert tar.is_file() and tar.stat().st_size > 0
    return dst


@pytest.mark.parametrize("lab", LABS)
def test_handout_has_stubs_and_no_solution(lab, tmp_path):
    dst = make_handout(lab, tmp_path / "h")
    spec = labkit.load_lab(ROOT, lab)
    files = labkit.repo_files(dst)
    assert not [f for f in files if "/teacher/" in f or "/solution/" in f], "teacher files"
    assert "tests/py/test_labs_kernel.py" not in files
    assert not handout_mod.leaks(dst, ROOT, spec["id"])
    mine = labkit.find_regions(dst, spec["id"])
    ref = labkit.find_regions(ROOT, spec["id"])
    assert mine.keys() == ref.keys(), "the handout keeps every marker"
    for key, (rel, text) in mine.items():
        stub = (spec["dir"] / "stub" / f"{key[1]}.c").read_text().rstrip("\n")
        assert text == stub
        assert labkit.normalise(text) != labkit.normalise(ref[key][1])
    # no hidden part or hidden test of any lab
    for other in LABS:
        assert not (dst / "labs" / "kernel" / other / "teacher").exists()
    # the handout's own grader knows only the public parts
    pub = labkit.load_lab(dst, lab)
    assert pub["parts"] and not any(p["hidden"] for p in pub["parts"])


@pytest.mark.parametrize("lab", LABS)
def test_handout_stub_builds_and_fails(lab, tmp_path):
    """The stub compiles (-Werror) and loses (nearly) every point, graded
    by the teacher's grader from the handout as a submission."""
    dst = make_handout(lab, tmp_path / "h")
    r, score = grade(lab, tmp_path / "g", src=dst)
    assert score and r.returncode == 1, r.stdout + r.stderr
    assert "build: ok" in r.stdout, r.stdout
    assert score[0] <= 0.1 * score[1], r.stdout


def test_handout_builds_from_scratch_fails_and_passes_with_the_reference(tmp_path):
    """A fresh handout (no build/ at all) builds with make; its own
    `make grade` (public parts only) fails; with the reference regions
    put back it gets the teacher's full grade."""
    lab = LABS[0]
    dst = make_handout(lab, tmp_path / "h")
    assert not (dst / "build").exists()
    b = subprocess.run(["make", "-C", str(dst), "-j2", "all"], capture_output=True, text=True,
                       timeout=900)
    assert b.returncode == 0, b.stdout[-3000:] + b.stderr[-3000:]
    # a handout links without link-time optimisation (a student relinks often)
    assert "-o build/simk" in b.stdout and "-flto" not in b.stdout, b.stdout[-3000:]
    own = subprocess.run(["make", "-C", str(dst), "grade", f"LAB={lab[:2]}",
                          "GRADE_FLAGS=--scale 0.2 --grading-seed 3"],
                         capture_output=True, text=True, timeout=900)
    assert own.returncode != 0 and "score: " in own.stdout, own.stdout[-3000:]
    assert "[hidden]" not in own.stdout
    spec = labkit.load_lab(ROOT, lab)
    for (_, name), (rel, text) in labkit.find_regions(ROOT, spec["id"]).items():
        f = dst / rel
        f.write_text(labkit.splice(f.read_text(), spec["id"], {name: text}, rel))
    r, score = grade(lab, tmp_path / "g", src=dst)
    assert r.returncode == 0 and score[0] == score[1], r.stdout
    assert "[hidden]" in r.stdout
    assert "are the reference text" in r.stdout  # the teacher is told
