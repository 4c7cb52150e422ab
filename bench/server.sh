#!/usr/bin/env bash
# Benchmark of `reviewer serve` (issue 7): signed pull_request deliveries per
# second and p50/p99 of the 202 at concurrency 16 and 64 (3 runs each, workers
# running), durability under SIGKILL, log volume of a forged flood and its
# effect on valid deliveries, RSS after many deliveries, and an unsigned
# attack (huge bodies, idle crowds, forged deliveries) against valid ones.
#
# Usage: bench/server.sh [build-dir]   (default: build; needs wrk, python3,
#        tests/tools/node_modules from `npm ci --prefix tests/tools`, and for
#        the Probot reference bench/probot-baseline/node_modules from
#        `npm ci --prefix bench/probot-baseline`; skipped when absent)
# Env:   RUN_SECONDS (10), RSS_DELIVERIES (300000; the bodies need ~25 KB of disk each),
#        ATTACK_PAUSE_MS (50: a refused streamer's pause before it reconnects; 0 floods connections),
#        ATTACK_STREAMERS (4), ATTACK_BODY_MB (250: refused from the headers; 24 is under the body cap,
#        so those bodies are read, and the bodies' memory limit is what bounds them),
#        SECTIONS (default "throughput durability flood attack rss")
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BIN=$BUILD/bin/reviewer
RUN_SECONDS=${RUN_SECONDS:-10}
RSS_DELIVERIES=${RSS_DELIVERIES:-300000}
ATTACK_PAUSE_MS=${ATTACK_PAUSE_MS:-50}
ATTACK_STREAMERS=${ATTACK_STREAMERS:-4}
ATTACK_BODY_MB=${ATTACK_BODY_MB:-250}
SECTIONS=${SECTIONS:-throughput durability flood attack rss}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
[ -x "$BIN" ] || { echo "build first: cmake --build $BUILD --target reviewer" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps.sh" >&2; exit 1; }

WORK=$(mktemp -d /tmp/reviewer-bench-server.XXXXXX)
trap 'kill -9 ${SERVER_PID:-} ${BASE_PID:-} ${PROBOT_PID:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
SECRET=bench-secret-$(date +%s)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/webhook
source bench/webhook_payload.sh  # BENCH_PAYLOAD, BENCH_SIG
echo "payload: $(wc -c < "$BENCH_PAYLOAD") bytes; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

start_server() {  # $1: data dir, $2: log file (default $1.log)
  REVIEWER_WEBHOOK_SECRET=$SECRET REVIEWER_LISTEN=127.0.0.1:$PORT REVIEWER_DATA_DIR=$1 REVIEWER_WORKERS=2 \
    "$BIN" serve 2> "${2:-$1.log}" &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not start; log:" >&2; cat "${2:-$1.log}" >&2; exit 1
}
stop_server() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; }
rows() { sqlite3 "$1/queue.db" "SELECT COUNT(*) FROM deliveries"; }
run_wrk() {  # $1 connections, $2 seconds, $3 tag, [$4 URL, default ours]; prints the BENCH line
  BENCH_RUN=$3 wrk -t2 -c"$1" -d"$2"s --timeout 5s -s bench/server_webhook.lua "${4:-$URL}" | grep '^BENCH'
}

# CPU time (user + system, clock ticks) a process has used: CPU per delivery
# does not depend on how busy the shared machine is, wall figures do.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Runs wrk against $2 (URL) for process $1, prints the BENCH line plus the
# process's CPU microseconds per request during the run.
wrk_cpu() {  # $1 pid, $2 url, $3 connections, $4 tag
  local t0 line t1 n
  t0=$(cpu_ticks "$1")
  line=$(BENCH_RUN=$4 wrk -t2 -c"$3" -d"$RUN_SECONDS"s --timeout 5s -s bench/server_webhook.lua "$2" | grep '^BENCH')
  t1=$(cpu_ticks "$1")
  n=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
  echo "$line cpu_us_per_req=$(( n > 0 ? (t1 - t0) * 1000000 / $(getconf CLK_TCK) / n : 0 ))"
}

if want throughput; then
echo "== throughput and latency of the 202 (durable: committed before answering), interleaved with the baselines"
BASE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
node bench/server_baseline.js "$BASE_PORT" "$SECRET" &
BASE_PID=$!
PROBOT_PID=
if [ -d bench/probot-baseline/node_modules/probot ]; then
  PROBOT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  openssl genrsa -out "$WORK/probot-key.pem" 2048 2>/dev/null  # never used: the app makes no API call
  (cd bench/probot-baseline && APP_ID=1 PRIVATE_KEY_PATH="$WORK/probot-key.pem" WEBHOOK_SECRET=$SECRET \
     HOST=127.0.0.1 PORT=$PROBOT_PORT exec node app.js > "$WORK/probot.log" 2>&1) &
  PROBOT_PID=$!
else
  echo "(Probot reference skipped: run npm ci --prefix bench/probot-baseline)"
fi
sleep 3
start_server "$WORK/data"
# A 5 s warm-up of each server, not reported: Node's JIT, the allocators'
# caches and the machine settle (the first measured run used to be the
# slowest of all three servers, the bare Node receiver's p99 included).
run_wrk 16 5 warm-base "http://127.0.0.1:$BASE_PORT/webhook" > /dev/null
[ -n "$PROBOT_PID" ] && run_wrk 16 5 warm-probot "http://127.0.0.1:$PROBOT_PORT/api/github/webhooks" > /dev/null
run_wrk 16 5 warm > /dev/null
for c in 16 64; do
  for r in 1 2 3; do
    echo "baseline c=$c run=$r $(wrk_cpu "$BASE_PID" "http://127.0.0.1:$BASE_PORT/webhook" "$c" "base-c$c-r$r") load=$(cut -d' ' -f1 /proc/loadavg)"
    if [ -n "$PROBOT_PID" ]; then
      echo "probot   c=$c run=$r $(wrk_cpu "$PROBOT_PID" "http://127.0.0.1:$PROBOT_PORT/api/github/webhooks" "$c" "probot-c$c-r$r") load=$(cut -d' ' -f1 /proc/loadavg)"
    fi
    echo "reviewer c=$c run=$r $(wrk_cpu "$SERVER_PID" "$URL" "$c" "c$c-r$r") load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
kill "$BASE_PID" ${PROBOT_PID:+"$PROBOT_PID"}
[ -n "$PROBOT_PID" ] && echo "probot log: $(wc -c < "$WORK/probot.log") bytes, $(wc -l < "$WORK/probot.log") lines"
ACCEPTED_LOG=$(grep -c '"event":"delivery"' "$WORK/data.log" || true)
echo "rows in deliveries: $(rows "$WORK/data"); delivery log lines: $ACCEPTED_LOG"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^reviewer_(jobs|queue_depth|intake_commit_seconds_(sum|count))' || true
stop_server
fi

if want durability; then
echo "== durability: SIGKILL the server mid-run, then count rows"
start_server "$WORK/kill"
BENCH_COUNT=1 BENCH_RUN=kill wrk -t2 -c16 -d8s --timeout 5s -s bench/server_webhook.lua "$URL" > "$WORK/kill.wrk" &
WRK_PID=$!
sleep 4
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
wait "$WRK_PID" || true
ACK=$(grep '^BENCH' "$WORK/kill.wrk" | sed 's/.*accepted=//')
STORED=$(rows "$WORK/kill")
echo "acknowledged (2xx seen by wrk): $ACK; rows after SIGKILL: $STORED; lost: $(( ACK > STORED ? ACK - STORED : 0 ))"
fi

if want flood; then
echo "== forged flood: 10,000 forged deliveries on 4 connections (1 ms pacing), log volume and effect on valid deliveries"
start_server "$WORK/flood"
echo "valid alone:        $(wrk_cpu "$SERVER_PID" "$URL" 16 valid-alone) load=$(cut -d' ' -f1 /proc/loadavg)"
LOG0=$(wc -c < "$WORK/flood.log")
BENCH_SIG="sha256=$(printf '0%.0s' $(seq 64))" BENCH_DELAY_MS=1 BENCH_LIMIT=10000 BENCH_RUN=forged \
  wrk -t1 -c4 -d30s -s bench/server_webhook.lua "$URL" | grep '^BENCH' | sed 's/^/forged flood: /' &
FLOOD_PID=$!
sleep 0.2
echo "valid during flood: $(wrk_cpu "$SERVER_PID" "$URL" 16 valid-flood) load=$(cut -d' ' -f1 /proc/loadavg)"
wait "$FLOOD_PID"
FORGED=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^reviewer_webhook_rejected_total\{reason="signature"\}/ {print $2}')
sleep 11  # one aggregation interval: the summary line is written
LOG1=$(wc -c < "$WORK/flood.log")
echo "forged deliveries refused: $FORGED; log bytes written meanwhile (incl. valid deliveries): $((LOG1 - LOG0))"
echo "log lines about rejections: $(grep -c 'delivery_rejected' "$WORK/flood.log"), $(grep 'delivery_rejected' "$WORK/flood.log" | wc -c) bytes"
stop_server
if [ -d bench/probot-baseline/node_modules/probot ]; then
  # The reference's log volume per forged delivery, same forged requests.
  PROBOT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  openssl genrsa -out "$WORK/probot-key.pem" 2048 2>/dev/null
  (cd bench/probot-baseline && APP_ID=1 PRIVATE_KEY_PATH="$WORK/probot-key.pem" WEBHOOK_SECRET=$SECRET \
     HOST=127.0.0.1 PORT=$PROBOT_PORT exec node app.js > "$WORK/probot-flood.log" 2>&1) &
  PROBOT_PID=$!
  sleep 3
  P0=$(wc -c < "$WORK/probot-flood.log")
  LINE=$(BENCH_SIG="sha256=$(printf '0%.0s' $(seq 64))" BENCH_RUN=forged-probot \
    wrk -t1 -c4 -d5s -s bench/server_webhook.lua "http://127.0.0.1:$PROBOT_PORT/api/github/webhooks" | grep '^BENCH')
  N=$(echo "$LINE" | sed 's/.*requests=\([0-9]*\).*/\1/')
  P1=$(wc -c < "$WORK/probot-flood.log")
  echo "probot: $N forged deliveries, $((P1 - P0)) log bytes = $(( N > 0 ? (P1 - P0) / N : 0 )) bytes per forged delivery"
  kill "$PROBOT_PID"; wait "$PROBOT_PID" 2>/dev/null || true
fi
fi

if want attack; then
echo "== attack: $ATTACK_STREAMERS unsigned $ATTACK_BODY_MB MB uploads (half declaring Content-Length, half chunked, each reconnecting ${ATTACK_PAUSE_MS}ms after being refused),"
echo "   500 idle connections (reopened when closed) and 10,000 forged deliveries, all at once; valid deliveries alongside"
cmake --build "$BUILD" --target server_attack > /dev/null
start_server "$WORK/attack"
echo "valid alone (c=16):          $(wrk_cpu "$SERVER_PID" "$URL" 16 attack-alone) load=$(cut -d' ' -f1 /proc/loadavg)"
echo "server before the attack: $(grep -E 'VmRSS|VmHWM' /proc/$SERVER_PID/status | tr -s ' \n' ' ')"
"$BUILD/bench/server_attack" "$PORT" $((2 * RUN_SECONDS + 4)) "$ATTACK_STREAMERS" 500 "$ATTACK_BODY_MB" "$ATTACK_PAUSE_MS" > "$WORK/attack.out" &
ATTACK_PID=$!
sleep 1
# 10,000 forged deliveries spread over both valid runs: 4 connections, each
# pausing so that they end with the second run.
BENCH_SIG="sha256=$(printf '0%.0s' $(seq 64))" BENCH_DELAY_MS=$(( 8 * RUN_SECONDS / 10 - 1 )) BENCH_LIMIT=10000 \
  BENCH_RUN=attack-forged wrk -t1 -c4 -d$((2 * RUN_SECONDS + 2))s -s bench/server_webhook.lua "$URL" |
  grep '^BENCH' | sed 's/^/forged: /' &
FORGED_PID=$!
echo "valid during attack (c=16): $(wrk_cpu "$SERVER_PID" "$URL" 16 attack-c16) load=$(cut -d' ' -f1 /proc/loadavg)"
echo "valid during attack (c=4):  $(wrk_cpu "$SERVER_PID" "$URL" 4 attack-c4) load=$(cut -d' ' -f1 /proc/loadavg)"
wait "$FORGED_PID"
wait "$ATTACK_PID"
cat "$WORK/attack.out"
echo "server after the attack: $(grep -E 'VmRSS|VmHWM' /proc/$SERVER_PID/status | tr -s ' \n' ' ')"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^reviewer_(http_refused_total|http_connections|webhook_rejected_total)' || true
echo "rows in deliveries (valid ones only): $(rows "$WORK/attack")"
stop_server
fi

if want rss; then
  echo "== RSS after $RSS_DELIVERIES deliveries (c=16)"
  start_server "$WORK/rss" /dev/null  # the log is not what we measure
  SENT=0; I=0
  while [ "$SENT" -lt "$RSS_DELIVERIES" ]; do
    I=$((I + 1))
    LINE=$(run_wrk 16 10 "rss$I")
    SENT=$((SENT + $(echo "$LINE" | sed 's/.*requests=\([0-9]*\).*/\1/')))
    echo "after $SENT deliveries ($(echo "$LINE" | grep -o 'non2xx=[0-9]*') in this step): $(grep -E 'VmRSS|VmHWM' /proc/$SERVER_PID/status | tr -s ' \n' ' ')"
  done
  echo "rows: $(rows "$WORK/rss"); data dir (queue.db and bodies/): $(du -sh "$WORK/rss" | cut -f1)"
  stop_server
fi
