#!/usr/bin/env bash
# The write paths of Clavis on both backends (docs/PERFORMANCE.md, "Write paths"), by the
# method of bench/compare.sh (bench/lib.sh): server on CPU 0, wrk on CPU 1, a warm-up and
# RUNS runs of wrk -tTHREADS -cCONNS -dDURATION --latency, medians, bad answers counted.
# compare.sh runs it at its end (WRITES=0 skips it); alone:
#   bench/writes.sh
#   BACKENDS=sqlite DURATION=5 RUNS=1 bench/writes.sh
#   BACKENDS=sqlite CASES=create OUT=/tmp/w.md bench/writes.sh    # one case, docs untouched
# Cases, on each backend (SQLite: a file with WAL and synchronous=FULL; PostgreSQL: a
# throwaway cluster started here with its durable defaults — fsync on, synchronous_commit
# on — pinned to CPU 0 together with the server, so that "one core" holds the database too):
#   refresh    refresh-token rotation with reuse detection, ES256 access and ID tokens
#              (bench/refresh.lua; tokens from bench/flows.py, each presented once);
#   authcode   GET /authorize with an SSO session cookie → 302 with a code → POST /token
#              (bench/authcode.lua; round trips/s = req/s / 2);
#   create     admin POST /admin/v1/clients, m2m with a first secret (bench/create.lua);
#   token      POST /token client_credentials ES256 (bench/post.lua), server --threads 1
#              as in compare.sh; the cache answers it without the database;
#   two_nodes  (PostgreSQL) two servers on one database, each on its own CPU, each loaded
#              by its own wrk pinned to the other CPU: the sum of both (token and refresh).
# The write cases run the server with --threads W_THREADS (default 32): group commit
# (docs/DESIGN.md D10) batches the requests that wait at the same time, so it needs
# threads to wait in; each is one core's worth of CPU all the same (taskset -c 0).
# Writes its block of docs/PERFORMANCE.md (between its markers) or OUT.
# Environment: CLAVIS_BIN, BACKENDS ("sqlite postgres"), CASES (the cases of a backend to run,
# default "refresh authcode create token"; two_nodes runs with postgres), W_THREADS, DURATION, RUNS, CONNS,
# THREADS, WARMUP, OUT, QUIET_WAIT (lib.sh: how long to wait for a quiet machine).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${CLAVIS_BIN:-$root/build/clavis}
backends=${BACKENDS:-"sqlite postgres"}
wthreads=${W_THREADS:-32}
cases=" ${CASES:-refresh authcode create token} "
out_md=${OUT:-$root/docs/PERFORMANCE.md}
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
export BENCH_WRK_THREADS=$BENCH_THREADS QUIET_WAIT=${QUIET_WAIT:-20}

bench_pin_self
tmp=$(mktemp -d)
chmod 755 "$tmp"
BENCH_RESULTS=$tmp/results.tsv
: >"$BENCH_RESULTS"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgdir=$tmp/pg
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    bench_stop_all
    [[ -d $pgdir/data ]] && as_pg "$pgbin/pg_ctl" stop -D "$pgdir/data" -m fast -w >/dev/null 2>&1
    [[ -n ${KEEP_TMP:-} ]] && echo "writes: kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A PostgreSQL cluster on CPU 0 with the durable defaults; sets PG_URL.
pg_start() {
    local port
    mkdir -p "$pgdir"
    [[ $(id -u) == 0 ]] && chown postgres: "$pgdir"
    as_pg "$pgbin/initdb" -D "$pgdir/data" -U clavis --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    port=$(bench_free_port)
    as_pg taskset -c 0 "$pgbin/pg_ctl" start -D "$pgdir/data" -l "$pgdir/server.log" -w -t 30 -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c max_connections=200 -c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements" >/dev/null
    PG_URL=postgres://clavis@127.0.0.1:$port/postgres
    PG_N=0
}

# A fresh database of the backend: sets DB.
new_db() { # backend
    if [[ $1 == sqlite ]]; then
        DB=$tmp/clavis-$RANDOM.db
    else
        PG_N=$((PG_N + 1))
        psql -q "$PG_URL" -c "CREATE DATABASE bench$PG_N" >/dev/null
        DB=${PG_URL%/postgres}/bench$PG_N
    fi
}

# Starts a server on cpu with threads; sets URL, PID, ADMIN (a bearer token of scope admin).
serve() { # cpu threads [port]
    local port=${3:-$(bench_free_port)} init
    URL=http://127.0.0.1:$port
    init=$(cat "$tmp/init.json")
    taskset -c "$1" "$bin" serve --listen "127.0.0.1:$port" --issuer "$ISSUER" --db "$DB" --threads "$2" \
        >>"$tmp/server.log" 2>&1 &
    PID=$!
    BENCH_PIDS+=("$PID")
    for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
    ADMIN=$(bench_json_field "$(curl -sf -u "$(bench_json_field "$init" client_id):$(bench_json_field "$init" client_secret)" \
        -d grant_type=client_credentials -d scope=admin "$URL/token")" access_token)
}

init_db() { # backend
    new_db "$1"
    "$bin" init --db "$DB" --json >"$tmp/init.json"
    ISSUER=http://127.0.0.1:$(bench_free_port)
}

# The state the cases start from (bench/flows.py) and an m2m ES256 client.
flows() {
    local c
    python3 "$here/flows.py" "$URL" "$ADMIN" $((BENCH_CONNS * 12)) "$tmp" >/dev/null
    # shellcheck source=/dev/null
    source "$tmp/flow.env"
    c=$(curl -sf -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
        -d "{\"service_id\":\"$BENCH_SERVICE\",\"name\":\"m2m\",\"type\":\"m2m\",\"scopes\":[\"read\"],\"access_token_signing_alg\":\"ES256\"}" \
        "$URL/admin/v1/clients")
    M2M_AUTH=$(printf '%s:%s' "$(bench_json_field "$c" client_id)" "$(bench_json_field "$c" client_secret)" | base64 -w0)
    export BENCH_REFRESH_FILE=$tmp/refresh.txt BENCH_ADMIN=$ADMIN
}

# Every case of one backend.
run_backend() { # backend
    local b=$1
    echo "== $b: write cases (server --threads $wthreads on CPU 0)" >&2
    init_db "$b"
    local port
    port=${ISSUER##*:}
    serve 0 "$wthreads" "$port"
    flows
    [[ $cases == *" refresh "* ]] && bench_wrk_case "$b" refresh "$PID" "$URL/token" "$here/refresh.lua"
    [[ $cases == *" authcode "* ]] && bench_wrk_case "$b" authcode "$PID" "$URL/" "$here/authcode.lua"
    [[ $cases == *" create "* ]] && bench_wrk_case "$b" create "$PID" "$URL/" "$here/create.lua"
    bench_stop "$PID"
    [[ $cases == *" token "* ]] || return 0
    echo "== $b: /token client_credentials ES256 (server --threads 1)" >&2
    serve 0 1 "$port"
    curl -sf -H "Authorization: Basic $M2M_AUTH" -d grant_type=client_credentials -d scope=read "$URL/token" | grep -q access_token
    [[ $b == postgres ]] && psql -q "$DB" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
    BENCH_AUTH=$M2M_AUTH BENCH_SCOPE=read bench_wrk_case "$b" token "$PID" "$URL/token" "$here/post.lua"
    if [[ $b == postgres ]]; then
        # The cache answers a known client: the database must not have seen these requests.
        bench_record "$b" token db_calls "$(psql -qAt "$DB" -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() AND query NOT LIKE '%pg_stat_statements%'")"
    fi
    bench_stop "$PID"
}

# Two servers on one PostgreSQL database, each on its own CPU with its own wrk.
run_two_nodes() {
    local b=postgres port1 port2 url1 url2 pid1 pid2 o1 case lua auth
    echo "== postgres: two nodes" >&2
    init_db "$b"
    port1=${ISSUER##*:}
    serve 0 "$wthreads" "$port1"
    url1=$URL pid1=$PID
    flows
    port2=$(bench_free_port)
    serve 1 "$wthreads" "$port2"
    url2=$URL pid2=$PID
    for case in token refresh; do
        python3 "$here/flows.py" "$url1" "$ADMIN" $((BENCH_CONNS * 4)) "$tmp" >/dev/null
        # shellcheck source=/dev/null
        source "$tmp/flow.env"
        head -n $((BENCH_CONNS * 2)) "$tmp/refresh.txt" >"$tmp/r1.txt"
        tail -n $((BENCH_CONNS * 2)) "$tmp/refresh.txt" >"$tmp/r2.txt"
        if [[ $case == token ]]; then lua=post.lua auth=$M2M_AUTH; else lua=refresh.lua auth=$BENCH_AUTH; fi
        bench_wait_quiet
        o1=$(
            BENCH_AUTH=$auth BENCH_SCOPE=read BENCH_REFRESH_FILE=$tmp/r1.txt BENCH_WRK_THREADS=1 taskset -c 1 \
                wrk -t1 -c$((BENCH_CONNS / 2)) -d"${BENCH_DURATION}s" -s "$here/$lua" "$url1/token" &
            BENCH_AUTH=$auth BENCH_SCOPE=read BENCH_REFRESH_FILE=$tmp/r2.txt BENCH_WRK_THREADS=1 taskset -c 0 \
                wrk -t1 -c$((BENCH_CONNS / 2)) -d"${BENCH_DURATION}s" -s "$here/$lua" "$url2/token"
            wait
        )
        bench_record "$b" "two_nodes_$case" rps "$(awk '/Requests\/sec/ {s += $NF} END {print s}' <<<"$o1")"
        bench_record "$b" "two_nodes_$case" bad "$(awk '/bad:/ {s += $NF} END {print s}' <<<"$o1")"
        echo "  two nodes $case: $(awk '/Requests\/sec/ {print $NF}' <<<"$o1" | paste -sd+) req/s" >&2
    done
    bench_stop "$pid1"
    bench_stop "$pid2"
}

for b in $backends; do
    if [[ $b == postgres ]]; then
        [[ -x $pgbin/initdb ]] || { echo "writes: no PostgreSQL (scripts/deps.sh test)" >&2; continue; }
        pg_start
    fi
    run_backend "$b"
    [[ $b == postgres ]] && run_two_nodes
done

versions="clavis $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
[[ -x $pgbin/postgres ]] && versions+="; $("$pgbin/postgres" --version)"
machine="$(lscpu | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc --all) cores, Linux $(uname -r)"
python3 "$here/report.py" writes "$BENCH_RESULTS" "$out_md" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$machine" "$versions" "bench/writes.sh (BACKENDS=\"$backends\" W_THREADS=$wthreads)" \
    "wrk -t$BENCH_THREADS -c$BENCH_CONNS -d${BENCH_DURATION}s --latency, $BENCH_WARMUP s warm-up, median of $BENCH_RUNS runs; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
