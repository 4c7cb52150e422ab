#!/usr/bin/env bash
# Safety agent benchmark (issue 3): throughput on a generated 50 MB mixed
# diff, pathological inputs, and recall/precision on the corpus, each against
# secretlint (recommended preset) on the same content written as files.
# Usage: bench/safety.sh [MB]   (from the repository root; pins to CPU 0)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mb=${1:-50}
build="$root/build-bench"
work=$(mktemp -d "${TMPDIR:-/tmp}/safety-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DREVIEWER_BUILD_BENCH=ON -DREVIEWER_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target safety_bench >/dev/null
if [ ! -x "$root/bench/node/node_modules/.bin/secretlint" ]; then
  npm install --prefix "$root/bench/node" secretlint @secretlint/secretlint-rule-preset-recommend >/dev/null
fi
secretlint="$root/bench/node/node_modules/.bin/secretlint"
rc='{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}'
run="taskset -c 0"

echo "== reviewer safety agent, ${mb} MB mixed diff (one core)"
$run "$build/bench/safety_bench" throughput --mb "$mb" --write-files "$work/files"
bytes=$(find "$work/files" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

echo "== secretlint (preset-recommend) over the same content as $(find "$work/files" -type f | wc -l) files"
( cd "$work/files" && /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
    $run "$secretlint" "**/*" --secretlintrcJSON "$rc" --format json --output "$work/secretlint.json" ) || true
read -r wall user sys rss < "$work/time.txt"
awk -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
  mb = b / 1048576; printf "secretlint: %.1f s cpu, %.2f MB/s cpu; %.1f s wall, %.2f MB/s wall; peak rss %.1f MB\n", u + s, mb / (u + s), w, mb / w, r / 1024 }'

echo "== pathological inputs (reviewer)"
$run "$build/bench/safety_bench" pathological

echo "== corpus tests/data/safety (reviewer, then secretlint on the secret cases written as files)"
$run "$build/bench/safety_bench" corpus --write-files "$work/corpus"
( cd "$work/corpus" && "$secretlint" "case*/**/*" --secretlintrcJSON "$rc" --format json --output "$work/corpus.json" ) || true
python3 "$root/bench/score_secretlint.py" "$work/corpus" "$work/corpus.json" "secretlint secrets only"
