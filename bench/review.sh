#!/usr/bin/env bash
# End-to-end speed of `reviewer review --format json --no-audit`, each case
# beside git in the same run. Four modes:
#
#   bench/review.sh [BUILD_DIR]
#       generated PRs of 100 to 100,000 changed lines and one of 5,000 files,
#       against `git diff --stat main...pr && git diff main...pr`; also checks
#       that the hunks Repository::diff extracts are byte-identical to git's.
#   bench/review.sh BUILD_DIR import [LINES...]
#       generated imports (new files under vendor/, from a seeded generator:
#       bench_gen_repo --import), default 100 1000 10000 100000 1360000 lines
#       (the last is about 5,500 files and 61 MB), against `git diff main...pr`;
#       reports the safety agent's throughput in the pipeline and checks that
#       the AWS key planted at the end of the last file is reported.
#   bench/review.sh BUILD_DIR range CLONE BASE HEAD
#       a real range of a local clone (e.g. the last 100 commits of a project:
#       BASE=HEAD~100), against `git diff BASE...HEAD`. First, untimed,
#       `reviewer risk train --base BASE` builds the history index up to BASE,
#       the index `serve` keeps current for every repository it reviews; a
#       first review without it spends up to the history agent's deadline
#       (10 s) building it, and is timed_out (needs_human) when that is not
#       enough (a large repository's first index takes tens of seconds).
#   bench/review.sh BUILD_DIR tree CLONE [REV]
#       real code as one import: the whole tree of CLONE at REV (default HEAD)
#       added in one commit to a new repository whose base is an empty commit
#       (git.git's tree: ~4,800 files, 60 MB), against `git diff main...pr`,
#       with the safety agent's throughput; its status must be "ok" (the
#       generated import is repetitive text, which RE2's DFAs learn fast;
#       real code is not).
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DREVIEWER_BUILD_BENCH=ON -DREVIEWER_BUILD_TESTS=OFF
#   cmake --build build-bench -j2 --target bench_gen_repo bench_diff reviewer
#
# BUILD_DIR defaults to build-bench. Environment: BENCH_DIR (generated
# repositories; default $TMPDIR/reviewer-bench), RUNS (runs per measurement
# after one warm-up run, default 5; the median is reported), REVIEWER (the
# reviewer binary to time, default BUILD_DIR/bin/reviewer: another build's,
# to compare two versions on the same cases).
# Prints Markdown tables: median wall time and CPU time (user+sys) in ms and
# the highest peak RSS in MB, per command, and the ratios to git.
# The reviewer's own indexes (symbol index, history) are kept in the
# repository's git directory: the warm-up run builds them, as a server's
# first review of a repository would.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
mode=${2:-lines}
out=${BENCH_DIR:-${TMPDIR:-/tmp}/reviewer-bench}
runs=${RUNS:-5}
gen=$build/bench/bench_gen_repo
bdiff=$build/bench/bench_diff
reviewer=${REVIEWER:-$build/bin/reviewer}

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing: run scripts/install-deps.sh" >&2; exit 1; }
command -v git >/dev/null || { echo "bench: git is missing (the baseline): run scripts/install-deps.sh" >&2; exit 1; }
if [ ! -x "$gen" ] || [ ! -x "$bdiff" ]; then
  echo "bench: build the tools first (see the top of $0)" >&2
  exit 1
fi
[ -x "$reviewer" ] || { echo "bench: $reviewer not built: measuring diff extraction and git only" >&2; reviewer=""; }

# Real mirrors are packed; RepoBuilder writes loose objects.
pack() {
  compgen -G "$1/objects/pack/*.pack" >/dev/null || { git -C "$1" repack -adq && git -C "$1" prune-packed; }
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure CMD: runs it $runs times; prints "wall_ms cpu_ms rss_mb" (medians,
# and the highest RSS). Exit codes 0, 2 and 3 are verdicts, 1 is a failure.
measure() {
  local cmd=$1 walls=() cpus=() rss=0 start end rc
  sh -c "$cmd" >/dev/null 2>&1 || true  # warm-up: page cache, the reviewer's indexes
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

lines_mode() {
  mkdir -p "$out"
  "$gen" "$out" >&2
  for r in "$out"/pr-* "$out"/files-*; do pack "$r"; done
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
}

# CASE_NAME REPO BASE HEAD: one row of reviewer beside `git diff BASE...HEAD`.
# With PLANTED set, also checks that the review reported that rule.
versus_git() {
  local name=$1 r=$2 base=$3 head=$4 stats files plus minus bytes json safety_ms mbs found=-
  stats=$(git -C "$r" diff --shortstat "$base...$head")
  files=$(echo "$stats" | grep -o '^ *[0-9]*' | tr -d ' ')
  plus=$(echo "$stats" | grep -o '[0-9]* insertion' | grep -o '[0-9]*' || echo 0)
  minus=$(echo "$stats" | grep -o '[0-9]* deletion' | grep -o '[0-9]*' || echo 0)
  bytes=$(git -C "$r" diff "$base...$head" | wc -c)
  local cmd="'$reviewer' review --repo '$r' --base '$base' --head '$head' --format json --no-audit"
  json=$(sh -c "$cmd" 2>/dev/null || true)
  safety_ms=$(echo "$json" | jq '[.agents[] | select(.name == "safety") | .duration_ms][0]')
  mbs=$(echo "scale=1; $bytes * 1000 / 1048576 / ($safety_ms + 1)" | bc -l)
  [ -n "${PLANTED:-}" ] && { echo "$json" | jq -e --arg r "$PLANTED" '[.agents[].findings[] | select(.rule == $r)] | length > 0' >/dev/null && found=yes || found=NO; }
  local partial
  partial=$(echo "$json" | jq -r '[.agents[] | select(.partial) | .name] | join(",")')
  read -r rw rc rm < <(measure "$cmd")
  read -r gw gc gm < <(measure "git -C '$r' diff '$base...$head'")
  echo "| $name | $files | +$plus/-$minus | $(printf "%.2f" "$(echo "$bytes / 1048576" | bc -l)") | $rw | $rc | $rm | $gw | $gc | $gm | $(echo "scale=2; $rw / $gw" | bc -l) | $(echo "scale=2; $rm / $gm" | bc -l) | $safety_ms | $mbs | ${partial:--} | $found |"
}

table_header() {
  echo "| case | files | +/- | diff MB | reviewer wall ms | cpu ms | RSS MB | git diff wall ms | cpu ms | RSS MB | wall / git | RSS / git | safety ms (in the run) | safety MB/s | partial agents | planted key found |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
}

import_mode() {
  command -v jq >/dev/null || { echo "bench: jq is missing: run scripts/install-deps.sh" >&2; exit 1; }
  mkdir -p "$out"
  local sizes=("$@")
  [ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000 100000 1360000)
  table_header
  for n in "${sizes[@]}"; do
    "$gen" "$out" --import "$n" >&2
    pack "$out/import-$n"
    PLANTED=safety/secret/aws-access-key versus_git "import-$n" "$out/import-$n" main pr
  done
}

range_mode() {
  [ $# -eq 3 ] || { echo "usage: bench/review.sh BUILD_DIR range CLONE BASE HEAD" >&2; exit 1; }
  command -v jq >/dev/null || { echo "bench: jq is missing: run scripts/install-deps.sh" >&2; exit 1; }
  [ -z "$reviewer" ] || "$reviewer" risk train --repo "$1" --base "$2" >/dev/null
  table_header
  versus_git "$(basename "$1") $2...$3" "$1" "$2" "$3"
}

tree_mode() {
  [ $# -ge 1 ] || { echo "usage: bench/review.sh BUILD_DIR tree CLONE [REV]" >&2; exit 1; }
  command -v jq >/dev/null || { echo "bench: jq is missing: run scripts/install-deps.sh" >&2; exit 1; }
  local clone=$1 rev=${2:-HEAD} r
  r=$out/tree-$(basename "$clone" .git)
  if [ ! -d "$r" ]; then
    mkdir -p "$r"
    git -C "$r" init -q -b main
    git -C "$r" -c user.name=bench -c user.email=bench@invalid commit -q --allow-empty -m base
    git -C "$r" checkout -q -b pr
    git -C "$clone" archive "$rev" | tar -x -C "$r"
    git -C "$r" add -A
    git -C "$r" -c user.name=bench -c user.email=bench@invalid commit -q -m "import $(basename "$clone") at $rev"
    git -C "$r" repack -adq
  fi
  table_header
  versus_git "tree of $(basename "$clone") at $rev" "$r" main pr
  local status
  status=$("$reviewer" review --repo "$r" --base main --head pr --format json --no-audit 2>/dev/null |
           jq -r '[.agents[] | select(.name == "safety") | .status][0]' || true)
  echo "safety status: $status"
}

case "$mode" in
  lines) lines_mode ;;
  import) shift 2; import_mode "$@" ;;
  range) shift 2; range_mode "$@" ;;
  tree) shift 2; tree_mode "$@" ;;
  *) echo "bench: unknown mode '$mode' (lines, import, range, tree)" >&2; exit 1 ;;
esac
