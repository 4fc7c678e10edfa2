# shellcheck shell=bash disable=SC2154,SC2034 # bin comes from, svc goes to the sourcing script
# Sourced by bench/token.sh and bench/throttled.sh: a throwaway SQLite database, `clavis
# serve` on CPU 0 with --threads 1 on a free loopback port, an admin token and a service.
# Needs $bin; sets tmp, url, pid (stopped with tmp removed on exit), at, svc, and the
# functions field (a JSON field) and api (POST to the admin API).
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
[[ -x $bin ]] || { echo "bench: $bin is missing (make build)" >&2; exit 1; }
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
init=$("$bin" init --db "$tmp/clavis.db" --json)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
admin_id=$(field "$init" client_id); admin_secret=$(field "$init" client_secret)
taskset -c 0 "$bin" serve --listen "127.0.0.1:$port" --db "$tmp/clavis.db" --threads 1 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 50); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
admin=$(curl -sf -u "$admin_id:$admin_secret" -d grant_type=client_credentials -d scope=admin "$url/token")
at=$(field "$admin" access_token)
api() { curl -sf -H "Authorization: Bearer $at" -H 'Content-Type: application/json' -d "$2" "$url$1"; }
svc=$(field "$(api /admin/v1/services '{"name":"bench"}')" id)
