#!/usr/bin/env bash
# Bans functions that have no place in Clavis (STYLE.md): unbounded copies and formats,
# strtok, atoi, rand, and memcmp on anything secret (use clv_ct_equal / CRYPTO_memcmp).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|rand|srand)\s*\(' src tests/unit -r --include='*.c' --include='*.h'; then
    echo "check-style: banned function above" >&2; status=1
fi
if grep -nE 'memcmp\s*\([^)]*(secret|hash|token|password|mac)' src -r --include='*.c'; then
    echo "check-style: memcmp on a secret above: use clv_ct_equal" >&2; status=1
fi
exit $status
