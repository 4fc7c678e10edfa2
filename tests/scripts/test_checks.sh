#!/usr/bin/env bash
# Tests of the tree's own checks (docs/ARCHITECTURE.md "Checked, not hoped for"): each
# passes on the tree as it is, and fails on a copy with one planted fault — an include
# that climbs a layer, an include across oauth and admin, a function over the budget, a
# file over the budget. Prints "N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
expect() { # expect WANT NAME COMMAND...
    local want=$1 name=$2
    shift 2
    if "$@" >"$tmp/out" 2>&1; then got=0; else got=1; fi
    if [ "$got" = "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name (exit $got, wanted $want)"
        sed 's/^/  /' "$tmp/out"
    fi
}
plant() { # a fresh copy of src/ in $tmp/src
    rm -rf "$tmp/src"
    cp -r "$root/src" "$tmp/src"
}

expect 0 "layers: the tree passes" "$root/scripts/check-layers.sh" "$root/src"
plant
printf '#include "http/server.h"\n' >>"$tmp/src/base/err.c"
expect 1 "layers: base including http fails" "$root/scripts/check-layers.sh" "$tmp/src"
grep -q 'base/err.c includes http/server.h' "$tmp/out" || { fail=$((fail + 1)); echo "FAIL: the planted include is not named"; }
plant
printf '#include "core/app.h"\n' >>"$tmp/src/store/store.c"
expect 1 "layers: store climbing to core fails" "$root/scripts/check-layers.sh" "$tmp/src"
plant
printf '#include "admin/clients.h"\n' >>"$tmp/src/oauth/token.c"
expect 1 "layers: oauth including admin fails" "$root/scripts/check-layers.sh" "$tmp/src"
plant
mkdir -p "$tmp/src/newdir" && printf 'int x;\n' >"$tmp/src/newdir/x.c"
expect 1 "layers: a folder without a layer fails" "$root/scripts/check-layers.sh" "$tmp/src"

if command -v pmccabe >/dev/null; then
    expect 0 "budget: the tree passes" "$root/scripts/check-budget.sh" "$root/src"
    plant
    {
        printf 'int clv_too_long(int x);\nint clv_too_long(int x)\n{\n'
        for i in $(seq 1 70); do printf '    x += %d;\n' "$i"; done
        printf '    return x;\n}\n'
    } >>"$tmp/src/base/err.c"
    expect 1 "budget: a 73-line function fails" "$root/scripts/check-budget.sh" "$tmp/src"
    plant
    {
        printf 'int clv_too_branchy(int x);\nint clv_too_branchy(int x)\n{\n'
        for i in $(seq 1 16); do printf '    if (x == %d)\n        return %d;\n' "$i" "$i"; done
        printf '    return 0;\n}\n'
    } >>"$tmp/src/base/err.c"
    expect 1 "budget: complexity 17 fails" "$root/scripts/check-budget.sh" "$tmp/src"
    plant
    for i in $(seq 1 801); do printf '/* line %d */\n' "$i"; done >>"$tmp/src/base/err.c"
    expect 1 "budget: a file over 800 lines fails" "$root/scripts/check-budget.sh" "$tmp/src"
else
    echo "FAIL: pmccabe is missing"
    fail=$((fail + 1))
fi
echo "checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
