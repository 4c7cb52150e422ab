#!/usr/bin/env bash
# Issue 17's corpora: reviewer-directed text (tests/data/injection, with its
# two held-out sets) and secrets (tests/data/secrets), scored by the safety
# agent as the tests score them, and the secrets corpus by secretlint 13.0.6
# with @secretlint/secretlint-rule-preset-recommend 13.0.6 (pinned in
# bench/secretlint/package-lock.json) on the same cases written as files.
# Usage: bench/corpora.sh   (from anywhere; builds build-bench/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
work=$(mktemp -d "${TMPDIR:-/tmp}/corpora-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DREVIEWER_BUILD_BENCH=ON -DREVIEWER_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target corpus_bench >/dev/null
npm ci --prefix "$root/bench/secretlint" --no-audit --no-fund --loglevel=error >/dev/null
secretlint="$root/bench/secretlint/node_modules/.bin/secretlint"

echo "== reviewer-directed text (reviewer safety agent)"
"$build/bench/corpus_bench" injection

echo "== secrets (reviewer safety agent)"
"$build/bench/corpus_bench" secrets --write-files "$work/secrets"

echo "== secrets ($("$secretlint" --version | head -1 | sed 's/^/secretlint /'), preset-recommend)"
( cd "$work/secrets" && "$secretlint" "**/*" --secretlintrcJSON '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' \
    --format json --output "$work/secretlint.json" ) || true
python3 "$root/bench/score_secretlint.py" "$work/secrets" "$work/secretlint.json" "secretlint 13.0.6" --list
