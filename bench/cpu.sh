#!/usr/bin/env bash
# CPU time the server spends per request (utime + stime of /proc/PID/stat over a wrk run), for
# /token (client_credentials, ES256) and /introspect: unlike requests/s it hardly moves when
# other work shares the machine. Extra arguments go to `clavis serve`.
#   bench/cpu.sh build/clavis                   # as is
#   bench/cpu.sh build/clavis --log-requests    # with a log line per request
set -euo pipefail
bin=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
init=$("$bin" init --db "$tmp/clavis.db" --json)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
admin_id=$(field "$init" client_id); admin_secret=$(field "$init" client_secret)
"$bin" serve --listen "127.0.0.1:$port" --db "$tmp/clavis.db" --threads 1 "$@" 2>"$tmp/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf $tmp' EXIT
for _ in $(seq 50); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
admin=$(curl -sf -u "$admin_id:$admin_secret" -d grant_type=client_credentials -d scope=admin "$url/token")
at=$(field "$admin" access_token)
api() { curl -sf -H "Authorization: Bearer $at" -H 'Content-Type: application/json' -d "$2" "$url$1"; }
svc=$(field "$(api /admin/v1/services '{"name":"bench"}')" id)
client=$(api /admin/v1/clients "{\"service_id\":\"$svc\",\"name\":\"b\",\"type\":\"m2m\",\"scopes\":[\"read\"],\"access_token_signing_alg\":\"ES256\"}")
cid=$(field "$client" client_id); sec=$(field "$client" client_secret)
export BENCH_AUTH=$(printf '%s:%s' "$cid" "$sec" | base64 -w0)
tok=$(curl -sf -u "$cid:$sec" -d grant_type=client_credentials -d scope=read "$url/token")
export BENCH_TOKEN=$(field "$tok" access_token)
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
tck=$(getconf CLK_TCK)
for ep in token introspect; do
  wrk -t1 -c8 -d2s -s "$here/post.lua" "$url/$ep" >/dev/null
  c0=$(cpu)
  out=$(wrk -t1 -c8 -d${DUR:-6}s -s "$here/post.lua" "$url/$ep")
  c1=$(cpu)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v c=$((c1-c0)) -v n=$n -v t=$tck -v ep=$ep 'BEGIN {printf "%s: %d requests, %.1f us CPU/request\n", ep, n, c/t*1e6/n}'
done
