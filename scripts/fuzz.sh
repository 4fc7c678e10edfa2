#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS (default 60) each, from its seed corpus.
#   scripts/fuzz.sh BUILD_DIR
set -euo pipefail
build=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
for bin in "$build"/fuzz_*; do
    name=$(basename "$bin"); name=${name#fuzz_}
    corpus=$(mktemp -d)
    cp -r "$root/tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
    echo "== fuzz_$name for ${secs}s"
    "$bin" -max_total_time="$secs" -max_len=65536 "$corpus" 2>&1 | tail -n 3
    rm -rf "$corpus"
done
