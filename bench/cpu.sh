#!/usr/bin/env bash
# CPU time the server spends per request (utime + stime of /proc/PID/stat over a wrk run), for
# /token (client_credentials, ES256) and /introspect: unlike requests/s it hardly moves when
# other work shares the machine. Extra arguments go to `clavis serve`.
#   bench/cpu.sh build/clavis                   # as is
#   bench/cpu.sh build/clavis --log-requests    # with a log line per request
#   CASES="token token_resource" bench/cpu.sh build/clavis
# Cases (CASES, default all, in this order):
#   token            client_credentials, scope read
#   introspect       one token, again and again (the verified-token cache answers)
#   token_resource   client_credentials for a registered resource (RFC 8707)
#   introspect_1kid  2,048 tokens of one ES256 key in turn (each verified: more than the
#                    verified-token cache holds)
#   introspect_2kids 2,048 tokens, alternately of the retired and the active ES256 key after
#                    a rotation (rotates the ES256 key: keep it last)
# DUR: seconds a measured run (default 6).
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
# not exported: post.lua would introspect it at /token too (before 2026-12-05 the token case
# did, and measured 400 answers)
intro_token=$(field "$tok" access_token)
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
tck=$(getconf CLK_TCK)

# mint N FILE: N client_credentials tokens of the bench client, one a line, into FILE.
mint() {
  python3 - "$url" "$BENCH_AUTH" "$1" "$2" <<'PY'
import http.client, json, sys, urllib.parse
url, auth, n, path = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = http.client.HTTPConnection(url.hostname, url.port)
with open(path, "w") as f:
    for _ in range(n):
        c.request("POST", "/token", "grant_type=client_credentials&scope=read",
                  {"Authorization": "Basic " + auth,
                   "Content-Type": "application/x-www-form-urlencoded"})
        f.write(json.loads(c.getresponse().read())["access_token"] + "\n")
PY
}

# The kid of the first token of FILE.
kid_of() { python3 -c "import base64,json,sys; h=open(sys.argv[1]).readline().split('.')[0]; print(json.loads(base64.urlsafe_b64decode(h+'='*(-len(h)%4)))['kid'])" "$1"; }

# run CASE ENDPOINT [VAR=VALUE...]: warm-up, then a measured wrk run with the variables set.
run() {
  local name=$1 ep=$2 out c0 c1 n bad
  shift 2
  env "$@" wrk -t1 -c8 -d2s -s "$here/post.lua" "$url/$ep" >/dev/null
  c0=$(cpu)
  out=$(env "$@" wrk -t1 -c8 -d"${DUR:-6}"s -s "$here/post.lua" "$url/$ep")
  c1=$(cpu)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/^bad:/ {print $2}' <<<"$out")
  awk -v c=$((c1-c0)) -v n="$n" -v t="$tck" -v ep="$name" -v bad="$bad" \
    'BEGIN {printf "%s: %d requests, %.1f us CPU/request (bad: %s)\n", ep, n, c/t*1e6/n, bad}'
}

for case in ${CASES:-token introspect token_resource introspect_1kid introspect_2kids}; do
  case $case in
  token) run token token ;;
  introspect) run introspect introspect BENCH_TOKEN="$intro_token" ;;
  token_resource)
    api "/admin/v1/services/$svc/resources" '{"identifier":"https://api.bench.example/","scopes":["read"]}' >/dev/null || true
    run token_resource token BENCH_RESOURCE=https://api.bench.example/ ;;
  introspect_1kid)
    mint 2048 "$tmp/one.txt"
    run introspect_1kid introspect BENCH_TOKENS_FILE="$tmp/one.txt" ;;
  introspect_2kids)
    [ -s "$tmp/one.txt" ] || mint 2048 "$tmp/one.txt"
    api /admin/v1/keys/rotate '{"alg":"ES256"}' >/dev/null
    mint 1024 "$tmp/new.txt"
    [ "$(kid_of "$tmp/one.txt")" != "$(kid_of "$tmp/new.txt")" ] || { echo "cpu.sh: the rotation did not change the kid" >&2; exit 1; }
    paste -d '\n' <(head -n 1024 "$tmp/one.txt") "$tmp/new.txt" >"$tmp/two.txt"
    run introspect_2kids introspect BENCH_TOKENS_FILE="$tmp/two.txt" ;;
  *) echo "cpu.sh: unknown case $case" >&2; exit 2 ;;
  esac
done
