#!/usr/bin/env bash
# Checks the Debian packages simk needs for one purpose; as root, installs
# what is missing.
#   scripts/deps.sh [GROUP]          install missing packages (root) or print the apt-get line
#   scripts/deps.sh [GROUP] --check  only report; exit 1 when something is missing
# GROUP (default all):
#   run    build build/simk and libsimk.a and run them (make, make run, make install)
#   test   run + what `make test` adds: clang, Criterion, pytest and pytest-xdist
#          (the suite runs on every CPU), jsonschema (the
#          labs grader's results.json is validated), libaio (its headers next to
#          ours), pkg-config (the install test), groff (man page lint), valgrind
#          (tests/py/test_valgrind.py; its header lets sim/ctx.c register the
#          coroutine stacks), GNU parallel (the docs/scale.md recipe,
#          tests/py/test_scale.py), chromium (tests/py/test_trace_html.py opens
#          the HTML timeline headless)
#   bench  run + libaio (bench/aio_roundtrip.c and bench/guest_laio.c measure the
#          host's io_submit)
#   fuzz   run + clang and its libFuzzer/sanitizer runtimes (make fuzz)
#   all    every group (.ci/run)
# A new package goes in the group of the target that needs it.
set -euo pipefail

RUN=(build-essential libfiu-dev)
TEST=(clang libcriterion-dev python3-pytest python3-pytest-xdist python3-jsonschema libaio-dev pkg-config groff-base valgrind
	parallel chromium)
BENCH=(libaio-dev)
FUZZ=(clang libclang-rt-14-dev fiu-utils)

group=all
check=false
for arg in "$@"; do
	case "$arg" in
	--check) check=true ;;
	run | test | bench | fuzz | all) group=$arg ;;
	*)
		echo "usage: scripts/deps.sh [run|test|bench|fuzz|all] [--check]" >&2
		exit 2
		;;
	esac
done

case "$group" in
run) PKGS=("${RUN[@]}") ;;
test) PKGS=("${RUN[@]}" "${TEST[@]}") ;;
bench) PKGS=("${RUN[@]}" "${BENCH[@]}") ;;
fuzz) PKGS=("${RUN[@]}" "${FUZZ[@]}") ;;
all) PKGS=("${RUN[@]}" "${TEST[@]}" "${BENCH[@]}" "${FUZZ[@]}") ;;
esac

missing=()
for p in "${PKGS[@]}"; do
	if [[ " ${missing[*]} " == *" $p "* ]]; then
		continue # named by two groups
	fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi
line="apt-get update && apt-get install -y ${missing[*]}"
if $check; then
	echo "simk: missing packages ($group): ${missing[*]}" >&2
	echo "simk: install them with: $line" >&2
	exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "simk: missing packages ($group): ${missing[*]}" >&2
	echo "simk: run as root: $line" >&2
	exit 1
fi
echo "simk: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
