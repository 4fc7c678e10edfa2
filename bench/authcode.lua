-- wrk script: the authorization-code round trip of a signed-in user (RFC 6749 §4.1 with PKCE
-- S256): GET /authorize with the SSO session cookie → 302 with a code → POST /token with
-- the code (confidential client, Basic) → access token, ID token, refresh token. Each
-- connection alternates the two requests; a round trip is two requests, so round trips/s
-- is wrk's req/s / 2. Counts as bad every /authorize that is not a 302 with a code and
-- every /token that is not a 200 with an access token. Run against the server's root URL.
-- Environment (bench/flows.py writes them): BENCH_AUTH, BENCH_COOKIE, BENCH_AUTHZ_QUERY,
-- BENCH_REDIRECT, BENCH_VERIFIER.
local threads = {}
function setup(thread)
    table.insert(threads, thread)
end
local function urlencode(s)
    return (string.gsub(s, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
    bad = 0
    codes = {}
    authz_path = "/authorize?" .. os.getenv("BENCH_AUTHZ_QUERY")
    authz_headers = {["Cookie"] = os.getenv("BENCH_COOKIE")}
    token_headers = {["Content-Type"] = "application/x-www-form-urlencoded",
                     ["Authorization"] = "Basic " .. os.getenv("BENCH_AUTH")}
    token_tail = "&redirect_uri=" .. urlencode(os.getenv("BENCH_REDIRECT")) ..
                 "&code_verifier=" .. os.getenv("BENCH_VERIFIER")
end
function request()
    local code = table.remove(codes)
    if code == nil then
        return wrk.format("GET", authz_path, authz_headers)
    end
    return wrk.format("POST", "/token", token_headers,
                      "grant_type=authorization_code&code=" .. code .. token_tail)
end
function response(status, headers, body)
    if status == 302 then
        local code = string.match(headers["Location"] or headers["location"] or "", "[?&]code=([^&]+)")
        if code then table.insert(codes, code) else bad = bad + 1 end
    elseif status ~= 200 or not string.find(body, '"access_token"', 1, true) then
        bad = bad + 1
    end
end
function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do total = total + t:get("bad") end
    io.write(string.format("bad: %d\n", total))
end
