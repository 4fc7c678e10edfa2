#!/usr/bin/env bash
# CPU time of clv_jwt_verify, one key against two keys alternating (bench/jwt_verify.c), for
# each build directory given (default build), ROUNDS times (default 3), alternated; JWT_N
# verifications a measurement (default 20000).
#   bench/jwt_verify.sh [BUILD_DIR...]        e.g. bench/jwt_verify.sh build-old build
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pkgs="libmicrohttpd jansson libcrypto libssl jose sqlite3 libargon2 libpq libcurl" # as CMakeLists.txt
dirs=("${@:-$root/build}")
for d in "${dirs[@]}"; do
    lib=$d/libclavis_lib.a
    [[ -f $lib ]] || { echo "jwt_verify: $lib is missing (cmake --build $d)" >&2; exit 1; }
    if [[ ! -x $d/clavis-jwt-verify || $d/clavis-jwt-verify -ot $lib || $d/clavis-jwt-verify -ot $here/jwt_verify.c ]]; then
        # shellcheck disable=SC2046,SC2086 # pkg-config prints several flags; $pkgs is a list
        cc -std=c17 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -I"$root/src" $(pkg-config --cflags $pkgs) -o "$d/clavis-jwt-verify" "$here/jwt_verify.c" \
            "$lib" $(pkg-config --libs $pkgs) -lpthread -lm
    fi
done
for r in $(seq "${ROUNDS:-3}"); do
    for d in "${dirs[@]}"; do
        "$d/clavis-jwt-verify" | sed "s|^|$d round $r: |"
    done
done
