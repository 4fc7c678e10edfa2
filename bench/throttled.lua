-- wrk script: POST /token (client_credentials, Basic) as a throttled caller; answers other
-- than 429 are counted ("bad: N" at the end). Environment: BENCH_IDS, space-separated client_ids
-- sent in turn (secret "x"), or "random" for a new invented client_id on every request.
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS") or "random", "%S+") do
    table.insert(ids, id)
end
local n = 0

local function b64(s)
    local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return ((s:gsub(".", function(x)
        local r, b = "", x:byte()
        for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
        return r
    end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
        if #x < 6 then return "" end
        local c = 0
        for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
        return chars:sub(c + 1, c + 1)
    end) .. ({"", "==", "="})[#s % 3 + 1])
end

function request()
    n = n + 1
    local id = ids[(n - 1) % #ids + 1]
    if id == "random" then id = string.format("invented-%d-%d", math.random(1e9), n) end
    return wrk.format("POST", nil, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Authorization"] = "Basic " .. b64(id .. ":x"),
    }, "grant_type=client_credentials&scope=read")
end

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end
function init(args)
    bad = 0
end
function response(status, headers, body)
    if status ~= 429 then bad = bad + 1 end
end
function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do total = total + t:get("bad") end
    io.write(string.format("bad: %d\n", total))
end
