-- wrk script: admin POST /admin/v1/clients (an m2m client, which gets a first secret), with
-- a bearer token of scope admin. Counts as bad every answer that is not 201 with a
-- client_secret. Environment: BENCH_ADMIN (the bearer token), BENCH_SERVICE (service id).
local threads = {}
function setup(thread)
    table.insert(threads, thread)
end
function init(args)
    bad = 0
    n = 0
    headers = {["Content-Type"] = "application/json",
               ["Authorization"] = "Bearer " .. os.getenv("BENCH_ADMIN")}
end
function request()
    n = n + 1
    return wrk.format("POST", "/admin/v1/clients", headers, string.format(
        '{"service_id":"%s","name":"bench %d","type":"m2m","scopes":["read"]}',
        os.getenv("BENCH_SERVICE"), n))
end
function response(status, headers, body)
    if status ~= 201 or not string.find(body, '"client_secret"', 1, true) then
        bad = bad + 1
    end
end
function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do total = total + t:get("bad") end
    io.write(string.format("bad: %d\n", total))
end
