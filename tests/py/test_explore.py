"""simk explore: finding races, reproducing them, sharding the seed space."""
import re
import shlex
import subprocess

import pytest

from conftest import SCENARIOS, run_simk

LOST = SCENARIOS / "lost-wakeup.scn"


def reproducer(r):
    lines = [ln for ln in r.out.splitlines() if ln.startswith("reproduce: ")]
    assert len(lines) == 1, r
    return shlex.split(lines[0][len("reproduce: "):])


# lost-wakeup.scn states: random finds the race at seed 11, pct at seed 9,
# both well within 100 runs.
@pytest.mark.parametrize("policy,seed", [("random", 11), ("pct", 9)])
def test_explore_finds_the_lost_wakeup_and_the_reproducer_reproduces(simk, policy, seed):
    r = simk("explore", LOST, "--runs", 100, "--policy", policy)
    assert r.code == 4, r
    assert f"(seed {seed}, policy {policy}) failed" in r.out
    assert r.last.startswith(f"FAIL seed={seed} ")
    cmd = reproducer(r)
    assert cmd[1:4] == ["run", str(LOST), "--seed"] and cmd[4] == str(seed)
    if policy == "pct":
        assert "--pct-steps" in cmd and "--pct-depth" in cmd
    out = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True)
    assert out.returncode == 4, out.stderr
    assert out.stdout.strip().split("\n")[-1] == r.last


def test_explore_passes_and_summarises(simk):
    r = simk("explore", SCENARIOS / "lost-wakeup-fixed.scn", "--runs", 300)
    assert r.code == 0, r
    assert re.match(r"explored 300 runs \(policy random, seeds 1\.\.300\): all passed, "
                    r"distinct hashes=\d+", r.last), r.last
    assert r.err == "", "no progress bar when stderr is not a terminal"


def test_explore_pct_calibrates_steps_from_a_fifo_run(simk):
    r = simk("explore", SCENARIOS / "demo.scn", "--runs", 50, "--policy", "pct")
    assert r.code == 0, r
    m = re.search(r"pct depth 3 steps (\d+)", r.last)
    assert m and int(m.group(1)) > 10, r.last
    r2 = simk("explore", SCENARIOS / "demo.scn", "--runs", 50, "--policy", "pct",
              "--pct-steps", 7)
    assert "steps 7" in r2.last


def test_explore_uses_random_for_a_fifo_scenario(simk, scn):
    p = scn("policy fifo\nshared x\nthread a\n  x = 1\nthread b\n  x = 2\n")
    assert "policy random" in simk("explore", p, "--runs", 5).last
    assert "policy fifo" in simk("explore", p, "--runs", 5, "--policy", "fifo").last


def test_seed_start_moves_the_window(simk):
    r = simk("explore", LOST, "--runs", 100, "--seed-start", 12, "--policy", "random")
    assert r.code == 4, r
    seed = int(re.search(r"FAIL seed=(\d+)", r.last).group(1))
    assert seed >= 12


def test_shards_partition_the_runs(simk):
    total = 0
    for i in range(4):
        r = simk("explore", SCENARIOS / "mutex-counter.scn", "--runs", 41, "--shard", f"{i}/4")
        assert r.code == 0, r
        n = int(re.match(r"explored (\d+) runs", r.last).group(1))
        assert f"shard {i}/4" in r.last
        assert n in (10, 11)
        total += n
    assert total == 41


@pytest.mark.parametrize("n", [3, 4, 7])
def test_a_failing_seed_belongs_to_its_shard(simk, n):
    found = []
    for i in range(n):
        r = simk("explore", LOST, "--runs", 200, "--shard", f"{i}/{n}", "--policy", "random")
        if r.code == 4:
            seed = int(re.search(r"FAIL seed=(\d+)", r.last).group(1))
            assert (seed - 1) % n == i, (seed, i, n)
            found.append(seed)
        else:
            assert r.code == 0, r
    assert 11 in found, "the shard that owns seed 11 finds it"


def test_explore_stops_at_the_first_failure_with_its_exit_code(simk):
    r = simk("explore", SCENARIOS / "racy-counter.scn", "--runs", 100)
    assert r.code == 1, r
    assert "expect failed: counter == 6" in r.last
    r = simk("explore", SCENARIOS / "unlock-not-owner.scn", "--runs", 10)
    assert r.code == 3 and "(seed 1, policy random) failed" in r.out


def test_explore_fault_options_are_in_the_reproducer(simk):
    r = simk("explore", LOST, "--runs", 100, "--fault", "blk/flush/eio:p=0.5", "--max-steps", 100000)
    assert r.code == 4
    cmd = reproducer(r)
    assert cmd[-4:] == ["--max-steps", "100000", "--fault", "blk/flush/eio:p=0.5"], cmd
    out = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True)
    assert out.returncode == 4


def test_dfs_finds_the_lost_wakeup_within_three_paths_and_replays_it(simk, tmp_path):
    """The waiter must be preempted between its test and its sleep: with no
    preemption allowed the reduced search is complete within the bound and
    says what the bound kept out; without a bound it fails on path 3 or
    before (the first path and the reversals of its races)."""
    r = simk("explore", LOST, "--runs", 1000, "--policy", "dfs", "--bound", 0, cwd=tmp_path)
    assert r.code == 0, r
    assert re.search(r"the search is complete within the bound \(\d+ reorderings were beyond "
                     r"it\)", r.last), r.last
    r = simk("explore", LOST, "--runs", 1000, "--policy", "dfs", cwd=tmp_path)
    assert r.code == 4, r
    m = re.search(r"explore: path (\d+) \(policy dfs, por, no bound\) failed", r.out)
    assert m and int(m.group(1)) <= 3, r.out
    # nothing written unasked (it wrote simk-dfs-failure.sched into the
    # current directory): the reproducer is the search that stops there
    assert list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())
    cmd = reproducer(r)
    assert cmd[1:] == ["explore", str(LOST), "--policy", "dfs", "--seed-start", "1",
                       "--runs", m.group(1)], cmd
    out = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 4
    assert out.stdout.strip().split("\n")[-1] == r.last
    # with --schedule-out, a schedule that `simk run --replay` replays
    sched = tmp_path / "f.sched"
    r = simk("explore", LOST, "--runs", 1000, "--policy", "dfs", "--schedule-out", sched)
    assert r.code == 4 and f"schedule: {sched}" in r.out, r
    cmd = reproducer(r)
    assert cmd[-2:] == ["--replay", str(sched)], cmd
    out = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True)
    assert out.returncode == 4
    assert out.stdout.strip().split("\n")[-1] == r.last


def test_dfs_finds_the_racy_counter_within_three_paths(simk, tmp_path):
    r = simk("explore", SCENARIOS / "racy-counter.scn", "--runs", 1000, "--policy", "dfs",
             cwd=tmp_path)
    assert r.code == 1, r
    m = re.search(r"explore: path (\d+) \(policy dfs, por, no bound\) failed", r.out)
    assert m and int(m.group(1)) <= 3, r.out


def test_dfs_completes_on_a_correct_scenario(simk):
    r = simk("explore", SCENARIOS / "lost-wakeup-fixed.scn", "--runs", 100000, "--policy", "dfs")
    assert r.code == 0, r
    m = re.match(r"explored (\d+) paths \(policy dfs, por, no bound, seed 1, the search is "
                 r"complete\)", r.last)
    assert m and int(m.group(1)) > 5, r.last
    r = simk("explore", SCENARIOS / "lost-wakeup-fixed.scn", "--runs", 3, "--policy", "dfs")
    assert "explored 3 paths" in r.last and "stopped by --runs" in r.last
    # without the reduction, every interleaving within the delay bound
    r = simk("explore", SCENARIOS / "lost-wakeup-fixed.scn", "--runs", 100000, "--policy", "dfs",
             "--por", "off", "--bound", 3)
    m2 = re.match(r"explored (\d+) paths \(policy dfs, por off, bound 3, seed 1, the search is "
                  r"complete within the bound\)", r.last)
    assert m2 and int(m2.group(1)) > int(m.group(1)), r.last


def test_dfs_mutex_counter_is_proved_with_a_few_hundred_paths(simk):
    """Two threads, three locked increments each: every order of the
    dependent steps is one path (checked against a brute-force count of
    the traces of smaller programs in test_dfs_traces.c)."""
    r = simk("explore", SCENARIOS / "mutex-counter.scn", "--runs", 100000, "--policy", "dfs")
    assert r.code == 0, r
    m = re.match(r"explored (\d+) paths \(policy dfs, por, no bound, seed 1, the search is "
                 r"complete\)", r.last)
    assert m and int(m.group(1)) <= 1000, r.last


@pytest.mark.parametrize("scenario", ["kq/two-scanners.scn",
                                      "kq/activate-during-scan.scn"])
def test_dfs_default_path_lets_others_run_at_a_yield(simk, scenario):
    """Threads that poll and `yield` until another thread acts: the search's
    default choice at a yield is another thread (as in fifo), not the
    yielder again forever (that used to hit the path-length assertion)."""
    r = simk("explore", SCENARIOS / scenario, "--runs", 100000, "--policy", "dfs",
             "--por", "off", "--bound", 1)
    assert r.code == 0, r
    assert "the search is complete" in r.last and "all passed" in r.last, r.last


def test_explore_schedule_out_writes_the_failing_run(simk, tmp_path):
    sched = tmp_path / "fail.sched"
    r = simk("explore", SCENARIOS / "racy-counter.scn", "--runs", 100, "--schedule-out", sched)
    assert r.code == 1 and f"schedule: {sched}" in r.out
    again = simk("run", SCENARIOS / "racy-counter.scn", "--replay", sched, "--quiet")
    assert again.code == 1 and again.last == r.last


@pytest.mark.parametrize("args,msg", [
    (["run", LOST, "--policy", "dfs"], "use 'simk explore --policy dfs'"),
    (["explore", LOST, "--runs", 5, "--bound", 2], "--bound applies to --policy dfs"),
    (["explore", LOST, "--runs", 5, "--policy", "dfs", "--bound", "x"], "--bound needs an integer"),
    (["explore", LOST, "--runs", 5, "--policy", "dfs", "--shard", "0/2"],
     "--shard does not apply to --policy dfs"),
    (["explore", LOST, "--runs", 5, "--policy", "dfs", "--por", "maybe"], "--por needs on or off"),
    (["explore", LOST, "--runs", 5, "--por", "off"], "--por applies to --policy dfs"),
])
def test_dfs_usage_errors(simk, args, msg):
    r = simk(*args)
    assert r.code == 2 and msg in r.err, r


def test_progress_bar_only_on_a_terminal(tmp_path):
    """stderr on a pseudo-terminal gets the bar; --quiet turns it off."""
    import os
    import pty
    from conftest import SIMK
    for quiet, expect_bar in ((False, True), (True, False)):
        master, slave = pty.openpty()
        args = [str(SIMK), "explore", str(SCENARIOS / "mutex-counter.scn"), "--runs", "3000"]
        if quiet:
            args.append("--quiet")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        out, _ = proc.communicate(timeout=60)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        err = b"".join(chunks).decode()
        assert proc.returncode == 0
        assert "explored 3000 runs" in out
        assert ("3000/3000 runs" in err) == expect_bar, err
