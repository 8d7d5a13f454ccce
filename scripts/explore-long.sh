#!/usr/bin/env bash
# Long explorations, not run in CI: every scenario under scenarios/ and
# labs/ that is meant to pass (no "# simk: expect-failure" line: the labs'
# solution/fixed.scn) is explored with many seeds under random and pct, and
# with the exhaustive search (dfs with partial-order reduction, capped at
# RUNS paths; BOUND preemptions per path when BOUND is set).
#   RUNS=200000 BOUND=3 JOBS=4 make explore-long
# JOBS is simk explore's --jobs (default 0: one worker per online CPU); the
# output is the same for every value but for the times.
set -u
SIMK=${SIMK:-build/simk}
RUNS=${RUNS:-100000}
BOUND=${BOUND:-}
JOBS=${JOBS:-0}
status=0
while IFS= read -r f; do
	if grep -q '^# simk: expect-failure' "$f"; then
		continue
	fi
	for pol in random pct; do
		echo "== $f ($pol, $RUNS runs)"
		"$SIMK" explore "$f" --runs "$RUNS" --policy "$pol" --jobs "$JOBS" || status=1
	done
	echo "== $f (dfs${BOUND:+, bound $BOUND})"
	"$SIMK" explore "$f" --policy dfs ${BOUND:+--bound "$BOUND"} --runs "$RUNS" --jobs "$JOBS" ||
		status=1
done < <(find scenarios labs -name '*.scn' | sort)
exit $status
