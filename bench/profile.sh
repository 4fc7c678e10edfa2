#!/usr/bin/env bash
# Where the time of POST /token goes: Clavis on CPU 0 (--threads 1) under the load of
# bench/compare.sh (wrk -t2 -c32 on CPU 1, client_credentials), sampled by perf
# (cpu-clock — the software clock works on VMs without hardware counters — with DWARF call
# graphs, so that OpenSSL's and SQLite's frames are attributed to their callers).
#   bench/profile.sh              # RS256 and ES256
#   ALGS=ES256 SECONDS_=5 bench/profile.sh
#   CASE=create bench/profile.sh  # admin POST /clients instead (bench/create.lua, the server
#                                 # with --threads 32 as in bench/writes.sh): create.*
# Prints, per alg, the share of the samples and the microseconds per request of each stage
# of a request (bench/profile_stages.py: the signature, SQLite, JSON, the kernel's TCP…).
# Leaves, per alg, in $PROFILE_DIR (default /tmp/clavis-profile): ALG.data (perf),
# ALG.script.txt (its stacks), ALG.stages.txt (the stages), ALG.self.txt (self time by
# library and function) and ALG.children.txt (time including callees, by function).
# Needs linux-perf (apt-get install linux-perf) and root or a low perf_event_paranoid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${CLAVIS_BIN:-$root/build/clavis}
algs=${ALGS:-"RS256 ES256"}
secs=${SECONDS_:-8}
out=${PROFILE_DIR:-/tmp/clavis-profile}
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
command -v perf >/dev/null || { echo "profile: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
mkdir -p "$out"
bench_pin_self
tmp=$(mktemp -d)
BENCH_RESULTS=$tmp/results.tsv
cleanup() {
    bench_stop_all
    rm -rf "$tmp"
}
trap cleanup EXIT

port=$(bench_free_port)
url=http://127.0.0.1:$port
init=$("$bin" init --db "$tmp/clavis.db" --json)
case=${CASE:-token}
[[ $case == create ]] && algs=create
bench_start "$tmp/server.log" "$port" /healthz "$bin" serve --listen "127.0.0.1:$port" \
    --issuer "$url" --db "$tmp/clavis.db" --threads "$([[ $case == create ]] && echo 32 || echo 1)"
pid=$BENCH_PID
at=$(bench_json_field "$(curl -sf -u "$(bench_json_field "$init" client_id):$(bench_json_field "$init" client_secret)" \
    -d grant_type=client_credentials -d scope=admin "$url/token")" access_token)
api() { curl -sf -H "Authorization: Bearer $at" -H 'Content-Type: application/json' -d "$2" "$url$1"; }
svc=$(bench_json_field "$(api /admin/v1/services '{"name":"profile"}')" id)
for alg in $algs; do
    if [[ $alg == create ]]; then
        export BENCH_ADMIN=$at BENCH_SERVICE=$svc
        target=$url/
        lua=create.lua
    else
        target=$url/token
        lua=post.lua
        c=$(api /admin/v1/clients "{\"service_id\":\"$svc\",\"name\":\"profile-$alg\",\"type\":\"m2m\",\"scopes\":[\"read\"],\"access_token_signing_alg\":\"$alg\"}")
        cid=$(bench_json_field "$c" client_id)
        sec=$(bench_json_field "$c" client_secret)
        bench_check_json "$(curl -s -u "$cid:$sec" -d grant_type=client_credentials -d scope=read "$url/token")" access_token "$alg"
        export BENCH_AUTH
        BENCH_AUTH=$(printf '%s:%s' "$cid" "$sec" | base64 -w0)
    fi
    bench_wait_quiet
    taskset -c 1 wrk -t2 -c32 -d3s -s "$here/$lua" "$target" >/dev/null # warm-up
    taskset -c 1 wrk -t2 -c32 -d$((secs + 2))s --latency -s "$here/$lua" "$target" >"$out/$alg.wrk.txt" &
    wrk_pid=$!
    sleep 1
    perf record -q -e cpu-clock -F 1999 --call-graph dwarf,16384 -p "$pid" -o "$out/$alg.data" -- sleep "$secs" 2>/dev/null
    wait "$wrk_pid"
    perf report -i "$out/$alg.data" --no-children --sort dso,symbol --stdio -g none \
        --percent-limit 0.3 2>/dev/null | grep -E '^ +[0-9]' >"$out/$alg.self.txt" || true
    perf report -i "$out/$alg.data" --children --sort symbol --stdio -g none --percent-limit 1 \
        2>/dev/null | grep -E '^ +[0-9]' >"$out/$alg.children.txt" || true
    perf script -i "$out/$alg.data" -F ip,sym,dso 2>/dev/null >"$out/$alg.script.txt"
    echo "== $alg"
    python3 "$here/profile_stages.py" "$out/$alg.script.txt" \
        "$(awk '/^Requests\/sec/ {print $2}' "$out/$alg.wrk.txt")" | tee "$out/$alg.stages.txt"
done
