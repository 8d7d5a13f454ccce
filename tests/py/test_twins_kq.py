"""Guest twins of the kqueue race scenarios (tests/twins/kq/<scenario>.c,
the C programs of scenarios/kq/<scenario>.scn) and the kqueue example
(examples/guest/kq_edge_drain.c).

Each twin checks the scenario's invariant itself and prints which of its
outcomes the run reached; with the argument `forbid=NAME` reaching NAME
fails the run. So: explored under random and pct every seed passes; for
each outcome, `explore -- forbid=NAME` finds a seed that reaches it (the
outcome is possible), and that seed replays to the same output and trace
hash, by seed and by schedule file.

Also: <sys/event.h> compiles a BSD program in strict C (-std=c11
-pedantic, where glibc hides u_short & co.) with gcc and clang.

The NOTE_TRACK twins (track-fork-early-exit, track-fork-vs-register)
fork guest processes that meet through pipes where the scenarios share
variables, and check what a program sees (not the kernel's kq_stat
counters).
"""
import os
import re
import subprocess

import pytest

from conftest import ROOT, SIMK
from twins import built, invariant_holds, outcome_reached_and_replays, seed_of

SCENARIOS = ROOT / "scenarios" / "kq"
TWINS = SIMK.parent / "tests" / "twins" / "kq"
EXAMPLE = SIMK.parent / "examples" / "guest" / "kq_edge_drain"
RUNS = 1500

# twin -> (its outcomes, extra explore options: the scenario's header)
OUTCOMES = {
    "two-scanners": (["split", "alone", "batch", "both"], []),
    "activate-during-scan": (["again", "batch"], []),
    "close-vs-register": (["ebadf", "added"], []),
    "delete-vs-timer": (["fired", "gone", "kept"], ["--irq", 0.5]),
    "dispatch-reenable": (["merged", "separate"], []),
    "track-fork-early-exit": (["trackerr", "separate", "together"], []),
    "track-fork-vs-register": (["each", "merged"], []),
    "port-close-vs-register": (["ebadf", "added"], []),
}


def twin(name):
    return built(TWINS / name)



def test_every_race_scenario_has_a_twin():
    races = {p.stem for p in SCENARIOS.glob("*.scn")}
    assert races == set(OUTCOMES)
    srcs = {p.stem for p in (ROOT / "tests" / "twins" / "kq").glob("*.c")}
    assert srcs == set(OUTCOMES)


@pytest.mark.parametrize("policy", ["random", "pct"])
@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_twin_invariant_holds_on_every_seed(simk, name, policy):
    invariant_holds(simk, twin(name), RUNS, policy, OUTCOMES[name][1])


@pytest.mark.parametrize("name,outcome",
                         [(n, o) for n in sorted(OUTCOMES) for o in OUTCOMES[n][0]])
def test_twin_outcome_is_reached_and_replays(simk, tmp_path, name, outcome):
    outcome_reached_and_replays(simk, tmp_path, twin(name), outcome, RUNS, OUTCOMES[name][1])


def test_example_race_is_found_and_replays(simk, tmp_path):
    if not EXAMPLE.exists():
        pytest.fail(f"{EXAMPLE} not built: run `make`")
    e = simk("explore", EXAMPLE, "--runs", 1000)
    assert e.code == 4 and "deadlock" in e.last, e
    assert re.search(r"consumer \(tid \d+\) sleeps on kqread at kq_edge_drain\.c:\d+: kevent\(\)",
                     e.err), e.err
    seed = seed_of(e.out + e.err)
    sched = tmp_path / "fail.sched"
    first = simk("run", EXAMPLE, "--seed", seed, "--policy", "random", "--preempt", 0.25,
                 "--schedule-out", sched)
    assert first.code == 4 and "deadlock" in first.last, first
    again = simk("run", EXAMPLE, "--replay", sched)
    assert again.code == 4 and again.out == first.out, again
    # a fifo run (no preemption) reads every message: the race needs the interleaving
    ok = simk("run", EXAMPLE, "--quiet")
    assert ok.passed and "all 3 messages read" in ok.out, ok


BSD_PROGRAM = """\
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    struct kevent kev[2];
    u_short flags = EV_ADD | EV_ENABLE;
    u_int fflags = NOTE_MSECONDS;
    int kq = kqueue();
    EV_SET(&kev[0], 1, EVFILT_TIMER, flags | EV_ONESHOT, fflags, 5, 0);
    EV_SET(&kev[1], SIGINT, EVFILT_SIGNAL, flags, 0, 0, NULL);
    int n = kevent(kq, kev, 2, kev, 2, NULL);
    printf("%d %d %zu\\n", n, (int)kev[0].ident, sizeof(struct kevent));
    return close(kq);
}
"""


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("std", ["-std=c11", "-std=gnu17"])
def test_header_compiles_a_bsd_program(simk, tmp_path, cc, std):
    src = tmp_path / "bsd.c"
    src.write_text(BSD_PROGRAM)
    out = tmp_path / "bsd"
    r = subprocess.run([SIMK.parent / "simk-cc", std, "-pedantic", "-Wall", "-Wextra", "-Werror",
                        "-o", out, src], capture_output=True, text=True,
                       env={**os.environ, "CC": cc})
    assert r.returncode == 0, r.stderr
    run = simk("run", out, "--quiet")
    assert run.passed and "1 1 32" in run.out, run
