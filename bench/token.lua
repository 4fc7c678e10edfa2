-- wrk script: POST /token with client_credentials and a Basic header; counts answers that
-- are not 2xx or carry no access_token, and prints "bad: N" at the end.
-- Environment: BENCH_AUTH (base64 of client_id:secret), BENCH_SCOPE (default "read").
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=" .. (os.getenv("BENCH_SCOPE") or "read")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_AUTH")

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end
function init(args)
    bad = 0
end
function response(status, headers, body)
    if status < 200 or status > 299 or not string.find(body, "access_token", 1, true) then
        bad = bad + 1
    end
end
function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do
        total = total + t:get("bad")
    end
    io.write(string.format("bad: %d\n", total))
end
