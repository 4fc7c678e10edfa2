#!/usr/bin/env bash
# Load test of POST /token (client_credentials, client_secret_basic, keep-alive) with wrk.
# Starts its own server on a free loopback port with a temp database, pins it to CPU 0
# and wrk to CPU 1, checks that a real token comes back, warms up, then runs each case and
# prints requests/s, p50 and p99, and the non-2xx count (which must be 0); then the same
# for /introspect of a token of the last alg.
#   bench/token.sh                 # RS256 and ES256 (and EdDSA)
#   ALGS="ES256" DURATION=5 bench/token.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${CLAVIS_BIN:-$root/build/clavis}
algs=${ALGS:-"RS256 ES256 EdDSA"}
duration=${DURATION:-10}
conns=${CONNS:-32}
# shellcheck source=bench/quick_server.sh
source "$here/quick_server.sh"
printf '%-8s %12s %10s %10s %8s\n' alg 'req/s' p50 p99 non2xx
for alg in $algs; do
    client=$(api /admin/v1/clients "{\"service_id\":\"$svc\",\"name\":\"bench-$alg\",\"type\":\"m2m\",\"scopes\":[\"read\"],\"access_token_signing_alg\":\"$alg\"}")
    cid=$(field "$client" client_id); sec=$(field "$client" client_secret)
    # pre-flight: a real token must come back
    curl -sf -u "$cid:$sec" -d grant_type=client_credentials -d scope=read "$url/token" | grep -q access_token
    export BENCH_AUTH=$(printf '%s:%s' "$cid" "$sec" | base64 -w0)
    taskset -c 1 wrk -t1 -c"$conns" -d3s -s "$here/post.lua" "$url/token" >/dev/null # warm-up
    out=$(taskset -c 1 wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/post.lua" "$url/token")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    bad=$(awk '/^bad:/ {print $2}' <<<"$out")
    printf '%-8s %12s %10s %10s %8s\n' "$alg" "$rps" "$p50" "$p99" "${bad:-?}"
done
# introspection of the last client's token, by that client (RFC 7662)
tok=$(curl -sf -u "$cid:$sec" -d grant_type=client_credentials -d scope=read "$url/token")
export BENCH_TOKEN=$(field "$tok" access_token)
curl -sf -u "$cid:$sec" -d "token=$BENCH_TOKEN" "$url/introspect" | grep -q '"active":true'
out=$(taskset -c 1 wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/post.lua" "$url/introspect")
printf '%-8s %12s %10s %10s %8s\n' "introspect" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk '/^bad:/ {print $2}' <<<"$out")"
echo "server RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
