#!/usr/bin/env bash
# Times `reviewer review` and diff extraction on generated pull requests of
# 100 to 100,000 changed lines (and one of 5,000 files), against
# `git diff --stat main...pr && git diff main...pr` in the same run.
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DREVIEWER_BUILD_BENCH=ON -DREVIEWER_BUILD_TESTS=OFF
#   cmake --build build-bench -j2 --target bench_gen_repo bench_diff reviewer
#   bench/review.sh [BUILD_DIR]        # BUILD_DIR defaults to build-bench
#
# Environment: BENCH_DIR (repositories; default $TMPDIR/reviewer-bench),
# RUNS (runs per measurement, default 5; the median is reported).
# Prints a Markdown table: median wall time and CPU time (user+sys) in ms,
# and the highest peak RSS in MB, per command. Without the reviewer binary
# only bench_diff (Repository::diff) and git are measured. It also checks
# that the hunks Repository::diff extracts are byte-identical to git's.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
out=${BENCH_DIR:-${TMPDIR:-/tmp}/reviewer-bench}
runs=${RUNS:-5}
gen=$build/bench/bench_gen_repo
bdiff=$build/bench/bench_diff
reviewer=$build/bin/reviewer

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing: run scripts/install-deps.sh" >&2; exit 1; }
command -v git >/dev/null || { echo "bench: git is missing (the baseline): run scripts/install-deps.sh" >&2; exit 1; }
if [ ! -x "$gen" ] || [ ! -x "$bdiff" ]; then
  echo "bench: build the tools first (see the top of $0)" >&2
  exit 1
fi
[ -x "$reviewer" ] || { echo "bench: $reviewer not built: measuring diff extraction and git only" >&2; reviewer=""; }

mkdir -p "$out"
"$gen" "$out" >&2
# Real mirrors are packed; RepoBuilder writes loose objects.
for r in "$out"/*/; do
  compgen -G "$r/objects/pack/*.pack" >/dev/null || { git -C "$r" repack -adq && git -C "$r" prune-packed; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure CMD: runs it $runs times; prints "wall_ms cpu_ms rss_mb" (medians,
# and the highest RSS). Exit codes 0, 2 and 3 are verdicts, 1 is a failure.
measure() {
  local cmd=$1 walls=() cpus=() rss=0 start end rc
  for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    rc=0
    /usr/bin/time -f "%U %S %M" -o "$tmp/time" sh -c "$cmd" >/dev/null 2>"$tmp/err" || rc=$?
    end=$EPOCHREALTIME
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && [ "$rc" -ne 3 ]; then
      echo "bench: '$cmd' failed ($rc): $(tail -n 3 "$tmp/err")" >&2
      echo "fail fail fail"
      return
    fi
    read -r user sys kb < <(tail -n 1 "$tmp/time")
    walls+=("$(echo "($end - $start) * 1000" | bc -l)")
    cpus+=("$(echo "($user + $sys) * 1000" | bc -l)")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%.0f %.0f %.1f\n' "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)"
}

# Hunks as git prints them, without the per-file header lines.
git_hunks() {
  git -C "$1" diff main...pr | grep -v -E '^(diff --git|index |--- |\+\+\+ |new file mode|deleted file mode|similarity index|rename from|rename to|old mode|new mode|Binary files)'
}

echo "| PR | files | +/- | reviewer wall ms | reviewer cpu ms | reviewer RSS MB | diff extraction wall ms | cpu ms | RSS MB | git diff --stat + git diff wall ms | cpu ms | RSS MB | extraction / git (cpu) | hunks identical to git |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for name in pr-100 pr-1000 pr-10000 pr-100000 files-5000; do
  r=$out/$name
  stats=$(git -C "$r" diff --shortstat main...pr)
  files=$(echo "$stats" | grep -o '^ *[0-9]*' | tr -d ' ')
  plus=$(echo "$stats" | grep -o '[0-9]* insertion' | grep -o '[0-9]*' || echo 0)
  minus=$(echo "$stats" | grep -o '[0-9]* deletion' | grep -o '[0-9]*' || echo 0)
  if [ -n "$reviewer" ]; then
    read -r rw rc rm < <(measure "'$reviewer' review --repo '$r' --base main --head pr --format json --no-audit")
  else
    rw=-; rc=-; rm=-
  fi
  read -r dw dc dm < <(measure "'$bdiff' '$r' main pr 1")
  read -r gw gc gm < <(measure "git -C '$r' diff --stat main...pr && git -C '$r' diff main...pr")
  ratio=$(echo "scale=2; $dc / $gc" | bc -l 2>/dev/null || echo -)
  same=no
  cmp -s <("$bdiff" "$r" main pr --patch) <(git_hunks "$r") && same=yes
  echo "| $name | $files | +$plus/-$minus | $rw | $rc | $rm | $dw | $dc | $dm | $gw | $gc | $gm | $ratio | $same |"
done
