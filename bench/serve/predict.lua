-- wrk script (bench:serve, bench:explain): POST a single observation with a unique id per request to serve's predict route.
-- wrk -t1 -c8 -d20s -s predict.lua URL -- <id_base> <obs.txt> <path> <api key> [explain]
-- A fifth argument "explain" adds "explain": true to each request.
-- ok = 2xx responses. Prints one JSON line at the end (same fields as the peer's predict.lua).
local threads = {}
local base, n, obs, path, key, extra = 0, 0, {}, "/predict", nil, ""
ok, apperr = 0, 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  base = tonumber(args[1] or "0")
  for line in io.lines(args[2] or "obs.txt") do obs[#obs + 1] = line end
  path = args[3] or path
  key = args[4]
  if args[5] == "explain" then extra = ', "explain": true' end
end

function request()
  n = n + 1
  local id = base + tid * 10000000 + n
  local body = '{"id": ' .. id .. ', "observation": ' .. obs[n % #obs + 1] .. extra .. '}'
  local headers = {["Content-Type"] = "application/json"}
  if key then headers["Authorization"] = "Bearer " .. key end
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    if string.find(body, '"error"', 1, true) then apperr = apperr + 1 else ok = ok + 1 end
  end
end

function done(summary, latency, requests)
  local okt, appt = 0, 0
  for _, t in ipairs(threads) do okt = okt + t:get("ok"); appt = appt + t:get("apperr") end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format('{"requests":%d,"secs":%.3f,"rps":%.1f,"ok2xx":%d,"app_errors":%d,' ..
    '"non2xx":%d,"socket_errors":%d,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, secs, summary.requests / secs, okt, appt, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
