#!/bin/bash
# Runs each libFuzzer harness of build/fuzz/ for FUZZ_SECONDS (default 60),
# one process each, one after the other (the machine is shared: no -jobs).
#   bash fuzz/run.sh [scn_parse_fuzz|scn_run_fuzz ...]   (make fuzz does this)
# Corpora grow in build/fuzz/corpus/NAME (kept between runs); they start
# from every scenarios/**/*.scn, the inputs of fuzz/regressions/ and the
# scenario texts quoted in tests/py. Findings go to build/fuzz/artifacts/.
# FUZZ_ARGS adds libFuzzer options (-max_len=16384, -runs=N, ...).
# Exit status: non-zero when a fuzzer found a crash, leak or timeout.
set -u
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
NAMES=("$@")
[ ${#NAMES[@]} -eq 0 ] && NAMES=(scn_parse_fuzz scn_run_fuzz)

SEEDS=build/fuzz/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS" build/fuzz/artifacts
i=0
while IFS= read -r -d '' f; do
	cp "$f" "$SEEDS/scn-$i"
	i=$((i + 1))
done < <(find scenarios fuzz/regressions -type f \( -name '*.scn' -o -name '*.txt' \) -print0 | sort -z)
/usr/bin/python3 - "$SEEDS" <<'PY'
# string constants of tests/py that look like scenarios
import ast, sys
from pathlib import Path
out, n = Path(sys.argv[1]), 0
for src in sorted(Path("tests/py").glob("*.py")):
    for node in ast.walk(ast.parse(src.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            s = node.value
            if "\n" in s and ("thread " in s or "finally" in s):
                (out / f"py-{n}").write_text(s)
                n += 1
PY

status=0
for name in "${NAMES[@]}"; do
	bin=build/fuzz/$name
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin not built (make fuzz builds it)" >&2
		exit 2
	fi
	corpus=build/fuzz/corpus/$name
	mkdir -p "$corpus"
	echo "fuzz: $name for ${SECONDS_EACH}s (corpus $corpus)"
	rcfile=build/fuzz/.rc-$name
	# shellcheck disable=SC2086
	{
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$bin" "$corpus" "$SEEDS" -dict=fuzz/scn.dict -max_total_time="$SECONDS_EACH" \
			-timeout=25 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
			-artifact_prefix="build/fuzz/artifacts/$name-" ${FUZZ_ARGS:-}
		echo $? >"$rcfile"
	} 2>&1 | grep --line-buffered -v -E '^#[0-9]+.*(NEW|REDUCE)|^".*" # Uses: '
	rc=$(cat "$rcfile")
	if [ "$rc" -ne 0 ]; then
		echo "fuzz: $name found a problem (exit $rc): see build/fuzz/artifacts/" >&2
		status=1
	fi
done
exit $status
