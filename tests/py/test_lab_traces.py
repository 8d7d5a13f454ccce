"""The scenario labs' READMEs quote the trace of their failing run (section
"What the failure looks like"): a code block holding one `./build/simk run`
command, then code blocks with excerpts of what it prints — the end of the
text trace (stdout) and "how we got here" (stderr). This keeps the quotes
true to the current simk: each command is run once, from the repository
root, with stderr merged into stdout as a terminal shows them, and every
excerpt must be found in that output, in order. A line `...` in an excerpt
stands for lines left out; the lines between two `...` must follow each
other in the output. Virtual times and hashes are deterministic, so lines
compare exactly (trailing blanks aside)."""
import re
import shlex
import subprocess

import pytest

from conftest import ROOT, SIMK

LABS = ROOT / "labs" / "scenario"
SECTION = re.compile(r"^## (?:\d+\. )?What the failure looks like\n(.*?)(?=^## |\Z)", re.S | re.M)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```$", re.S | re.M)
MAX_EXCERPT = 25
ELIDED = "..."


def lab_readmes():
    return sorted(p / "README.md" for p in LABS.iterdir() if (p / "broken.scn").is_file())


def quoted_run(readme):
    """The section's command (argument list) and its excerpt blocks."""
    m = SECTION.search(readme.read_text())
    assert m, f"{readme}: no 'What the failure looks like' section"
    blocks = [b.rstrip("\n").split("\n") for b in FENCE.findall(m.group(1))]
    assert len(blocks) >= 2, f"{readme}: a command block, then at least one excerpt"
    cmd, *excerpts = blocks
    assert len(cmd) == 1 and cmd[0].startswith("./build/simk run "), cmd
    return shlex.split(cmd[0]), [[ln.rstrip() for ln in b] for b in excerpts]


def runs_of_lines(excerpt):
    """The excerpt split at its `...` lines: the runs that must each appear
    as consecutive output lines."""
    runs, cur = [], []
    for line in excerpt:
        if line.strip() == ELIDED:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        runs.append(cur)
    return runs


def find_in_order(output, excerpts):
    """Index after the last matched line, or raises AssertionError naming
    the first excerpt line that is not where it should be."""
    pos = 0
    for excerpt in excerpts:
        for run in runs_of_lines(excerpt):
            at = next((i for i in range(pos, len(output) - len(run) + 1)
                       if output[i:i + len(run)] == run), None)
            if at is None:
                # name the first line of the run missing after pos, for the report
                for k in range(1, len(run) + 1):
                    if not any(output[i:i + k] == run[:k] for i in range(pos, len(output))):
                        raise AssertionError(f"not in the output (in order) any more: {run[k - 1]!r}")
                raise AssertionError(f"lines not in the output in order: {run!r}")
            pos = at + len(run)
    return pos


def test_every_scenario_lab_quotes_its_failure():
    readmes = lab_readmes()
    assert len(readmes) >= 8
    for readme in readmes:
        _, excerpts = quoted_run(readme)
        for e in excerpts:
            assert 0 < len(e) <= MAX_EXCERPT, (readme, len(e))
            assert any(ln.strip() != ELIDED for ln in e), readme


def test_the_matcher_catches_a_changed_line_and_a_wrong_order():
    out = ["a", "b", "c", "d"]
    assert find_in_order(out, [["a", "...", "c", "d"]]) == 4
    with pytest.raises(AssertionError, match="'x'"):
        find_in_order(out, [["a", "x"]])
    with pytest.raises(AssertionError):
        find_in_order(out, [["c"], ["b"]])          # blocks in order too
    with pytest.raises(AssertionError):
        find_in_order(out, [["a", "c"]])            # no `...`: consecutive


@pytest.mark.parametrize("readme", lab_readmes(), ids=lambda p: p.parent.name)
def test_readme_trace_excerpts_match_a_real_run(readme):
    args, excerpts = quoted_run(readme)
    proc = subprocess.run([str(SIMK), *args[1:]], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)
    assert proc.returncode in (1, 4), (args, proc.returncode, proc.stdout[-2000:])
    output = [ln.rstrip() for ln in proc.stdout.split("\n")]
    assert "how we got here (oldest first; each step names the edge it follows):" in output
    try:
        find_in_order(output, excerpts)
    except AssertionError as e:
        pytest.fail(f"{readme.relative_to(ROOT)}: {e}\n(regenerate the excerpt from: "
                    f"{' '.join(args)})")
