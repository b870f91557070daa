-- wrk script for bench/run.py: counts answers by status and prints one JSON line at the end.
--   wrk -s bench/wrk_report.lua ...       (BENCH_VARY_IP=1: a new X-Forwarded-For per request)
-- Lines: "BENCH_JSON {...}" with requests, req/s, p50/p95/p99 (ms), bytes, statuses, errors.

local threads = {}
local vary_ip = os.getenv("BENCH_VARY_IP") == "1"

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   status_2xx, status_304, status_other, counter = 0, 0, 0, 0
end

if vary_ip then
   -- One address per request, so a per-client rate limit (books/ratelimit.py) never trips.
   request = function()
      counter = counter + 1
      local headers = {}
      for name, value in pairs(wrk.headers) do headers[name] = value end
      headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(counter / 250) % 250, counter % 250 + 1)
      return wrk.format(nil, nil, headers)
   end
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      status_2xx = status_2xx + 1
   elseif status == 304 then
      status_304 = status_304 + 1
   else
      status_other = status_other + 1
   end
end

function done(summary, latency, requests)
   local s2xx, s304, other = 0, 0, 0
   for _, thread in ipairs(threads) do
      s2xx = s2xx + thread:get("status_2xx")
      s304 = s304 + thread:get("status_304")
      other = other + thread:get("status_other")
   end
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, '
      .. '"bytes": %d, "status_2xx": %d, "status_304": %d, "status_other": %d, '
      .. '"socket_errors": %d, "timeouts": %d}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      summary.bytes, s2xx, s304, other,
      errors.connect + errors.read + errors.write, errors.timeout))
end
