-- wrk script: refresh-token rotation (RFC 6749 §6) with a confidential client. Each wrk
-- thread owns a share of the tokens in BENCH_REFRESH_FILE (one a line, bench/flows.py) and
-- presents each only once: the answer's new refresh_token replaces it (a reused token would
-- revoke its family, docs/DESIGN.md). Needs at least as many tokens as connections. At
-- the end the tokens it holds are written back to the file for the next run (those whose
-- request was in flight when wrk stopped are lost: give a few times the connections).
-- Counts as bad every answer that is not 200 or carries no access_token or no new
-- refresh_token. Serves every server of bench/compare.sh (Clavis, Glewlwyd, oidc-provider):
-- the URL is the token endpoint, the client authenticates with client_secret_basic.
-- Environment: BENCH_AUTH (base64 of client_id:secret), BENCH_REFRESH_FILE, BENCH_WRK_THREADS
-- (wrk -t, how the tokens are shared out).
local threads = {}
local nextid = 0
function setup(thread)
    thread:set("id", nextid)
    nextid = nextid + 1
    table.insert(threads, thread)
end
function init(args)
    bad = 0
    pool = {}
    local n, i = tonumber(os.getenv("BENCH_WRK_THREADS") or "1"), 0
    for line in io.lines(os.getenv("BENCH_REFRESH_FILE")) do
        if i % n == id then table.insert(pool, line) end -- id: set by setup()
        i = i + 1
    end
    headers = {["Content-Type"] = "application/x-www-form-urlencoded",
               ["Authorization"] = "Basic " .. os.getenv("BENCH_AUTH")}
end
function request()
    local t = table.remove(pool)
    if t == nil then error("refresh.lua: fewer tokens than connections") end
    return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. t)
end
function response(status, headers, body)
    local t = string.match(body, '"refresh_token":%s*"([^"]+)"')
    if status ~= 200 or t == nil or not string.find(body, '"access_token":%s*"') then
        bad = bad + 1
    else
        table.insert(pool, t)
    end
end
function done(summary, latency, requests)
    local total = 0
    local f = io.open(os.getenv("BENCH_REFRESH_FILE"), "w")
    for _, t in ipairs(threads) do
        total = total + t:get("bad")
        for _, tok in ipairs(t:get("pool")) do f:write(tok, "\n") end
    end
    f:close()
    io.write(string.format("bad: %d\n", total))
end
