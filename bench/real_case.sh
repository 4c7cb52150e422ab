#!/usr/bin/env bash
# Issue 22's real case: interleaved rounds of `git diff` and each binary's review of
# git.git's HEAD~57...HEAD (bench/README.md `## review speed (issue 22)`, rounds 17-20; the
# sessions ran it as /tmp/lead24/tri.sh). One line per run: name, wall s, user s, sys s, peak KB;
# then the 1-minute load. A review's exit status is its decision, not a failure here.
#
#   bench/real_case.sh ROUNDS GIT_DIR BINARY...
#   bench/real_case.sh 10 /tmp/git.git /tmp/reviewer-before build/bin/reviewer
# GIT_DIR is a bare clone of git/git (sessions 22-26: a snapshot whose HEAD~57...HEAD is 9,777 lines).
set -uo pipefail
[ $# -ge 3 ] || { sed -n '2,9p' "$0"; exit 2; }
n=$1 repo=$2; shift 2
for _ in $(seq 1 "$n"); do
  /usr/bin/time -f 'gitdiff %e %U %S %M' git -C "$repo" diff HEAD~57...HEAD 2>&1 >/dev/null
  for b in "$@"; do
    /usr/bin/time -f "$(basename "$b") %e %U %S %M" "$b" review --repo "$repo" --base HEAD~57 --head HEAD \
      --format json --no-audit 2>&1 >/dev/null | grep -v '^Command exited'
  done
  echo "load $(cut -d' ' -f1 /proc/loadavg)"
done
