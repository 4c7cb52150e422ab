#!/usr/bin/env bash
# The first and second all-time overview after a console's start, with the console's CPU and, on
# PostgreSQL, its backends' CPU up to the first overview's answer (sessions 22-25, bench/README.md
# `## console`; session 25 ran it as /tmp/console25/cpu_start.sh). Per start: the first overview
# (curl's total), "from exec" (the console's exec to that answer), the second, the client's CPU,
# the backends' (the postmaster's children started since the start), peak memory, minor faults.
#
#   bench/console_cpu_start.sh LOG ROUNDS BINARY...
#   PGDATA=/tmp/console21/pg/data bench/console_cpu_start.sh \
#     'postgresql://bench_auditor@/reviewer_test?host=/tmp/console21/pg/socket' 8 /tmp/reviewer-before build/bin/reviewer
# LOG is a file or a postgresql:// URL; for a URL, PGDATA names the cluster's data directory (its
# postmaster.pid: the backends' CPU is read from /proc, so the cluster must run on this machine).
# A BINARY may carry flags after spaces, quoted as one argument (console_serve.sh's CONSOLE_ARGS).
# FRESH=1 deletes the default summary cache (LOG.overview-summary beside an SQLite log, the scratch
# data directory's file for PostgreSQL) before every start: each start is then a first start ever.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,15p' "$0"; exit 2; }
cd "$(dirname "$0")/.."
log=$1 rounds=$2; shift 2
. bench/console_serve.sh
console_setup "${1%% *}"
pm=
if [[ $log == postgres*://* ]]; then pm=$(head -1 "${PGDATA:?set PGDATA to the data directory of the cluster}/postmaster.pid"); fi
# CPU ticks of the backends started since `old` (a list of pids) was taken.
pgcpu() {
  local t=0
  [ -n "$pm" ] || { echo 0; return; }
  for p in $(pgrep -P "$pm"); do
    [[ " $old " == *" $p "* ]] && continue
    t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo $t
}
for _ in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    bin=${spec%% *}; CONSOLE_ARGS=""; [ "$bin" != "$spec" ] && CONSOLE_ARGS=${spec#* }
    if [ "${FRESH:-0}" = 1 ]; then
      rm -rf "$tmp/data"
      [[ $log == postgres*://* ]] || rm -f "$log.overview-summary"
    fi
    sleep 0.3; old=$([ -z "$pm" ] || pgrep -P "$pm" | tr '\n' ' ')
    console_start "$bin" "$log"
    first=$(console_get)
    total=$(( ($(date +%s%N) - t0) / 1000000 ))
    cpu=$(awk '{print ($14+$15)*10}' "/proc/$pid/stat"); server=$(( $(pgcpu) * 10 ))
    hwm=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status"); flt=$(awk '{print $10}' "/proc/$pid/stat")
    second=$(console_get)
    printf '%-30s first %5.0f ms  from exec %5d ms  second %4.0f ms  client cpu %4d ms  server cpu %4d ms  peak %3d MB  faults %5d  load %s\n' \
      "$spec" "$(echo "$first * 1000" | bc)" "$total" "$(echo "$second * 1000" | bc)" "$cpu" "$server" "$hwm" "$flt" \
      "$(cut -d' ' -f1 /proc/loadavg)"
    console_stop
  done
done
