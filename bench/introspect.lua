-- wrk script: POST an RFC 7662 introspection request for one token with a Basic header;
-- counts answers that are not 2xx or do not say "active":true, and prints "bad: N".
-- Environment: BENCH_AUTH (base64 of client_id:secret), BENCH_TOKEN (the token).
wrk.method = "POST"
wrk.body = "token=" .. os.getenv("BENCH_TOKEN")
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
    if status < 200 or status > 299 or not string.find(body, '"active":%s*true') then
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
