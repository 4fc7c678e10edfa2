#!/usr/bin/env bash
# Cost of a throttled flood at /token (docs/OPERATIONS.md "Metrics": a throttled try is
# named per client only for a client that exists). One address is made to wait (31 wrong
# tries with invented ids), then wrk floods it; nearly every answer is a 429 (when a wait
# ends, a try or two is a real failure, which doubles the next wait: "other" counts them):
#   random  a new invented client_id per request
#   one     one invented client_id
#   real    the client_id of a real client
# Server on CPU 0 (--threads 1), wrk on CPU 1; a warm-up, then RUNS runs of DURATION s per
# case; prints the median req/s with every run's.
#   CLAVIS_BIN=build/clavis bench/throttled.sh
#   DURATION=5 RUNS=3 bench/throttled.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${CLAVIS_BIN:-$root/build/clavis}
duration=${DURATION:-5}
runs=${RUNS:-3}
conns=${CONNS:-32}
# shellcheck source=bench/quick_server.sh
source "$here/quick_server.sh"
real=$(field "$(api /admin/v1/clients "{\"service_id\":\"$svc\",\"name\":\"real\",\"type\":\"m2m\",\"scopes\":[\"read\"]}")" client_id)
try() { curl -s -o /dev/null -w '%{http_code}' -u "$1:x" -d grant_type=client_credentials "$url/token"; }
# 31 failures from this address: it waits, and waits longer after each failure it makes
for i in $(seq 31); do try "filler-$i" >/dev/null; done
[[ $(try "anyone") == 429 ]] || { echo "bench: the address is not throttled" >&2; exit 1; }
printf '%-8s %12s %10s %10s %8s\n' case 'req/s' p50 p99 not429
run_case() { # name ids
    local rps=() p50=() p99=() bad=0 out
    export BENCH_IDS=$2
    taskset -c 1 wrk -t1 -c"$conns" -d2s -s "$here/throttled.lua" "$url/token" >/dev/null # warm-up
    for _ in $(seq "$runs"); do
        out=$(taskset -c 1 wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/throttled.lua" "$url/token")
        rps+=("$(awk '/^Requests\/sec/ {print $2}' <<<"$out")")
        p50+=("$(awk '$1=="50%" {print $2}' <<<"$out")")
        p99+=("$(awk '$1=="99%" {print $2}' <<<"$out")")
        bad=$((bad + $(awk '/^bad:/ {print $2}' <<<"$out")))
    done
    printf '%-8s %12s %10s %10s %8s   (runs: %s)\n' "$1" \
        "$(printf '%s\n' "${rps[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" \
        "$(printf '%s\n' "${p50[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" \
        "$(printf '%s\n' "${p99[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" "$bad" "${rps[*]}"
}
run_case random random
run_case one invented-one
run_case real "$real"
