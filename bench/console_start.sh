#!/usr/bin/env bash
# The first all-time overview of a console just started, as an auditor
# meets it: `reviewer audit serve` on LOG (a file, or a postgresql:// URL), one request to /?period=all as
# soon as it listens (it waits for the summary's warm-up), then a second.
# BINARIES are run in turn, ROUNDS times, each a fresh process. Prints the
# two request times (curl's total, loopback), the process's minor page
# faults, its peak resident memory and how much of it is in huge pages,
# and the 1-minute load average.
#
# A BINARY may carry flags of its own after spaces, quoted as one argument
# (they go to console_serve.sh as CONSOLE_ARGS), e.g. the summary cache's
# (kept by default since session 26: beside an SQLite LOG, in
# $REVIEWER_DATA_DIR for PostgreSQL; its first start writes the file, the
# later ones read it; `--no-summary-cache` for none).
#
#   bench/console_start.sh LOG ROUNDS BINARY...
#   bench/console_start.sh /tmp/console-bench.db 3 /tmp/reviewer-before build/bin/reviewer
#   bench/console_start.sh /tmp/console-bench.db 5 "build/bin/reviewer --no-summary-cache" \
#     "build/bin/reviewer --summary-cache /tmp/console-summary.bin"
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,18p' "$0"; exit 2; }
log=$1 rounds=$2
shift 2
. "$(dirname "$0")/console_serve.sh"
console_setup "${1%% *}"
for _ in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    bin=${spec%% *}
    CONSOLE_ARGS=""
    [ "$bin" != "$spec" ] && CONSOLE_ARGS=${spec#* }
    console_start "$bin" "$log"
    first=$(console_get)
    second=$(console_get)
    printf '%-40s first %5.0f ms  second %4.0f ms  faults %6d  peak %4d MB  huge %4d MB  load %s\n' "$spec" \
      "$(echo "$first * 1000" | bc)" "$(echo "$second * 1000" | bc)" "$(awk '{print $10}' "/proc/$pid/stat")" \
      $(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 )) \
      $(( $(awk '/AnonHugePages/ {print $2}' "/proc/$pid/smaps_rollup") / 1024 )) "$(cut -d' ' -f1 /proc/loadavg)"
    console_stop
  done
done
