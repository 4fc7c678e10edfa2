-- wrk script: POST a protocol request with a Basic header, and count the answers that are
-- not 2xx or do not carry what they should; prints "bad: N" at the end.
-- Environment: BENCH_AUTH (base64 of client_id:secret); then either BENCH_TOKEN (an RFC
-- 7662 introspection of that token, which must answer "active":true) or BENCH_SCOPE (a
-- client_credentials token request, default scope "read", which must carry access_token;
-- with BENCH_RESOURCE, for that resource, RFC 8707), or BENCH_TOKENS_FILE (introspections
-- of the tokens of that file, one a line, in turn: tokens the server has not just seen, so
-- that each is verified rather than answered from its verified-token cache).
local token = os.getenv("BENCH_TOKEN")
local tokens_file = os.getenv("BENCH_TOKENS_FILE")
local expect
if token or tokens_file then
    wrk.body = "token=" .. (token or "")
    expect = '"active":%s*true'
else
    wrk.body = "grant_type=client_credentials&scope=" .. (os.getenv("BENCH_SCOPE") or "read")
    local resource = os.getenv("BENCH_RESOURCE")
    if resource then
        wrk.body = wrk.body .. "&resource=" .. resource:gsub("[^%w%-%._~]", function(c)
            return string.format("%%%02X", string.byte(c))
        end)
    end
    expect = '"access_token"'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_AUTH")

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end
local list, next_i = {}, 0
function init(args)
    bad = 0
    if tokens_file then
        for line in io.lines(tokens_file) do
            if line ~= "" then table.insert(list, line) end
        end
    end
end
if tokens_file then -- only then a request function: wrk sends static requests faster
    function request()
        next_i = next_i % #list + 1
        return wrk.format(nil, nil, nil, "token=" .. list[next_i])
    end
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
