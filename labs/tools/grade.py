#!/usr/bin/env python3
"""Grades a kernel lab (docs/labs.md): `make grade LAB=NN [SRC=...]`.

  grade.py LAB [--src PATH] [--json results.json] [--grading-seed G] ...

1. Takes the text of the lab's marked regions from the submission (a tree,
   a folder of loose files, or a patch against this tree) and splices it
   into a fresh copy of this tree (build/grade/LAB/tree): only the regions
   are graded, everything else is simk's own code.
2. Builds that copy (a failed build scores 0 and shows the errors).
3. For every part of the lab (lab.toml, plus teacher/grade.toml when the
   teacher's copy has it): runs the part's scenario as written (its own seed:
   the public test), then explores it under each policy (random, pct, dfs)
   from seeds derived from the grading seed, which is drawn now unless
   --grading-seed gives it and is printed so the grade can be reproduced.
4. Prints a score per part and, for each failure, the reason, the command
   that reproduces it and the failure shrunk by `simk shrink` to its
   critical decisions (the schedules in WORK/out, or --out); --json writes
   Gradescope's results.json.

Exit status: 0 full score, 1 points lost, 2 usage or lab error.
"""
import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labkit  # noqa: E402

FAIL_RE = re.compile(r"^FAIL seed=(\d+) hash=([0-9a-f]{16}) reason=(.*)$", re.M)
REPRO_RE = re.compile(r"^reproduce: (.*)$", re.M)
OUTCOME = {1: "expectation failed", 2: "usage or parse error", 3: "kernel panic",
           4: "deadlock"}
MAX_STEPS = 2_000_000  # a kernel that loops through switch points fails, never hangs


def derive_seed(grading_seed, *what):
    h = hashlib.sha256("/".join(str(x) for x in (grading_seed,) + what).encode()).digest()
    return int.from_bytes(h[:8], "little") % 1_000_000_000 + 1


def patch_overrides(root, patch):
    """{rel: text} of the files a unified diff changes, applied to root's
    copies (root is not touched)."""
    text = Path(patch).read_text()
    rels = sorted(set(re.findall(r"^\+\+\+ b/(\S+)", text, re.M)))
    if not rels:
        raise labkit.LabError(f"{patch}: not a unified diff with b/ paths")
    with tempfile.TemporaryDirectory() as tmp:
        for rel in rels:
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(root) / rel, Path(tmp) / rel)
        r = subprocess.run(["patch", "-p1", "-s", "-f", "--no-backup-if-mismatch", "-d", tmp,
                            "-i", str(Path(patch).resolve())], capture_output=True, text=True)
        if r.returncode != 0:
            raise labkit.LabError(f"{patch} does not apply: {(r.stdout + r.stderr).strip()}")
        return {rel: (Path(tmp) / rel).read_text() for rel in rels}


def submission_regions(root, lab_id, wanted, src):
    """{name: text} of the submission; src None grades this tree itself."""
    if src is None:
        return {name: text for name, (_, text) in wanted.items()}
    src = Path(src)
    if src.is_file() and src.suffix in (".patch", ".diff"):
        files = patch_overrides(root, src)
        out = {}
        for name, (rel, text) in wanted.items():
            if rel not in files:
                out[name] = text
                continue
            regions = {r[1]: r for r in labkit.parse_regions(files[rel], rel) if r[0] == lab_id}
            if name not in regions:
                raise labkit.LabError(f"{src}: removes the markers of region '{name}'")
            lines = files[rel].split("\n")
            out[name] = "\n".join(lines[regions[name][2]:regions[name][3]])
        # a patch may change nothing but the regions of this lab
        for rel, new in files.items():
            mine = {n: t for n, t in out.items() if wanted[n][0] == rel}
            ref = labkit.splice((Path(root) / rel).read_text(), lab_id, mine, rel)
            if ref != new:
                raise labkit.LabError(f"{src}: changes {rel} outside the LAB {lab_id} regions")
        return out
    return labkit.student_regions(src, lab_id, wanted)


def run_check(simk, tree, part, check, seed, out_dir, timeout):
    """One check: 'written' runs the scenario with its own seed; a policy
    explores it. Returns a dict: passed, summary, reason, reproduce, sched."""
    rel = part["rel"]  # the tree's own copy, so the reproducer works in any copy of simk
    faults = [a for f in part["faults"] for a in ("--fault", f)]
    steps = ["--max-steps", str(part.get("max_steps", MAX_STEPS))]
    sched = None
    if check == "written":
        cmd = [simk, "run", rel, "--quiet"] + faults + steps
    else:
        runs = part["runs_scaled"]
        cmd = [simk, "explore", rel, "--runs", str(runs), "--policy", check,
               "--seed-start", str(seed), "--quiet"] + faults + steps
        if check == "dfs":
            cmd += ["--bound", str(part["bound"])]
        sched = out_dir / f"lab{part['lab']}-{part['slug'][:2]}-{check}.sched"
        cmd += ["--schedule-out", str(sched)]
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"passed": False, "summary": f"timed out after {timeout}s",
                "reason": "timeout: a run never reached a switch point (an endless loop "
                          "in the kernel?)", "reproduce": " ".join(cmd[1:]), "sched": None,
                "seconds": timeout}
    secs = time.monotonic() - t0
    out = r.stdout + r.stderr
    if r.returncode == 0:
        last = r.stdout.strip().split("\n")[-1] if r.stdout.strip() else ""
        return {"passed": True, "summary": last, "reason": None, "reproduce": None,
                "sched": None, "seconds": secs}
    fails = FAIL_RE.findall(r.stdout) or FAIL_RE.findall(out)
    repro = REPRO_RE.findall(r.stdout) or REPRO_RE.findall(out)
    reason = fails[-1][2] if fails else out.strip().split("\n")[-1][:300]
    kind = OUTCOME.get(r.returncode, f"exit {r.returncode}")
    summary = reason if reason.startswith(kind.split()[-1]) else f"{reason} ({kind})"
    res = {"passed": False, "summary": summary, "reason": reason,
           "reproduce": repro[-1] if repro else " ".join(["./build/simk"] + cmd[1:]),
           "sched": None, "seconds": secs, "output": out[-4000:]}
    if sched is not None and sched.is_file() and "--replay" in res["reproduce"]:
        res["sched"] = sched
    elif sched is not None and sched.exists():
        sched.unlink()
    # shrink before the schedule's path is shortened: it runs in the tree
    name = f"lab{part['lab']}-{part['slug'][:2]}-{check}-shrunk.sched"
    shrink_hook(simk, tree, res, out_dir / name)
    if res["sched"] is not None:
        res["reproduce"] = res["reproduce"].replace(str(sched), sched.name)
    return res


def shrink_hook(simk, tree, res, shrunk):
    """`simk shrink` (docs/shrink.md) on a failure whose reproducer is a
    `simk run` (any policy; a dfs failure's schedule by its full path): its
    report goes in res["shrunk"] and its schedule to `shrunk`, one file per
    failing check next to the dfs schedules (res["shrunk_sched"]), so every
    printed `shrink: reproduce:` names its own file."""
    if not (res.get("reproduce") or "").startswith("./build/simk run "):
        return
    if (res.get("reason") or "").startswith("step limit of "):
        # an endless loop: every candidate replays the whole step limit, and
        # the shrink of lab 05's stub ran out its 120 s with nothing to show
        return
    args = res["reproduce"].split()[2:]
    if shrunk.exists():
        shrunk.unlink()
    try:
        s = subprocess.run([simk, "shrink"] + args + ["--schedule-out", str(shrunk)],
                           cwd=tree, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return
    if s.returncode in (0, 1, 3, 4) and s.stdout.strip():
        res["shrunk"] = s.stdout.strip()[-3000:].replace(str(shrunk), shrunk.name)
        if shrunk.is_file():
            res["shrunk_sched"] = shrunk


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def grade(args):
    root = Path(args.root).resolve()
    spec = labkit.load_lab(root, args.lab)
    lab_id = spec["id"]
    if args.public_only:
        spec["parts"] = [p for p in spec["parts"] if not p["hidden"]]
    refs = labkit.find_regions(root, lab_id)
    if not refs:
        raise labkit.LabError(f"no LAB {lab_id} markers in the kernel sources of {root}")
    wanted = {name: v for (_, name), v in refs.items()}
    mine = submission_regions(root, lab_id, wanted, args.src)
    gseed = args.grading_seed if args.grading_seed is not None else \
        int.from_bytes(os.urandom(4), "little")

    overrides = {}
    for name, (rel, _) in wanted.items():
        base = overrides.get(rel, (root / rel).read_text())
        overrides[rel] = labkit.splice(base, lab_id, {name: mine[name]}, rel)
    work = Path(args.work) if args.work else root / "build" / "grade" / spec["name"]
    tree = work / "tree"
    work.mkdir(parents=True, exist_ok=True)
    lock = open(work / "lock", "w")  # one grade at a time per copy (closed at exit)
    fcntl.flock(lock, fcntl.LOCK_EX)
    fresh = not tree.exists()
    tree.mkdir(parents=True, exist_ok=True)
    labkit.sync_tree(root, tree, overrides)
    if fresh:
        labkit.seed_build(root, tree, args.variant)
    out_dir = (Path(args.out) if args.out else work / "out").resolve()  # cwd is the tree
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    t_start = time.monotonic()
    report, tests = [], []
    say = report.append
    say(f"simk grade: lab {spec['name']} — {spec['title']}")
    say(f"grading seed {gseed} (the same grade again: --grading-seed {gseed}); "
        f"build {'VARIANT=' + args.variant if args.variant else 'default (-O2)'}; "
        f"runs x{args.scale:g}")
    if args.src is not None:
        same = [n for n in sorted(mine) if labkit.normalise(mine[n]) ==
                labkit.normalise(wanted[n][1])]
        if same:
            say(f"note (for the teacher): region(s) {', '.join(same)} are the reference "
                "text up to comments and spaces")
    t0 = time.monotonic()
    ok, log = labkit.build(tree, args.variant, args.jobs)
    say(f"build: {'ok' if ok else 'FAILED'} ({time.monotonic() - t0:.0f}s)")
    simk = "./" + str(labkit.simk_binary(tree, args.variant).relative_to(tree))
    total = max_total = 0.0
    for n, part in enumerate(spec["parts"], 1):
        part["slug"] = f"{n:02d}-{slug(part['name'])}"
        part["lab"] = spec["id"]
        part["rel"] = os.path.relpath(part["path"], root)
        part["runs_scaled"] = max(1, int(round(part["runs"] * args.scale)))
        checks = ["written"] + list(part["policies"])
        share = float(part["points"]) / len(checks)
        got = 0.0
        lines = []
        for check in checks:
            seed = derive_seed(gseed, spec["name"], part["name"], check)
            if not ok:
                res = {"passed": False, "summary": "not run: the build failed", "reason":
                       "build failed", "reproduce": None, "sched": None}
            else:
                res = run_check(simk, tree, part, check, seed, out_dir, args.timeout)
            what = "as written" if check == "written" else \
                f"{check} x{part['runs_scaled']}" + (f" bound {part['bound']}"
                                                      if check == "dfs" else "")
            score = share if res["passed"] else 0.0
            got += score
            text = [f"  {'ok  ' if res['passed'] else 'FAIL'} {what}: {res['summary']}"]
            if not res["passed"] and res.get("reproduce"):
                text.append(f"       reproduce: {res['reproduce']}")
                if res.get("sched"):
                    text.append(f"       {res['sched'].name} (also in {res['sched'].parent}):")
                    text.append("       " + res["sched"].read_text().strip()
                                .replace("\n", "\n       ")[:3000])
                if res.get("shrunk"):
                    text.append("       shrunk schedule:\n       " +
                                res["shrunk"].replace("\n", "\n       "))
                if res.get("shrunk_sched"):
                    text.append(f"       {res['shrunk_sched'].name} "
                                f"(also in {res['shrunk_sched'].parent}):")
                    text.append("       " + res["shrunk_sched"].read_text().strip()
                                .replace("\n", "\n       ")[:3000])
            lines += text
            tests.append({
                "name": f"{spec['id']} {part['name']} [{what}]",
                "number": f"{n}.{checks.index(check) + 1}",
                "score": round(score, 4), "max_score": round(share, 4),
                "status": "passed" if res["passed"] else "failed",
                "output": "\n".join(t.strip() for t in text)
                + ("\n\n" + log if not ok and check == "written" else ""),
                "visibility": "after_published" if part["hidden"] else "visible",
                "tags": [check] + (["hidden"] if part["hidden"] else []),
            })
        total += got
        max_total += part["points"]
        say(f"{got:6.2f} / {part['points']:<4} {'[hidden] ' if part['hidden'] else ''}"
            f"{part['name']}  ({part['scenario']})")
        report += lines
    if not ok:
        say("build output:\n" + log)
    say(f"score: {total:.2f} / {max_total:g}")
    text = "\n".join(report)
    print(text)
    if args.json:
        res = {"score": round(total, 4), "execution_time": round(time.monotonic() - t_start, 1),
               "output": text, "stdout_visibility": "visible",
               "visibility": "visible", "tests": tests,
               "extra_data": {"lab": spec["name"], "grading_seed": gseed,
                              "max_score": max_total, "variant": args.variant}}
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0 if total >= max_total - 1e-9 else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lab", help="the lab: NN or NN-name (labs/kernel/)")
    ap.add_argument("--src", help="the submission: a tree, a folder of files, or a .patch "
                    "(default: this tree's own regions, i.e. the reference)")
    ap.add_argument("--json", help="write Gradescope's results.json here")
    ap.add_argument("--grading-seed", type=int, help="derive the explored seeds from it "
                    "(default: drawn now, and printed)")
    ap.add_argument("--variant", default=os.environ.get("GRADE_VARIANT", ""),
                    help="build variant of the graded copy: '' (-O2) or asan, O0, clang")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every part's runs")
    ap.add_argument("--public-only", action="store_true", help="skip the teacher's parts")
    ap.add_argument("--work", help="where the graded copy lives (default build/grade/LAB)")
    ap.add_argument("--out", help="where failing and shrunk schedules go (default WORK/out)")
    ap.add_argument("--jobs", type=int, default=None, help="make -j (default: CPUs)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per check")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[2]),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    try:
        return grade(args)
    except labkit.LabError as e:
        if args.json:  # the autograder shows why nothing was graded
            Path(args.json).write_text(json.dumps(
                {"score": 0.0, "output": f"not graded: {e}", "tests": []}, indent=2) + "\n")
        labkit.die(str(e))


if __name__ == "__main__":
    sys.exit(main())
