# Sourced by bench/server.sh and bench/postgres.sh: writes a real ~24 KB
# pull_request.synchronize example from @octokit/webhooks-examples to
# $WORK/payload.json and exports BENCH_PAYLOAD and BENCH_SIG (signed with
# $SECRET; GitHub signs the body only, so one signature serves every request).
# With BENCH_PRS=N (N > 1) it also writes $WORK/payload-K.json and
# $WORK/payload-K.sig for K = 0..N-1, the same delivery for pull requests
# 1..N, which server_webhook.lua sends in turn (deliveries spread over N
# pull requests, as a busy installation's are).
export BENCH_PAYLOAD=$WORK/payload.json
python3 - "$BENCH_PAYLOAD" "$SECRET" "${BENCH_PRS:-1}" <<'PY'
import hashlib, hmac, json, os, sys
idx = json.load(open("tests/tools/node_modules/@octokit/webhooks-examples/api.github.com/index.json"))
ex = [e for e in next(x for x in idx if x["name"] == "pull_request")["examples"] if e["action"] == "synchronize"][0]
open(sys.argv[1], "w").write(json.dumps(ex))
prs = int(sys.argv[3])
if prs > 1:
    for k in range(prs):
        ex["number"] = ex["pull_request"]["number"] = k + 1
        body = json.dumps(ex).encode()
        base = os.path.join(os.path.dirname(sys.argv[1]), f"payload-{k}")
        open(base + ".json", "wb").write(body)
        open(base + ".sig", "w").write("sha256=" + hmac.new(sys.argv[2].encode(), body, hashlib.sha256).hexdigest())
PY
BENCH_SIG="sha256=$(python3 -c 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), open(sys.argv[2],"rb").read(), hashlib.sha256).hexdigest())' "$SECRET" "$BENCH_PAYLOAD")"
export BENCH_SIG
