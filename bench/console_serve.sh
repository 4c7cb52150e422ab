# Sourced by bench/console_start.sh and bench/console_concurrent.sh:
# `reviewer audit serve` started on a log and asked for overviews.
#
#   console_setup BINARY     a scratch folder ($tmp, removed on exit; $tmp/data is the
#                            console's data directory) and a token
#   console_start BINARY LOG starts it on a free loopback port ($port, $pid; $t0 the
#                            exec's time in ns)
#                            and returns once it listens; $CONSOLE_ARGS, when
#                            set, are more flags for it (split on spaces)
#   console_get [TARGET]     one request (default /?period=all), printing
#                            curl's total in s
#   console_stop             stops it

console_setup() {
  tmp=$(mktemp -d)
  trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
  token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s' "$token" | "$1" audit token-hash > "$tmp/tokens"
}

console_start() {
  local bin=$1 log=$2
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local where=(--db "$log")
  [[ $log == postgres*://* ]] && where=(--database-url "$log")
  local extra=()
  [ -n "${CONSOLE_ARGS:-}" ] && read -ra extra <<< "$CONSOLE_ARGS"
  t0=$(date +%s%N)  # the exec (ns), after the port is picked: bench/console_cpu_start.sh's "from exec"
  # The data directory (a PostgreSQL log's default summary cache) is the scratch folder's.
  REVIEWER_DATA_DIR="$tmp/data" "$bin" audit serve "${where[@]}" "${extra[@]}" --listen "127.0.0.1:$port" \
    --tokens "$tmp/tokens" 2>"$tmp/log" &
  pid=$!
  for _ in $(seq 500); do curl -s -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.01; done
}

console_get() {
  curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port${1:-/?period=all}"
}

console_stop() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}
