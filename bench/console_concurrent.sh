#!/usr/bin/env bash
# Requests arriving together at a warm console: `reviewer audit serve` on
# LOG (a file, or a postgresql:// URL), two /?period=all to wait for the
# summary's warm-up, then ROUNDS times CLIENTS requests to TARGET (the
# environment variable; /?period=all unless set) sent at once. BINARIES are
# run in turn, each a fresh process. Prints per round the median and
# slowest request (curl's total, loopback), the wall time of the round, and
# the 1-minute load average.
#
#   bench/console_concurrent.sh LOG CLIENTS ROUNDS BINARY...
#   bench/console_concurrent.sh /tmp/console-bench.db 8 5 /tmp/reviewer-before build/bin/reviewer
#   TARGET='/change?repo=acme/web&pr=42' bench/console_concurrent.sh /tmp/console-bench.db 1 9 build/bin/reviewer
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,12p' "$0"; exit 2; }
log=$1 clients=$2 rounds=$3
shift 3
. "$(dirname "$0")/console_serve.sh"
console_setup "$1"
for bin in "$@"; do
  console_start "$bin" "$log"
  console_get > /dev/null  # waits for the warm-up
  console_get > /dev/null
  for r in $(seq 1 "$rounds"); do
    start=$(date +%s%N)
    waiting=()
    for c in $(seq 1 "$clients"); do
      { console_get "${TARGET:-}"; echo; } > "$tmp/request.$c" &
      waiting+=($!)
    done
    wait "${waiting[@]}"
    wall=$(( ($(date +%s%N) - start) / 1000000 ))
    cat "$tmp"/request.* | sort -n | awk -v bin="$bin" -v r="$r" -v wall="$wall" \
      -v load="$(cut -d' ' -f1 /proc/loadavg)" '{t[NR] = $1 * 1000}
      END {printf "%-40s round %d  %d clients  median %5.0f ms  slowest %5.0f ms  wall %5d ms  load %s\n",
        bin, r, NR, (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), t[NR], wall, load}'
    rm -f "$tmp"/request.*
  done
  console_stop
done
