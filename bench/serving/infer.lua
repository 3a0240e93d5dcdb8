-- wrk script of bench/serving/run.sh: POSTs one Open Inference Protocol v2 body (one row) and prints
-- one machine-readable RESULT line, so run.sh does not have to parse wrk's human summary.
--   WRK_BODY      file holding the JSON body (required)
--   WRK_DELAY_MS  optional think time per connection before each request: turns wrk's closed loop
--                 into a paced one for the latency run at half of saturation (there is no wrk2 here)

local path = os.getenv("WRK_BODY") or error("set WRK_BODY to the body file")
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

-- wrk builds the request once when no request() function exists; only define delay() when asked,
-- because wrk calls it (and arms a timer) before every request once it exists.
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "")
if pause and pause > 0 then
  function delay()
    return pause
  end
end

-- Latency is measured from writing the request to reading the answer (after the delay): the p50/p99
-- of the paced run are service latencies at that rate, not queueing behind a closed loop.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d mean_us=%.1f max_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, summary.requests / summary.duration * 1e6,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
