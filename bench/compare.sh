#!/usr/bin/env bash
# Compares two builds of one benchmark on a shared, noisy machine: runs
# binary A, then B, N times (A B A B ...; each run BENCH_ROUNDS rounds, 5
# unless set), and prints, for each bench line they print, the median of
# each build's ratios and the median of the per-pair quotient A/B with its
# range. The per-pair quotient is what to read: the two runs of a pair
# meet the same neighbours (docs/bench.md, "How every bench measures").
#
#   bench/compare.sh OLD/bench/explore_small build/bench/explore_small 30
#   bench/compare.sh A B 30 bench/explore_small.scn   # arguments for both
set -u
if [[ $# -lt 2 || ! -x $1 || ! -x $2 ]]; then
	echo "usage: bench/compare.sh A_BINARY B_BINARY [PAIRS] [ARGS...]" >&2
	exit 2
fi
a=$1 b=$2
pairs=${3:-20}
shift $(($# < 3 ? $# : 3))
if ! [[ $pairs =~ ^[1-9][0-9]*$ ]]; then
	echo "bench/compare.sh: PAIRS must be a positive integer, not '$pairs'" >&2
	exit 2
fi
export BENCH_ROUNDS=${BENCH_ROUNDS:-5}

# The "name ratio" pairs of one run's bench lines.
ratios() {
	"$@" | awk '$1 == "bench" { for (i = 2; i <= NF; i++) if ($i ~ /^ratio=/) print $2, substr($i, 7) }'
	return "${PIPESTATUS[0]}"
}

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for ((i = 0; i < pairs; i++)); do
	ra=$(ratios "$a" "$@") || { echo "bench/compare.sh: $a failed" >&2; exit 1; }
	rb=$(ratios "$b" "$@") || { echo "bench/compare.sh: $b failed" >&2; exit 1; }
	# one row per bench line: name, A's ratio, B's ratio
	join <(sort <<<"$ra") <(sort <<<"$rb") >>"$rows"
done

awk '
function median(v, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{
	n[$1]++; k = n[$1]
	A[$1, k] = $2; B[$1, k] = $3; Q[$1, k] = $3 > 0 ? $2 / $3 : 0
}
END {
	for (name in n) {
		m = n[name]; lo = ""; hi = ""
		for (k = 1; k <= m; k++) {
			va[k] = A[name, k]; vb[k] = B[name, k]; vq[k] = Q[name, k]
			if (lo == "" || vq[k] < lo) lo = vq[k]
			if (hi == "" || vq[k] > hi) hi = vq[k]
		}
		printf "%s: A median %.3f  B median %.3f  A/B per pair median %.3f [%.3f..%.3f] pairs=%d\n",
		       name, median(va, m), median(vb, m), median(vq, m), lo, hi, m
	}
}' "$rows" | sort
