-- wrk script: GET, and prints "bad: N" at the end, N being the answers that are not 2xx.
-- No per-response Lua (wrk's own status count is used), so that the client stays cheap at
-- the rates of discovery and JWKS. Optional environment:
--   BENCH_BEARER  a bearer token to send
--   BENCH_PATHS   a file of request paths (one a line) that each connection cycles through,
--                 starting at a different line per thread
if os.getenv("BENCH_BEARER") then
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_BEARER")
end

local paths = nil
local file = os.getenv("BENCH_PATHS")
if file then
    paths = {}
    for line in io.lines(file) do
        if #line > 0 then table.insert(paths, line) end
    end
end

local nthreads = 0
local threads = {}
function setup(thread)
    thread:set("offset", nthreads)
    nthreads = nthreads + 1
    table.insert(threads, thread)
end
if paths then
    local i = 0
    function init(args)
        i = offset or 0
    end
    function request()
        i = i + 1
        return wrk.format("GET", paths[(i % #paths) + 1])
    end
end
function done(summary, latency, requests)
    io.write(string.format("bad: %d\n", summary.errors.status))
end
