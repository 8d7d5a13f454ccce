#!/bin/bash
# Source coverage of what the fuzz corpora reach:
#   bash fuzz/coverage.sh [NAME...]            (default: both harnesses)
# Builds the harnesses with clang's source coverage (VARIANT=fuzzcov, into
# build/fuzzcov/), replays every input of build/fuzz/corpus/NAME once (no
# fuzzing), and prints llvm-cov's line/branch report for scn/scn_*.c, then
# the total over every file the harness links. COV_FILES='kern/ vfs/' picks
# other folders. The HTML report goes to build/fuzzcov/html-NAME/.
set -u
cd "$(dirname "$0")/.."
NAMES=("$@")
[ ${#NAMES[@]} -eq 0 ] && NAMES=(scn_parse_fuzz scn_run_fuzz)
make --no-print-directory -j2 VARIANT=fuzzcov fuzzers >/dev/null || exit 2
for name in "${NAMES[@]}"; do
	dir=build/fuzzcov/prof-$name
	rm -rf "$dir"
	mkdir -p "$dir"
	LLVM_PROFILE_FILE="$dir/%p.profraw" "build/fuzzcov/$name" -runs=0 \
		"build/fuzz/corpus/$name" >/dev/null 2>&1
	llvm-profdata merge -sparse "$dir"/*.profraw -o "$dir/merged.profdata" || exit 2
	echo "== $name: $(ls "build/fuzz/corpus/$name" | wc -l) inputs"
	# shellcheck disable=SC2086
	llvm-cov report "build/fuzzcov/$name" -instr-profile="$dir/merged.profdata" \
		${COV_FILES:-scn/scn_lex.c scn/scn_parse.c scn/scn_exec.c scn/scn_registry.c} |
		awk 'NR > 2 && NF >= 13 {print $1, "lines", $8, $10, "branches", $11, $13}' | column -t
	llvm-cov report "build/fuzzcov/$name" -instr-profile="$dir/merged.profdata" |
		awk '/^TOTAL/ {print "all files linked: lines", $8, $10, "branches", $11, $13}'
	llvm-cov show "build/fuzzcov/$name" -instr-profile="$dir/merged.profdata" \
		-format=html -output-dir="build/fuzzcov/html-$name" >/dev/null 2>&1
done
