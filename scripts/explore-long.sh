#!/usr/bin/env bash
# Long explorations, not run in CI: every scenario under scenarios/ and
# labs/ that is meant to pass (no "# simk: expect-failure" line: the labs'
# solution/fixed.scn) is explored with many seeds under random and pct, and
# with the exhaustive search (dfs with partial-order reduction, capped at
# RUNS paths; BOUND preemptions per path when BOUND is set).
#   RUNS=200000 BOUND=3 JOBS=4 make explore-long
# JOBS is simk explore's --jobs (default 0: one worker per online CPU); the
# output is the same for every value but for the times.
# Then the power-cut campaign (tests/unit/test_vfs_power_campaign.c): every
# fault point (the device's and kmem/alloc/enomem) x 5 probabilities x 3
# policies x CAMPAIGN_SEEDS seeds (default 200: 24,000 runs, about two
# minutes), checking that acknowledged data survives every power cut and
# every device and AIO request ends once.
set -u
SIMK=${SIMK:-build/simk}
UNIT=${UNIT:-build/tests/unit}
RUNS=${RUNS:-100000}
BOUND=${BOUND:-}
JOBS=${JOBS:-0}
CAMPAIGN_SEEDS=${CAMPAIGN_SEEDS:-200}
status=0
echo "== power-cut campaign ($CAMPAIGN_SEEDS seeds per point, probability and policy)"
SIMK_POWER_CAMPAIGN_SEEDS=$CAMPAIGN_SEEDS "$UNIT" --filter 'vfs_power_campaign/*' || status=1
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
