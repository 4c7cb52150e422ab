#!/usr/bin/env bash
# `reviewer serve` on a large queue.db (sessions 25 and 26, bench/README.md `## server`): /metrics
# latency, and intake while the prune at start deletes old rows. Runs from the repository root.
#
#   bench/server_big_queue.sh make DIR [AGE_HOURS]   a data dir whose queue.db holds 550,000
#       deliveries (no bodies) and their jobs, 528,000 superseded and 22,000 failed, over 48
#       repositories, received AGE_HOURS ago (default 1: nothing to prune; 96: all of it past the
#       3-day retention), 1 ms apart. The schema is $REVIEWER's (default build/bin/reviewer: it is
#       started once on DIR to create it; an older binary makes an older schema, which a newer
#       one migrates on its first start), then filled by SQL (sqlite3 CLI).
#   bench/server_big_queue.sh metrics BIN DIR   on a copy of DIR: the start's time, ten /metrics
#       scrapes 1.2 s apart (the server caches its counts for a second), then intake at c=16 for
#       RUN_SECONDS (10) without, then with a scrape every 1.1 s.
#   bench/server_big_queue.sh prune BIN DIR     on a copy of DIR: intake at c=16 in 4 runs of 8 s
#       from the start (the prune starts ~10 s after it), then the rows left.
#
# Needs wrk, sqlite3, python3, curl and tests/tools/node_modules (`npm ci --prefix tests/tools`).
# Run it as the other benchmarks: `flock /tmp/quiet.lock`, `uptime` beside every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}; shift || true
RUN_SECONDS=${RUN_SECONDS:-10}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SECRET=bench-secret-$(date +%s)
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/webhook
load() { cut -d' ' -f1 /proc/loadavg; }
start() {  # $1 binary, $2 data dir
  t0=$(date +%s%N)
  REVIEWER_WEBHOOK_SECRET=$SECRET REVIEWER_LISTEN=127.0.0.1:$PORT REVIEWER_DATA_DIR=$2 REVIEWER_WORKERS=2 \
    "$1" serve 2> "$2.log" &
  PID=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  echo "up after $(( ($(date +%s%N) - t0) / 1000000 )) ms (migration included)"
}
stop() { kill -TERM "$PID"; wait "$PID" || true; }
intake() {  # $1 label, $2 seconds
  BENCH_RUN=$1 wrk -t2 -c16 -d"$2"s --timeout 5s -s bench/server_webhook.lua "$URL" | grep '^BENCH'
}
copy() {  # $1 source data dir: a working copy, removed at exit
  W=$(mktemp -d /tmp/reviewer-big-queue.XXXXXX)
  trap 'kill -9 ${PID:-} 2>/dev/null || true; rm -rf "$W" "$W.log"' EXIT
  cp -a "$1/." "$W/"
  WORK=$W.work; mkdir -p "$WORK"; trap 'kill -9 ${PID:-} 2>/dev/null || true; rm -rf "$W" "$W.log" "$WORK"' EXIT
  source bench/webhook_payload.sh  # BENCH_PAYLOAD, BENCH_SIG
}

case $mode in
make)
  DIR=${1:?DIR}; AGE_HOURS=${2:-1}; BIN=${REVIEWER:-build/bin/reviewer}
  [ ! -e "$DIR/queue.db" ] || { echo "$DIR/queue.db exists" >&2; exit 1; }
  mkdir -p "$DIR"
  start "$BIN" "$DIR"; stop
  t=$(( $(date +%s) * 1000 - AGE_HOURS * 3600 * 1000 ))
  sqlite3 "$DIR/queue.db" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<550000)
INSERT INTO deliveries(id, delivery_id, event, action, repository, received_ms, headers, outcome)
  SELECT i, printf('%08x-bench-%d', (i * 2654435761) % 4294967296, i), 'pull_request', 'synchronize',
         'octo/repo' || (i % 48 + 1), $t + i, '{"x-github-event":"x"}', 'queued' FROM n;
INSERT INTO jobs(id, delivery_id, event, kind, repository, pr_number, head_sha, state, attempts, available_ms,
                 created_ms, finished_ms, result, installation)
  SELECT id, delivery_id, event, 'review', repository, id % 480 + 1, 'abc',
         CASE WHEN id % 25 = 0 THEN 'failed' ELSE 'superseded' END, 1, received_ms, received_ms, received_ms + 5, 'x', 1
  FROM deliveries;
COMMIT;
SQL
  # Schema 5 and later count ends apart from the rows: these were inserted ended, as if counted
  # (schema 5's totals, 6's marks), so /metrics shows them once.
  sqlite3 "$DIR/queue.db" "SELECT 1 FROM pragma_table_info('jobs') WHERE name='uncounted'" | grep -q 1 &&
    sqlite3 "$DIR/queue.db" "UPDATE jobs SET uncounted=0"
  sqlite3 "$DIR/queue.db" "SELECT 1 FROM sqlite_schema WHERE name='job_totals'" | grep -q 1 &&
    sqlite3 "$DIR/queue.db" "UPDATE job_totals SET n=(SELECT COUNT(*) FROM jobs WHERE jobs.state=job_totals.state)"
  sqlite3 "$DIR/queue.db" "PRAGMA wal_checkpoint(TRUNCATE); SELECT state, COUNT(*) FROM jobs GROUP BY state" ;;
metrics)
  BIN=${1:?BIN}; copy "${2:?DIR}"
  start "$BIN" "$W"; sleep 2
  lat=(); for _ in $(seq 10); do lat+=("$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/metrics")"); sleep 1.2; done
  echo "/metrics idle (s): ${lat[*]} load=$(load)"
  curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^reviewer_jobs' | tr '\n' ' '; echo
  for scrape in 0 1; do
    SPID=
    if [ $scrape = 1 ]; then
      ( while :; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics" >> "$WORK/scrapes"; sleep 1.1; done ) &
      SPID=$!
    fi
    line=$(intake "m$scrape" "$RUN_SECONDS")
    [ -z "$SPID" ] || { kill "$SPID"; wait "$SPID" 2>/dev/null || true; }
    echo "c=16 scrapes=$scrape $line load=$(load)"
  done
  echo "/metrics during intake (s): $(tr '\n' ' ' < "$WORK/scrapes")"
  stop ;;
prune)
  BIN=${1:?BIN}; copy "${2:?DIR}"
  start "$BIN" "$W"
  for r in 1 2 3 4; do echo "run $r (8 s from $((r * 8 - 8)) s): $(intake "p$r" 8) load=$(load)"; done
  grep -E 'queue_rows_pruned|prune_failed' "$W.log" | head -3 || true
  echo "jobs left $(sqlite3 "$W/queue.db" 'SELECT COUNT(*) FROM jobs'), deliveries left $(sqlite3 "$W/queue.db" 'SELECT COUNT(*) FROM deliveries')"
  stop ;;
*) sed -n '2,19p' "$0"; exit 2 ;;
esac
