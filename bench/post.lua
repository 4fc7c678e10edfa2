-- wrk script: POST a protocol request with a Basic header, and count the answers that are
-- not 2xx or do not carry what they should; prints "bad: N" at the end.
-- Environment: BENCH_AUTH (base64 of client_id:secret); then either BENCH_TOKEN (an RFC
-- 7662 introspection of that token, which must answer "active":true) or BENCH_SCOPE (a
-- client_credentials token request, default scope "read", which must carry access_token).
local token = os.getenv("BENCH_TOKEN")
local expect
if token then
    wrk.body = "token=" .. token
    expect = '"active":%s*true'
else
    wrk.body = "grant_type=client_credentials&scope=" .. (os.getenv("BENCH_SCOPE") or "read")
    expect = '"access_token"'
end
wrk.method = "POST"
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
    if status < 200 or status > 299 or not string.find(body, expect) then
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
