-- wrk script of bench/api.py: every request a POST of its own, so no ballot repeats a voter.
-- BENCH_BODY is the body with "{n}" where a unique name goes (the voter); that name is also the
-- request's Idempotency-Key. BENCH_RUN keeps names of successive runs on one store apart.
-- done() prints one line, "BENCH {json}", with wrk's totals and the answers counted by kind.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

function init(args)
   prefix = os.getenv("BENCH_RUN") .. "-" .. thread_number .. "-"
   template = os.getenv("BENCH_BODY")
   path = os.getenv("BENCH_PATH")
   headers = {
      ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
      ["Content-Type"] = "application/json",
   }
   sent, accepted, refused, failed = 0, 0, 0, 0
end

function request()
   sent = sent + 1
   local name = prefix .. sent
   headers["Idempotency-Key"] = name
   local body = template:gsub("{n}", name)
   return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
   if status ~= 200 then
      failed = failed + 1
   elseif body:find('"accepted"', 1, true) then
      accepted = accepted + 1
   else
      refused = refused + 1
   end
end

function done(summary, latency, requests)
   local totals = {accepted = 0, refused = 0, failed = 0}
   for _, thread in ipairs(threads) do
      for kind in pairs(totals) do
         totals[kind] = totals[kind] + thread:get(kind)
      end
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "accepted": %d, "refused": %d, "non_200": %d, ' ..
      '"socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
      summary.requests, summary.duration, totals.accepted, totals.refused, totals.failed,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50), latency:percentile(99)))
end
