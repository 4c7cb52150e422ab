-- wrk script for bench/server.sh: POSTs a real pull_request payload signed
-- with X-Hub-Signature-256, each request with a unique X-GitHub-Delivery.
-- The signature covers the body only (GitHub signs the body, not the
-- headers), so one signature serves every request.
-- Env: BENCH_PAYLOAD (file), BENCH_SIG (sha256=...), BENCH_RUN (tag),
--      BENCH_PRS=N to spread the deliveries over N pull requests,
--      BENCH_COUNT=1 to count 2xx answers per thread (durability run),
--      BENCH_DELAY_MS to pace each connection (forged flood),
--      BENCH_LIMIT to stop each thread after that many answers.
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end
local payload = slurp(os.getenv("BENCH_PAYLOAD"))
local sig = os.getenv("BENCH_SIG")
-- BENCH_PRS=N: the N payloads webhook_payload.sh wrote beside BENCH_PAYLOAD
-- (pull requests 1..N, each signed), sent in turn.
local prs = tonumber(os.getenv("BENCH_PRS") or "1")
local payloads, sigs = {}, {}
if prs > 1 then
  local dir = os.getenv("BENCH_PAYLOAD"):match("^(.*)/[^/]*$")
  for k = 0, prs - 1 do
    payloads[k] = slurp(string.format("%s/payload-%d.json", dir, k))
    sigs[k] = slurp(string.format("%s/payload-%d.sig", dir, k))
  end
end
local run = os.getenv("BENCH_RUN") or "run"
local count = os.getenv("BENCH_COUNT") == "1"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local n = 0
accepted = 0
function request()
  n = n + 1
  local body, signature = payload, sig
  if prs > 1 then
    local k = (n + tid * 7) % prs
    body, signature = payloads[k], sigs[k]
  end
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "pull_request",
    ["X-GitHub-Delivery"] = string.format("%s-%d-%d", run, tid, n),
    ["X-Hub-Signature-256"] = signature,
  }
  return wrk.format("POST", nil, headers, body)  -- the path of the URL given to wrk
end

if delay_ms > 0 then
  function delay() return delay_ms end
end

local answers = 0
if count or limit > 0 then
  function response(status, headers, body)
    if status == 202 or status == 200 then accepted = accepted + 1 end
    answers = answers + 1
    if limit > 0 and answers >= limit then wrk.thread:stop() end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("accepted") or 0) end
  io.write(string.format("BENCH requests=%d non2xx=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d p50_ms=%.3f p99_ms=%.3f rps=%.1f accepted=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50) / 1000.0,
    latency:percentile(99) / 1000.0, summary.requests / (summary.duration / 1e6), total))
end
