#!/usr/bin/env bash
# One `reviewer serve` alone, RUNS rounds of 10 s at c=16 with nothing between them (session 24,
# bench/README.md `## server`: "why the server got slower as it ran"): per round the deliveries/s,
# p99, the process's CPU per delivery, each thread's CPU ticks and voluntary switches
# (/proc/PID/task/*), the queue files' sizes and the bodies written so far. Runs from the
# repository root; the data directory is kept (printed) for a look afterwards.
#
#   bench/server_probe.sh BIN LABEL [RUNS]       (RUNS default 4)
# Env: PERF=1 also records the intake thread (the 5th thread by id, as of session 24: check
#      the thread names with `ps -T -p PID`) with `perf record --call-graph dwarf` for 8 s of
#      each round, into DATA_DIR/../perfN.data;
#      ACTION=labeled sends the payload with that action instead (no job: the workers' share).
# Needs wrk, sqlite3, python3, curl, tests/tools/node_modules (`npm ci --prefix tests/tools`).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?BIN}; LABEL=${2:?LABEL}; RUNS=${3:-4}; PERF=${PERF:-0}
WORK=$(mktemp -d /tmp/reviewer-probe.XXXXXX)
SECRET=probe-secret
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/webhook
source bench/webhook_payload.sh  # BENCH_PAYLOAD, BENCH_SIG
if [ -n "${ACTION:-}" ]; then
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p["action"]=sys.argv[2]; open(sys.argv[1],"w").write(json.dumps(p))' "$BENCH_PAYLOAD" "$ACTION"
  BENCH_SIG="sha256=$(python3 -c 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), open(sys.argv[2],"rb").read(), hashlib.sha256).hexdigest())' "$SECRET" "$BENCH_PAYLOAD")"
fi
REVIEWER_WEBHOOK_SECRET=$SECRET REVIEWER_LISTEN=127.0.0.1:$PORT REVIEWER_DATA_DIR=$WORK/data REVIEWER_WORKERS=2 \
  "$BIN" serve 2> "$WORK/log" &
PID=$!
trap 'kill -9 $PID 2>/dev/null; true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
threads() { for t in /proc/$PID/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat") $(awk '/^voluntary/ {print $2}' "$t/status")"; done; }
BENCH_RUN=warm wrk -t2 -c16 -d5s --timeout 5s -s bench/server_webhook.lua "$URL" >/dev/null
for r in $(seq "$RUNS"); do
  threads > "$WORK/t0"; c0=$(awk '{print $14+$15}' /proc/$PID/stat)
  PP=
  if [ "$PERF" = 1 ]; then
    IT=$(ls /proc/$PID/task | sort -n | sed -n 5p)
    perf record -F 999 --call-graph dwarf,16384 -t "$IT" -o "$WORK/perf$r.data" -- sleep 8 >/dev/null 2>&1 & PP=$!
  fi
  line=$(BENCH_RUN=$LABEL-r$r wrk -t2 -c16 -d10s --timeout 5s -s bench/server_webhook.lua "$URL" | grep '^BENCH')
  [ -z "$PP" ] || wait "$PP"
  c1=$(awk '{print $14+$15}' /proc/$PID/stat); threads > "$WORK/t1"
  n=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
  echo "$LABEL run=$r n=$n $(echo "$line" | grep -o 'rps=[0-9.]*') $(echo "$line" | grep -o 'p99_ms=[0-9.]*')" \
       "cpu_us=$(( (c1 - c0) * 10000 / n )) load=$(cut -d' ' -f1 /proc/loadavg)"
  echo -n "  threads (tid:ticks/voluntary switches): "; join "$WORK/t0" "$WORK/t1" | awk '{printf "%s:%d/%d ", $1, $4-$2, $5-$3}'; echo
  echo "  files: $(ls -la "$WORK/data/" | awk '/queue/ {printf "%s=%s ", $9, $5}') bodies=$(du -sm "$WORK/data/bodies" | cut -f1)MB"
  echo "  jobs: $(sqlite3 "$WORK/data/queue.db" 'SELECT state, COUNT(*) FROM jobs GROUP BY state' 2>&1 | tr '\n' ' ')"
done
echo "data dir $WORK/data"
kill -TERM $PID; wait $PID || true
