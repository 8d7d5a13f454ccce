"""A search split over machines (docs/scale.md): explore --json, simk merge,
and the GNU parallel and Slurm recipes, run here on localhost. The merged
report is the one-process search's: the globally lowest failing seed with
the same FAIL line, or the same number of distinct hashes."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT, SCENARIOS, SIMK, run_simk

LOST = SCENARIOS / "lost-wakeup.scn"
DEMO = SCENARIOS / "demo.scn"
EXAMPLES = ROOT / "examples" / "scale"


def shards(tmp_path, scenario, runs, k, *extra):
    paths = []
    for i in range(k):
        r = run_simk("explore", scenario, "--runs", runs, "--shard", f"{i}/{k}", "--json",
                     *extra)
        assert r.code in (0, 1, 3, 4), r
        assert r.err == "", r  # --json: no failure report on stderr
        p = tmp_path / f"shard-{i}.json"
        p.write_text(r.out)
        paths.append(p)
    return paths


def test_json_result_of_a_passing_search():
    r = run_simk("explore", DEMO, "--runs", 30, "--json")
    assert r.code == 0, r
    j = json.loads(r.out)
    assert j["simk"] == "explore" and j["format"] == 1
    assert j["file"] == str(DEMO) and j["mode"] == "seeds" and j["policy"] == "random"
    assert (j["seed_start"], j["runs"], j["ran"], j["shard"]) == (1, 30, 30, None)
    assert j["complete"] is True and j["failure"] is None and j["distinct_exact"] is True
    assert j["distinct_hashes"] == len(set(j["hashes"])) == len(j["hashes"])
    text = run_simk("explore", DEMO, "--runs", 30)
    assert f"distinct hashes={j['distinct_hashes']}," in text.last


def test_json_result_of_a_failing_search_names_its_reproducer():
    r = run_simk("explore", LOST, "--runs", 100, "--json")
    text = run_simk("explore", LOST, "--runs", 100)
    assert r.code == text.code == 4
    j = json.loads(r.out)
    f = j["failure"]
    assert (f["seed"], f["run"], f["outcome"]) == (11, 11, 4) and j["ran"] == 11
    assert f["result"] == text.last
    assert f["reproduce"].endswith("run %s --seed 11 --policy random --preempt 0.25" % LOST)
    assert f["schedule"] is None and j["complete"] is False


def test_json_is_the_same_with_jobs():
    a = run_simk("explore", DEMO, "--runs", 40, "--json")
    b = run_simk("explore", DEMO, "--runs", 40, "--json", "--jobs", 2)
    assert a.code == b.code == 0
    ja, jb = json.loads(a.out), json.loads(b.out)
    assert sorted(ja.pop("hashes")) == sorted(jb.pop("hashes"))
    assert ja == jb


def test_merged_failure_is_the_lowest_failing_seed_of_the_whole_search(tmp_path):
    one = run_simk("explore", LOST, "--runs", 100)
    r = run_simk("merge", *shards(tmp_path, LOST, 100, 4))
    assert r.code == one.code == 4, r
    assert r.last == one.last, (r.out, one.last)
    assert "the lowest failing seed is 11 (shard 2/4" in r.out
    assert "reproduce: " in r.out


def test_merged_pass_counts_the_distinct_hashes_of_every_shard(tmp_path):
    one = run_simk("explore", DEMO, "--runs", 60)
    r = run_simk("merge", *shards(tmp_path, DEMO, 60, 3))
    assert r.code == 0, r
    distinct = one.last.split("distinct hashes=")[1].split(",")[0]
    assert r.last == ("merged 3 shards: explored 60 runs (policy random, seeds 1..60): "
                      f"all passed, distinct hashes={distinct}"), r.last


def test_merge_json_and_json_lines(tmp_path):
    paths = shards(tmp_path, LOST, 100, 4)
    lines = tmp_path / "all.jsonl"
    lines.write_text("".join(p.read_text() for p in paths))
    r = run_simk("merge", lines, "--json")
    assert r.code == 4, r
    j = json.loads(r.out)
    assert j["shard"] is None and j["shards"] == 4
    assert j["failure"]["seed"] == 11 and j["failure"]["shard"] == {"index": 2, "count": 4}


def test_merge_refuses_what_is_not_one_whole_search(tmp_path):
    paths = shards(tmp_path, DEMO, 20, 3)
    r = run_simk("merge", *paths[:2])
    assert r.code == 2 and "2 of 3 shards given" in r.err, r
    r = run_simk("merge", paths[0], paths[1], paths[1])
    assert r.code == 2 and "are both shard 1/3" in r.err, r
    (tmp_path / "o").mkdir()
    other = shards(tmp_path / "o", DEMO, 21, 3)
    r = run_simk("merge", paths[0], paths[1], other[2])
    assert r.code == 2 and "runs 21, not 20" in r.err, r
    bad = tmp_path / "bad.json"
    for text, msg in [("", "empty"), ("{\"simk\": ", "not JSON"), ("[1, 2]", "not a result"),
                      ('{"simk": "explore", "format": 99}', "format"),
                      ('{"simk": "explore", "format": 1}', "a field is missing")]:
        bad.write_text(text)
        r = run_simk("merge", bad)
        assert r.code == 2 and msg in r.err, (text, r)
    r = run_simk("merge", tmp_path / "nope.json")
    assert r.code == 2 and "cannot open" in r.err, r


def recipe_body(path):
    """The commands of a recipe script: after its comment header."""
    lines = path.read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("set -euo"))
    head = [l for l in lines[:start] if l.startswith("#SBATCH")]
    return "\n".join(head + lines[start:])


def test_the_docs_show_the_recipes_that_are_tested():
    doc = (ROOT / "docs" / "scale.md").read_text()
    for script in ("explore-parallel.sh", "explore-slurm.sbatch"):
        body = recipe_body(EXAMPLES / script)
        if script.endswith(".sh"):
            body = body.split("\n", 1)[1]  # the doc's block starts after `set`
        assert body.strip() in doc, script


@pytest.mark.skipif(shutil.which("parallel") is None, reason="GNU parallel not installed")
def test_gnu_parallel_recipe_on_localhost(tmp_path):
    env = dict(os.environ, SIMK=str(SIMK))
    for scenario, runs in ((LOST, 100), (DEMO, 40)):
        p = subprocess.run(["bash", str(EXAMPLES / "explore-parallel.sh"), str(scenario),
                            str(runs), "5", ":"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=300)
        one = run_simk("explore", scenario, "--runs", runs)
        assert p.returncode == one.code, (p.stdout, p.stderr)
        last = p.stdout.rstrip("\n").split("\n")[-1]
        if one.code == 0:
            distinct = one.last.split("distinct hashes=")[1].split(",")[0]
            assert last.endswith(f"distinct hashes={distinct}"), p.stdout
        else:
            assert last == one.last, (p.stdout, one.last)
        assert len((tmp_path / "shards.jsonl").read_text().splitlines()) == 5


def test_slurm_recipe_with_the_array_variables_set_by_hand(tmp_path):
    k = 4
    for task in range(k):
        env = dict(os.environ, SIMK=str(SIMK), SCENARIO=str(LOST), RUNS="100",
                   SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_COUNT=str(k))
        p = subprocess.run(["bash", str(EXAMPLES / "explore-slurm.sbatch")], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
    files = sorted(tmp_path.glob("simk-shard-*.json"))
    assert len(files) == k
    r = run_simk("merge", *files)
    one = run_simk("explore", LOST, "--runs", 100)
    assert r.code == one.code == 4 and r.last == one.last, r
