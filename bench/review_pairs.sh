#!/usr/bin/env bash
# Interleaved pairs of one review: BEFORE, AFTER, BEFORE, AFTER, ... so that
# both binaries see the same machine load. Per run: wall and CPU seconds,
# peak RSS, the safety agent's duration (from the JSON) and its throughput
# over the bytes of `git diff BASE...HEAD`, whether the planted AWS key was
# reported, and the 1-minute load average.
#
#   bench/review_pairs.sh N BEFORE AFTER REPO BASE HEAD
#   bench/review_pairs.sh 5 /tmp/reviewer-before build/bin/reviewer /tmp/rb/gen/import-1360000 main pr
set -euo pipefail
[ $# -eq 6 ] || { sed -n '2,9p' "$0"; exit 2; }
n=$1 before=$2 after=$3 repo=$4 base=$5 head=$6
bytes=$(git -C "$repo" diff "$base...$head" | wc -c)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for _ in $(seq 1 "$n"); do
  for which in before after; do
    bin=$before
    [ "$which" = after ] && bin=$after
    # The review's exit status is its decision (2: changes requested): not a failure here.
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" review --repo "$repo" --base "$base" --head "$head" \
      --format json --no-audit >"$tmp/json" 2>/dev/null || true
    read -r e u s m < <(tail -1 "$tmp/time")
    ms=$(jq '[.agents[] | select(.name == "safety") | .duration_ms][0]' "$tmp/json")
    key=$(jq '[.agents[].findings[] | select(.rule == "safety/secret/aws-access-key")] | length' "$tmp/json")
    printf '%-6s wall %ss cpu %ss rss %dMB safety %sms %s MB/s key %s load %s\n' "$which" "$e" \
      "$(echo "$u + $s" | bc)" $((m / 1024)) "$ms" "$(echo "scale=1; $bytes * 1000 / 1048576 / ($ms + 1)" | bc)" \
      "$key" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
