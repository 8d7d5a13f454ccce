#!/usr/bin/env bash
# Runs every benchmark binary of a build folder; each prints lines of the form
#   bench <name> <value> <unit> baseline=<value> ratio=<r> spread=<lo>..<hi> rounds=<n>
# (bench/bench.h, docs/bench.md).
set -u
dir=${1:-build}
status=0
for b in "$dir"/bench/*; do
	[[ -f $b && -x $b ]] || continue # not the guest programs' folders
	"$b" || { echo "bench $(basename "$b") FAILED" >&2; status=1; }
done
exit $status
