#!/usr/bin/env bash
# Bulk-creates clients in a Clavis database (SQLite file or PostgreSQL URL), through the store in large transactions
# (bench/seed.c), not through HTTP: a million clients take tens of seconds, not hours.
#   bench/seed.sh --db FILE --clients N [--services S] [--batch B] [--cursors FILE]
# A missing database is made first with `clavis init --db FILE --json`, whose credentials
# are written to FILE.init.json (mode 0600). The tool is built with cc against the static
# library next to $CLAVIS_BIN (default build/clavis, i.e. build/libclavis_lib.a). The
# CLAVIS_* variables apply as for `clavis serve`: a PostgreSQL URL needs CLAVIS_KEK (or
# CLAVIS_KEY_DIR), the key-encryption key of docs/OPERATIONS.md "Keys".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${CLAVIS_BIN:-$root/build/clavis}
lib=$(dirname "$bin")/libclavis_lib.a
tool=$(dirname "$bin")/clavis-seed
[[ -x $bin && -f $lib ]] || { echo "seed: $bin or $lib is missing (make build)" >&2; exit 1; }

if [[ ! -x $tool || $tool -ot $lib || $tool -ot $here/seed.c ]]; then
    pkgs="libmicrohttpd jansson libcrypto libssl jose sqlite3 libargon2 libpq libcurl" # as CMakeLists.txt
    # shellcheck disable=SC2046,SC2086 # pkg-config prints several flags; $pkgs is a list
    cc -std=c17 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -I"$root/src" $(pkg-config --cflags $pkgs) -o "$tool" "$here/seed.c" "$lib" \
        $(pkg-config --libs $pkgs) -lpthread -lm
fi

db=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [[ ${args[i]} == --db ]] && db=${args[i + 1]:-}
done
[[ -n $db ]] || { echo "usage: bench/seed.sh --db FILE --clients N [--services S] [--batch B] [--cursors FILE]" >&2; exit 2; }
# A PostgreSQL URL (postgres://…) is initialised when INIT_JSON (where its credentials go,
# default ./seed.init.json) does not exist yet.
init_json=$db.init.json
is_url=
[[ $db == postgres://* || $db == postgresql://* ]] && is_url=1 init_json=${INIT_JSON:-seed.init.json}
if { [[ -z $is_url && ! -f $db ]]; } || { [[ -n $is_url && ! -f $init_json ]]; }; then
    (umask 077 && "$bin" init --db "$db" --json >"$init_json")
    echo "seed: initialised $db (credentials in $init_json)" >&2
fi
exec "$tool" "$@"
