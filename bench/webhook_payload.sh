# Sourced by bench/server.sh and bench/postgres.sh: writes a real ~24 KB
# pull_request.synchronize example from @octokit/webhooks-examples to
# $WORK/payload.json and exports BENCH_PAYLOAD and BENCH_SIG (signed with
# $SECRET; GitHub signs the body only, so one signature serves every request).
export BENCH_PAYLOAD=$WORK/payload.json
python3 - "$BENCH_PAYLOAD" <<'PY'
import json, sys
idx = json.load(open("tests/tools/node_modules/@octokit/webhooks-examples/api.github.com/index.json"))
ex = [e for e in next(x for x in idx if x["name"] == "pull_request")["examples"] if e["action"] == "synchronize"][0]
open(sys.argv[1], "w").write(json.dumps(ex))
PY
BENCH_SIG="sha256=$(python3 -c 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), open(sys.argv[2],"rb").read(), hashlib.sha256).hexdigest())' "$SECRET" "$BENCH_PAYLOAD")"
export BENCH_SIG
