#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store suites (docs/OPERATIONS.md, "PostgreSQL").
# Usage: scripts/pg.sh start        initdb + start; prints the URL
#        scripts/pg.sh env          prints CLAVIS_TEST_STORE_URL=… of the running cluster
#        scripts/pg.sh stop         stops it and removes its directory
#        scripts/pg.sh run CMD…     start, run CMD with CLAVIS_TEST_STORE_URL set, stop
#                                   (also when CMD fails or is interrupted); CMD's status
#        scripts/pg.sh crash        stops it at once (pg_ctl stop -m immediate), data kept
#        scripts/pg.sh resume       starts it again on its port, after a crash
#        scripts/pg.sh url          prints the URL of the running cluster
#        scripts/pg.sh up           like start, but keeps a cluster made before (make run PG=1):
#                                   starts it again with its data instead of a new one
# The cluster listens on 127.0.0.1 only, on a free port, with trust authentication for
# loopback (a test cluster: nothing else can reach it), fsync off (nothing in it is kept) —
# unless CLAVIS_PG_DURABLE=1 (tests/e2e/pgkill.test.mjs: PostgreSQL's own durable defaults,
# so that a crash keeps every commit it acknowledged).
# As root it runs as the `postgres` system user (initdb refuses root). CLAVIS_PG_DIR
# chooses its directory (default: one per user and checkout under /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${CLAVIS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
dir=${CLAVIS_PG_DIR:-/tmp/clavis-pg.$(id -u).$(printf '%s' "$here" | md5sum | cut -c1-8)}

as_owner() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() {
    [[ -f $dir/port ]] || { echo "pg.sh: no cluster in $dir (scripts/pg.sh start)" >&2; exit 1; }
    echo "postgres://clavis@127.0.0.1:$(cat "$dir/port")/postgres"
}

start() {
    [[ -x $bin/initdb ]] || { echo "pg.sh: no PostgreSQL in $bin (scripts/deps.sh test)" >&2; exit 1; }
    # The postgres user must reach its own binaries: a root directory that only root may
    # enter (a chroot made with mktemp -d is 0700) would keep it out of everything.
    if [[ $(id -u) == 0 ]] && ! runuser -u postgres -- test -x "$bin/initdb" 2>/dev/null; then
        chmod o+x / || true
    fi
    if [[ -f $dir/port ]] && as_owner "$bin/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
        url
        return
    fi
    if [[ ${1:-} == keep && -f $dir/opts && -d $dir/data ]]; then
        launch
        url
        return
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [[ $(id -u) == 0 ]] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U clavis --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    local port opts
    port=$(free_port)
    opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200"
    if [[ ${CLAVIS_PG_DURABLE:-0} != 1 ]]; then
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_owner sh -c "echo '$opts' > '$dir/opts'"
    launch
    as_owner sh -c "echo $port > '$dir/port'"
    url
}

launch() {
    as_owner "$bin/pg_ctl" start -D "$dir/data" -l "$dir/data/server.log" -w -t 60 -o \
        "$(cat "$dir/opts")" >/dev/null || { cat "$dir/data/server.log" >&2; exit 1; }
}

crash() {
    as_owner "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null
}

stop() {
    if [[ -d $dir/data ]]; then
        as_owner "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case ${1:-} in
start) start ;;
up) start keep ;;
stop) stop ;;
env) echo "CLAVIS_TEST_STORE_URL=$(url)" ;;
url) url ;;
crash) crash ;;
resume) launch ;;
run)
    shift
    trap stop EXIT INT TERM
    CLAVIS_TEST_STORE_URL=$(start)
    export CLAVIS_TEST_STORE_URL
    echo "pg.sh: $CLAVIS_TEST_STORE_URL" >&2
    "$@"
    ;;
*)
    echo "usage: scripts/pg.sh start|up|stop|env|url|crash|resume|run CMD…" >&2
    exit 2
    ;;
esac
