#!/usr/bin/env bash
# Benchmark of `reviewer serve` on PostgreSQL (issue 20): signed deliveries
# per second and p50/p99 of the 202 at c=16, every delivery and its job
# committed before the 202, for
#   sqlite     one instance on its SQLite files (the baseline, same run)
#   pg-1       one instance on PostgreSQL
#   pg-2       two instances on the same PostgreSQL database, each driven by
#              its own wrk at c=8 (16 connections in all), figures summed
# each first with every delivery for one pull request (the worst case: the
# jobs supersede one another), then spread over PRS pull requests (-64prs)
#   claim      claim latency: a job enqueued by one queue -> an idle worker
#              of another queue (another instance) starts it, with
#              LISTEN/NOTIFY and with polling only (bench/claim_latency.cpp)
# Runs inside a throw-away cluster (scripts/with-postgres.sh), on the same
# machine as the servers and wrk.
#
# Usage: bench/postgres.sh [build-dir]   (default: build; needs wrk, python3,
#        tests/tools/node_modules from `npm ci --prefix tests/tools`)
#        bench/postgres.sh claim [build-dir]   the claim latency alone (build
#        the target claim_latency: -DREVIEWER_BUILD_BENCH=ON)
# Env:   RUN_SECONDS (10), RUNS (3), PRS (64), REVIEWER (the binary); SAMPLES (1000), POLL_SAMPLES (200) for claim;
#        REVIEWER_TEST_PG_OPTIONS (the server's settings: default below, "" for PostgreSQL's own);
#        WARM_WAL=0 to measure a cluster that has never recycled a WAL segment
set -euo pipefail
cd "$(dirname "$0")/.."
# The setting reviewer/server/README.md recommends for a server that takes
# a busy queue: a backend that evicts dirty pages starts their write-back at
# once, instead of Linux writing ~150-300 MB of them in one burst when they
# are 30 s old, which stalls every commit's WAL flush behind it for
# 100-300 ms (seen as a dirty-page count falling from 327 MB to 2 MB at the
# moment of the stall).
export REVIEWER_TEST_PG_OPTIONS="${REVIEWER_TEST_PG_OPTIONS-"-c backend_flush_after=256kB"}"
if [ -z "${REVIEWER_TEST_DATABASE_URL:-}" ]; then exec scripts/with-postgres.sh "$0" "$@"; fi
if [ "${1:-}" = claim ]; then
  CLAIM=${2:-build}/bench/claim_latency
  [ -x "$CLAIM" ] || CLAIM=${2:-build}/bin/claim_latency
  [ -x "$CLAIM" ] || { echo "build first: cmake -DREVIEWER_BUILD_BENCH=ON … && cmake --build … --target claim_latency" >&2; exit 1; }
  echo "claim latency; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$CLAIM" "$REVIEWER_TEST_DATABASE_URL" "${SAMPLES:-1000}" "${POLL_SAMPLES:-200}"
  exit
fi
BUILD=${1:-build}
BIN=${REVIEWER:-$BUILD/bin/reviewer}  # REVIEWER: another binary, e.g. a "before"
RUN_SECONDS=${RUN_SECONDS:-10}
RUNS=${RUNS:-3}
[ -x "$BIN" ] || { echo "build first: cmake --build $BUILD --target reviewer" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps.sh" >&2; exit 1; }

WORK=$(mktemp -d /tmp/reviewer-bench-pg.XXXXXX)
PIDS=()
trap 'kill -9 "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
SECRET=bench-secret-$(date +%s)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PRS=${PRS:-64}
BENCH_PRS=$PRS source bench/webhook_payload.sh  # BENCH_PAYLOAD, BENCH_SIG, and $PRS signed payloads
SPREAD=1  # pull requests the deliveries of a run are spread over (wrk_line)
echo "payload: $(wc -c < "$BENCH_PAYLOAD") bytes; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

start() {  # $1 data dir, $2 port, $3 database URL ("" for SQLite); echoes the pid
  REVIEWER_WEBHOOK_SECRET=$SECRET REVIEWER_LISTEN=127.0.0.1:$2 REVIEWER_DATA_DIR=$1 REVIEWER_WORKERS=2 \
    env ${3:+REVIEWER_DATABASE_URL=$3} "$BIN" serve > /dev/null 2> "$1.log" &  # not our stdout: $(start) would wait for it
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && { echo "$pid"; return 0; }; sleep 0.1; done
  echo "server did not start; log:" >&2; cat "$1.log" >&2; exit 1
}
stop() {  # SIGTERM, then wait: started by $(start), the servers are not our children
  kill -TERM "$@"
  for p in "$@"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}
wrk_line() {  # $1 connections, $2 seconds, $3 tag, $4 port
  BENCH_PRS=$SPREAD BENCH_RUN=$3 wrk -t1 -c"$1" -d"$2"s --timeout 5s -s bench/server_webhook.lua "http://127.0.0.1:$4/webhook" | grep '^BENCH'
}
field() { sed "s/.*$1=\([0-9.]*\).*/\1/"; }
# What the database server did during a run, to tell its stalls from ours:
# checkpoints (cluster-wide) and autovacuum/autoanalyze runs in database $1.
pg_counts() {
  echo "$(psql "$base" -tAc "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")" \
       "$(psql "$1" -tAc "SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables")"
}
pg_delta() {  # $1 database URL, $2 pg_counts before
  local now; now=$(pg_counts "$1")
  echo "checkpoints=+$(( ${now% *} - ${2% *} )) autovacuums=+$(( ${now#* } - ${2#* } ))"
}

one() {  # $1 name, $2 database URL or ""
  local port pid
  port=$(free_port)
  pid=$(start "$WORK/$1" "$port" "$2")
  PIDS+=("$pid")
  wrk_line 16 5 "warm-$1" "$port" > /dev/null
  for r in $(seq "$RUNS"); do
    local before="" line
    [ -n "$2" ] && before=$(pg_counts "$2")
    line="$1 c=16 run=$r $(wrk_line 16 "$RUN_SECONDS" "$1-r$r" "$port") load=$(cut -d' ' -f1 /proc/loadavg)"
    [ -n "$2" ] && line="$line $(pg_delta "$2" "$before")"
    echo "$line"
  done
  stop "$pid"
}

two() {  # two instances on one database, c=8 each
  local p1 p2 a b
  p1=$(free_port); p2=$(free_port)
  a=$(start "$WORK/pg2a${1:-}" "$p1" "$PG2"); b=$(start "$WORK/pg2b${1:-}" "$p2" "$PG2")
  PIDS+=("$a" "$b")
  wrk_line 8 5 warm-a "$p1" > /dev/null & wrk_line 8 5 warm-b "$p2" > /dev/null; wait
  for r in $(seq "$RUNS"); do
    local before; before=$(pg_counts "$PG2")
    wrk_line 8 "$RUN_SECONDS" "pg2a-r$r" "$p1" > "$WORK/a.txt" & wrk_line 8 "$RUN_SECONDS" "pg2b-r$r" "$p2" > "$WORK/b.txt"; wait
    echo "pg-2${1:-} c=8+8 run=$r rps=$(awk -v a="$(field rps < "$WORK/a.txt")" -v b="$(field rps < "$WORK/b.txt")" 'BEGIN { print a + b }')" \
         "p99_ms=$(field p99_ms < "$WORK/a.txt")/$(field p99_ms < "$WORK/b.txt")" \
         "non2xx=$(( $(field non2xx < "$WORK/a.txt") + $(field non2xx < "$WORK/b.txt") ))" \
         "load=$(cut -d' ' -f1 /proc/loadavg)" "$(pg_delta "$PG2" "$before")"
  done
  stop "$a" "$b"
}

base=$REVIEWER_TEST_DATABASE_URL
psql "$base" -qc "CREATE DATABASE bench_pg1" -c "CREATE DATABASE bench_pg2"
PG1=${base/\/reviewer_test/\/bench_pg1}
PG2=${base/\/reviewer_test/\/bench_pg2}
psql "$base" -qc "CREATE DATABASE bench_pg1s" -c "CREATE DATABASE bench_pg2s"
# A server in service recycles the WAL segments its checkpoints free; a new
# cluster creates and zero-fills one (16 MB and an fsync, inside some
# commit) for every 16 MB of WAL: a 45-50 ms stall every 1.5 s at these
# rates. Write ~1 GB of WAL and checkpoint first, so the runs see recycled
# segments as a server in service does (then sync: not our dirty pages).
if [ "${WARM_WAL:-1}" != 0 ]; then
  psql "$base" -qc "CREATE TABLE warm_wal AS SELECT repeat(md5(g::text), 60) AS t FROM generate_series(1, 600000) g" \
    -c "DROP TABLE warm_wal" -c "CHECKPOINT"
  sync
fi
echo "server settings: ${REVIEWER_TEST_PG_OPTIONS:-none (the defaults)}; WAL $( [ "${WARM_WAL:-1}" != 0 ] && echo recycled || echo "new segments")"
# Every delivery for one pull request: each job supersedes the one before,
# so their commits queue on that pull request's lock (the worst case).
one sqlite ""
one pg-1 "$PG1"
two
# Deliveries spread over $PRS pull requests, as a busy installation's are.
SPREAD=$PRS
one "sqlite-${PRS}prs" ""
one "pg-1-${PRS}prs" "${base/\/reviewer_test/\/bench_pg1s}"
PG2=${base/\/reviewer_test/\/bench_pg2s}
two "-${PRS}prs"
echo "rows: pg-1 $(psql "$PG1" -tAc 'SELECT count(*) FROM queue_deliveries'), pg-2 $(psql "${base/\/reviewer_test/\/bench_pg2}" -tAc 'SELECT count(*) FROM queue_deliveries')"
