"""bench/compare.sh: two builds of a bench, alternated, their medians and
the per-pair quotient.

The benches themselves are stood in for by small scripts that print bench
lines with ratios from a list (one per call), so the arithmetic is checked
against values worked out by hand; the real benches' output format is
test_bench_runs.py's.
"""
import subprocess

from conftest import ROOT

COMPARE = ROOT / "bench" / "compare.sh"


def fake_bench(path, name, ratios, extra_line=None):
    """A bench that prints, at its k-th call, a line with ratios[k]."""
    counter = path.with_suffix(".n")
    counter.write_text("0")
    lines = [
        "#!/bin/sh",
        f'n=$(cat "{counter}")',
        f'echo $((n + 1)) > "{counter}"',
        f"set -- {' '.join(str(r) for r in ratios)}",
        'shift "$n"',
        "echo '# a comment line'",
        f'echo "bench {name} 100.0 ns/op baseline=10.0 ratio=$1 spread=$1..$1 rounds=5"',
    ]
    if extra_line:
        lines.append(f"echo '{extra_line}'")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o755)
    return path


def compare(*args):
    return subprocess.run(["bash", str(COMPARE), *map(str, args)], capture_output=True,
                          text=True, timeout=60)


def test_medians_and_per_pair_quotient(tmp_path):
    a = fake_bench(tmp_path / "a", "small", [2.0, 6.0, 4.0])
    b = fake_bench(tmp_path / "b", "small", [4.0, 4.0, 2.0])
    r = compare(a, b, 3)
    assert r.returncode == 0, r.stderr
    # A: 2 6 4 -> 4; B: 4 4 2 -> 4; A/B per pair: 0.5 1.5 2 -> 1.5
    assert r.stdout == ("small: A median 4.000  B median 4.000  "
                        "A/B per pair median 1.500 [0.500..2.000] pairs=3\n")


def test_an_even_count_takes_the_mean_of_the_middle_two(tmp_path):
    a = fake_bench(tmp_path / "a", "x", [1.0, 2.0, 3.0, 8.0])
    b = fake_bench(tmp_path / "b", "x", [1.0, 1.0, 1.0, 1.0])
    r = compare(a, b, 4)
    assert r.returncode == 0, r.stderr
    assert "x: A median 2.500  B median 1.000  A/B per pair median 2.500 [1.000..8.000] pairs=4" \
        in r.stdout


def test_each_bench_line_of_a_binary_is_compared_on_its_own(tmp_path):
    extra = "bench second 5.0 ns/op baseline=5.0 ratio=0.25 spread=0.25..0.25 rounds=5"
    a = fake_bench(tmp_path / "a", "first", [3.0, 3.0], extra_line=extra)
    b = fake_bench(tmp_path / "b", "first", [1.0, 1.0], extra_line=extra)
    r = compare(a, b, 2)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "first: A median 3.000  B median 1.000  A/B per pair median 3.000 [3.000..3.000] pairs=2",
        "second: A median 0.250  B median 0.250  A/B per pair median 1.000 [1.000..1.000] pairs=2",
    ]


def test_a_failing_bench_stops_the_comparison(tmp_path):
    a = fake_bench(tmp_path / "a", "x", [1.0])
    b = tmp_path / "b"
    b.write_text("#!/bin/sh\necho 'bench x 1 ns/op baseline=1 ratio=1 spread=1..1 rounds=5'\nexit 3\n")
    b.chmod(0o755)
    r = compare(a, b, 2)
    assert r.returncode == 1
    assert f"{b} failed" in r.stderr


def test_bad_arguments_get_the_usage(tmp_path):
    a = fake_bench(tmp_path / "a", "x", [1.0])
    for args, message in [((), "usage: bench/compare.sh"),
                          ((a, tmp_path / "missing"), "usage: bench/compare.sh"),
                          ((a, a, "0"), "PAIRS must be a positive integer, not '0'"),
                          ((a, a, "many"), "PAIRS must be a positive integer, not 'many'")]:
        r = compare(*args)
        assert r.returncode == 2, args
        assert message in r.stderr, (args, r.stderr)
