#!/bin/sh
# Side-by-side subprocess benchmark: forkjs, Python and Go, alternated
# ROUNDS times (A B C A B C ...) because the machine's speed drifts.
# Usage: scripts/bench/run.sh FORKJS PYTHON [ROUNDS] [SPAWNS] [MIB] [REPS]
# PYTHON should be a clean venv's python3 (see BENCHMARKING.md).
set -e
dir=$(dirname "$0")
forkjs=$1 python=$2 rounds=${3:-4} spawns=${4:-1000} mib=${5:-64} reps=${6:-5}
(cd "$dir/spawngo" && go build -o /tmp/spawngo.$$ .)
for i in $(seq "$rounds"); do
	echo "round $i"
	"$forkjs" "$dir/subprocess_bench.js" "$spawns" "$mib" "$reps" | sed 's/^/  forkjs /'
	"$python" "$dir/subprocess_bench.py" "$spawns" "$mib" "$reps" | sed 's/^/  python /'
	/tmp/spawngo.$$ "$spawns" "$mib" "$reps" | sed 's/^/  go     /'
done
rm -f /tmp/spawngo.$$
