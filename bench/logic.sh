#!/usr/bin/env bash
# The logic agent's benchmark: repository index (cold, warm, incremental) and
# warm re-review of a 500-line PR. Usage: bench/logic.sh [WORKDIR]
# Optionally set REAL_SRC to a source tree to snapshot as a "real" repository
# (default /usr/lib/python3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/logic-bench}
REAL_SRC=${REAL_SRC:-/usr/lib/python3.11}
cmake -S . -B build-bench -DREVIEWER_BUILD_BENCH=ON -DREVIEWER_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j2 --target logic_bench >/dev/null
B=build-bench/bench/logic_bench
uptime
$B generate "$WORK/gen" 5000 200
$B cold "$WORK/gen"
$B review "$WORK/gen"
$B incremental "$WORK/gen"
if [ -d "$REAL_SRC" ]; then
  $B import "$REAL_SRC" "$WORK/real"
  $B cold "$WORK/real" main
fi
