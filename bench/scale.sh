#!/usr/bin/env bash
# Scale benchmark of Clavis: POST /token with 10 clients in the database against 1,000,000
# (seeded through the store by bench/seed.sh), and the admin list page
# GET /admin/v1/clients?limit=100 with 1,000,000 clients, by filter and cursor.
# Same method as bench/compare.sh (bench/lib.sh): server on CPU 0 with --threads 1, wrk on
# CPU 1, warm-up, medians of three runs, every answer checked.
#   bench/scale.sh
#   CLIENTS=100000 DURATION=5 OUT=/tmp/perf.md bench/scale.sh
# Environment: CLAVIS_BIN (default build/clavis), CLIENTS (default 1000000), DURATION, RUNS,
# CONNS (for /token, default 32), ADMIN_CONNS (for the list pages, default 1: the latency
# of one page), OUT (default docs/PERFORMANCE.md, whose scale block it rewrites).
# On PostgreSQL: PG_BASE=postgres://…/postgres (a cluster; each label gets a database of its
# own), and PG_LARGE_DB, PG_LARGE_INIT, PG_LARGE_CURSORS to reuse a seeded one (db_of).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${CLAVIS_BIN:-$root/build/clavis}
large=${CLIENTS:-1000000}
small=10
admin_conns=${ADMIN_CONNS:-1}
out_md=${OUT:-$root/docs/PERFORMANCE.md}
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
command -v wrk >/dev/null || { echo "scale: wrk is missing (apt-get install wrk)" >&2; exit 1; }
[[ -x $bin ]] || make -C "$root" build >&2
bench_pin_self
tmp=${SCALE_TMP:-$(mktemp -d)}
mkdir -p "$tmp"
BENCH_RESULTS=$tmp/results.tsv
: >"$BENCH_RESULTS"
cleanup() {
    bench_stop_all
    [[ -n ${SCALE_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

b64() { printf '%s:%s' "$1" "$2" | base64 -w0; }
urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# Seeds n clients, serves, measures /token RS256 and ES256; leaves the server up (PID).
# The database of a label: a file, or with PG_BASE (a PostgreSQL URL) a new database on
# that cluster. PG_LARGE_DB (with PG_LARGE_INIT, its `clavis init --json`, and
# PG_LARGE_CURSORS, seed.sh's --cursors file) reuses a database seeded before.
db_of() { # label
    if [[ -z ${PG_BASE:-} ]]; then
        echo "$tmp/$1/clavis.db"
    else
        local name=scale_$1_$RANDOM
        psql -q "$PG_BASE" -c "CREATE DATABASE $name" >/dev/null
        echo "${PG_BASE%/*}/$name"
    fi
}

serve_and_token() { # label n
    local label=$1 n=$2 dir=$tmp/$1 port url init t0 t1 alg c seeded db
    mkdir -p "$dir"
    echo "== $label: $n clients" >&2
    if [[ $label == large && -n ${PG_LARGE_DB:-} ]]; then
        db=$PG_LARGE_DB
        init=$(cat "$PG_LARGE_INIT")
        cp "$PG_LARGE_CURSORS" "$dir/cursors"
        bench_record seed seed text "seeded before: $PG_LARGE_DB"
    else
        db=$(db_of "$label")
        init=$("$bin" init --db "$db" --json)
        printf '%s\n' "$init" >"$dir/init.json"
        t0=$EPOCHREALTIME
        seeded=$(INIT_JSON=$dir/init.json taskset -c 0,1 "$here/seed.sh" --db "$db" --clients "$n" --cursors "$dir/cursors")
        t1=$EPOCHREALTIME
        echo "  $seeded" >&2
        [[ $label == large ]] && bench_record seed seed text "$seeded (\`bench/seed.sh --db DB --clients $n\`, $(python3 -c "print(f'{$t1 - $t0:.0f}')") s in all with the build of the tool)"
    fi
    port=$(bench_free_port)
    url=http://127.0.0.1:$port
    bench_start "$dir/server.log" "$port" /healthz "$bin" serve --listen "127.0.0.1:$port" --issuer "$url" --db "$db" --threads 1
    PID=$BENCH_PID
    URL=$url
    AT=$(bench_json_field "$(curl -sf -u "$(bench_json_field "$init" client_id):$(bench_json_field "$init" client_secret)" \
        -d grant_type=client_credentials -d scope=admin "$url/token")" access_token)
    local svc
    svc=$(bench_json_field "$(curl -sf -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' \
        -d '{"name":"bench"}' "$url/admin/v1/services")" id)
    for alg in RS256 ES256; do
        c=$(curl -sf -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' \
            -d "{\"service_id\":\"$svc\",\"name\":\"bench-$alg\",\"type\":\"m2m\",\"scopes\":[\"read\"],\"access_token_signing_alg\":\"$alg\"}" \
            "$url/admin/v1/clients")
        local cid sec body
        cid=$(bench_json_field "$c" client_id)
        sec=$(bench_json_field "$c" client_secret)
        [[ $alg == RS256 ]] && BENCH_CID=$cid
        body=$(curl -s -u "$cid:$sec" -d grant_type=client_credentials -d scope=read "$url/token")
        bench_check_json "$body" access_token "$alg"
        BENCH_AUTH=$(b64 "$cid" "$sec") BENCH_SCOPE=read \
            bench_wrk_case "$label" "token_$alg" "$PID" "$url/token" "$here/post.lua"
    done
    bench_record "$label" rss_load kib "$(bench_rss_kib "$PID")"
}

serve_and_token small "$small"
bench_stop "$PID"
serve_and_token large "$large"

# ---- admin list pages on the large database ----
dir=$tmp/large
mapfile -t services < <(awk '$1 == "service" {print $2}' "$dir/cursors")
mapfile -t deep < <(awk '$1 == "cursor" {print $3}' "$dir/cursors")
first_cursor() { # query: the next_cursor of the first page
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("next_cursor") or "")' \
        < <(curl -sf -H "Authorization: Bearer $AT" "$URL/admin/v1/clients?limit=100${1:+&$1}")
}
# A group: one filter, pages from the top, from the first page's next_cursor and from
# cursors at 10 %, 50 %, 90 % and 99.9 % of the list (any cursor works with any filter).
admin_group() { # name label query...
    local name=$1 label=$2 q nc c n=0
    shift 2
    : >"$tmp/paths.$name"
    for q in "$@"; do
        nc=$(first_cursor "$q")
        for c in first "$nc" "${deep[@]}"; do
            [[ -n $c ]] || continue
            [[ $c == first ]] && c=
            echo "/admin/v1/clients?limit=100${q:+&$q}${c:+&cursor=$c}" >>"$tmp/paths.$name"
            n=$((n + 1))
        done
    done
    # every path must answer 200 with items before it is measured
    while read -r p; do
        curl -sf -H "Authorization: Bearer $AT" "$URL$p" | grep -q '"items"' ||
            { echo "scale: $p does not answer" >&2; exit 1; }
    done <"$tmp/paths.$name"
    bench_record admin "$name" label "$label"
    bench_record admin "$name" paths "$n"
    BENCH_BEARER=$AT BENCH_PATHS=$tmp/paths.$name BENCH_CONNS=$admin_conns BENCH_THREADS=1 \
        bench_wrk_case admin "$name" "$PID" "$URL/" "$here/get.lua"
}
s0=${services[0]} s1=${services[1]:-${services[0]}}
admin_group none "no filter" ""
admin_group service "service_id" "service_id=$s0" "service_id=$s1"
admin_group status "status=inactive" "status=inactive"
admin_group type "type=public" "type=public"
admin_group combined "service_id + type + status" "service_id=$s0&type=m2m&status=active"
admin_group q_name "q, a name substring (10 names match)" "q=$(urlq 'client 000042')"
admin_group q_old "q, 100 and 1,000 of the oldest names match" "q=$(urlq 'client 00001')" "q=$(urlq 'client 0001')"
admin_group q_common "q, a term every name holds" "q=$(urlq 'seed client')"
admin_group q_short "q of 1 and 2 characters (common and matching nothing)" "q=S" "q=42" "q=zq"
admin_group q_filters "q with service_id, status and type" "service_id=$s0&status=active&type=m2m&q=$(urlq 'client 0001')" "service_id=$s1&type=m2m&q=42" "status=inactive&q=$(urlq 'seed')"
admin_group q_client_id "q, an exact client_id" "q=$(urlq "$BENCH_CID")"
admin_group q_none "q, matching nothing" "q=$(urlq 'no such client')"
cat "$tmp"/paths.* >"$tmp/paths.all"
bench_record admin all label "every filter above, mixed (wrk -c$admin_conns)"
bench_record admin all paths "$(wc -l <"$tmp/paths.all")"
BENCH_BEARER=$AT BENCH_PATHS=$tmp/paths.all BENCH_CONNS=$admin_conns BENCH_THREADS=1 \
    bench_wrk_case admin all "$PID" "$URL/" "$here/get.lua"
bench_record large rss_admin kib "$(bench_rss_kib "$PID")"

versions="clavis $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
machine="$(lscpu | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc --all) cores, $(free -g | awk '/^Mem/ {print $2}') GiB, Linux $(uname -r)"
cmd="bench/scale.sh"
[[ -n ${CLIENTS:-} || -n ${DURATION:-} || -n ${RUNS:-} ]] &&
    cmd="CLIENTS=$large DURATION=$BENCH_DURATION RUNS=$BENCH_RUNS $cmd"
[[ -n ${CLAVIS_BIN:-} ]] && cmd="CLAVIS_BIN=${CLAVIS_BIN#"$root"/} $cmd"
python3 "$here/report.py" scale "$BENCH_RESULTS" "$out_md" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$machine" "$versions" "$cmd" \
    "server on CPU 0 (\`taskset -c 0\`, \`--threads 1\`), wrk on CPU 1; /token: wrk -t$BENCH_THREADS -c$BENCH_CONNS -d${BENCH_DURATION}s --latency, $BENCH_WARMUP s warm-up, median of $BENCH_RUNS runs, the bench client created through the admin API after the seeding; list pages: wrk -t1 -c$admin_conns, the same warm-up and runs, each connection cycling through its group's paths (first page, the first page's next_cursor, and cursors at 10 %, 50 %, 90 % and 99.9 % of the list depth). Seeded clients: 100 services, 6/10 m2m, 3/10 confidential, 1/10 public, 1/20 inactive, one secret each for non-public ones; no audit events."
