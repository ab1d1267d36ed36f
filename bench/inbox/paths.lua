-- wrk script for bench/inbox/run.sh: goes round the request paths listed, one
-- a line, in the file named after "--" on wrk's command line, and prints the
-- latency percentiles the targets name (wrk's own --latency has no p95):
--   percentiles: P50_MS P95_MS P99_MS REQUESTS NON2XX
local paths = {}
local i = 0

function init(args)
    for line in io.lines(args[1]) do
        if line ~= "" then
            paths[#paths + 1] = line
        end
    end
    if #paths == 0 then
        error("no paths in " .. args[1])
    end
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
    io.write(string.format("percentiles: %.3f %.3f %.3f %d %d\n",
        latency:percentile(50) / 1000, latency:percentile(95) / 1000,
        latency:percentile(99) / 1000, summary.requests, summary.errors.status))
end
