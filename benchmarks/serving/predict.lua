-- wrk script: POST one iris row to /models/iris/predict; count non-2xx answers and note every model version seen
-- (the Native-Model-Version header). done() prints one RESULT line that run.sh reads.
wrk.method = "POST"
wrk.path = "/models/iris/predict"
wrk.body = '{"rows":[[5.1,3.5,1.4,0.2]]}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per thread: versions seen (as one string, which wrk can hand to done()), and answers that were not 2xx.
local known = {}
seen = ""
bad = 0

function response(status, headers, body)
  local version = headers["Native-Model-Version"]
  if version ~= nil and not known[version] then
    known[version] = true
    seen = seen .. version .. ","
  end
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local versions, bad_total = {}, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    for version in string.gmatch(thread:get("seen"), "([^,]+)") do
      versions[version] = true
    end
  end
  local list = {}
  for version in pairs(versions) do
    table.insert(list, version)
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d versions=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    bad_total, errors.connect + errors.read + errors.write + errors.timeout, table.concat(list, ",")))
end
