#!/usr/bin/env bash
# The history agent's benchmark (issue 16): time-split evaluation of the
# revert-risk model on real repositories, then the index's speed.
#
#   bench/history.sh eval REPO...     `reviewer risk eval` on each (a copy of
#                                     each is indexed in WORK, never the repo)
#   bench/history.sh speed REPO       cold index, incremental updates, warm score
#
# REPO is a git directory or work tree with real history (a full clone).
# Do not use curl/curl, psf/requests or expressjs/express: they are kept for
# independent evaluation. WORK defaults to /tmp/history-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/history-bench}
cmake -S . -B build-bench -DREVIEWER_BUILD_BENCH=ON -DREVIEWER_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build build-bench -j2 --target reviewer history_bench >/dev/null
R=build-bench/bin/reviewer
B=build-bench/bench/history_bench
mode=${1:?usage: bench/history.sh eval|speed REPO...}
shift
uptime
case "$mode" in
  eval)
    for repo in "$@"; do
      name=$(basename "$(dirname "$repo")")
      # A bare copy sharing the objects: the index lands in the copy.
      mkdir -p "$WORK"
      rm -rf "$WORK/$name.git"
      git clone -q --bare --shared "$repo" "$WORK/$name.git"
      echo "== $name"
      $R risk eval --repo "$WORK/$name.git" ${SPLIT:+--split "$SPLIT"}
    done
    ;;
  speed)
    repo=${1:?a repository}
    $B cold "$repo"
    $B incremental "$repo" 50
    $B score "$repo"
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
