#!/usr/bin/env bash
# explore-parallel.sh SCENARIO RUNS SHARDS [SSHLOGINS]
#
# One `simk explore` search split into SHARDS shards, run by GNU parallel on
# this machine or on the hosts of SSHLOGINS (parallel's --sshlogin list, for
# example "8/host1,8/host2,:" — ":" is this machine), then merged into the
# report the search would have made in one process. simk and the scenario
# must be at the same absolute paths on every host. The shards' JSON results
# come back on parallel's stdout, one per line (shards.jsonl); `simk merge`
# reads them. Exit code: merge's (the failure's outcome, or 0).
# docs/scale.md; tests/py/test_scale.py runs it on localhost.
set -euo pipefail
scenario=$(realpath "$1")
runs=$2
shards=$3
logins=${4:-:}
simk=${SIMK:-simk}
# a shard that finds a failure exits non-zero: that is a result, not an error
seq 0 $((shards - 1)) |
	parallel --sshlogin "$logins" --halt never \
		"$simk" explore "$scenario" --runs "$runs" --shard {}/"$shards" --json --quiet \
		>shards.jsonl || true
exec "$simk" merge shards.jsonl
