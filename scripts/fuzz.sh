#!/usr/bin/env bash
# Runs libFuzzer targets for FUZZ_SECONDS (default 60) each, from their seed corpora
# (tests/fuzz/corpus/<name>/, copied: the seeds are not grown in place). Exits non-zero on
# the first target that finds a crash, leaving the input in ./crash-*.
#   scripts/fuzz.sh BUILD_DIR [NAME...]     NAME: e.g. query (for fuzz_query); default all
set -euo pipefail
build=${1:-build-fuzz}
shift || true
secs=${FUZZ_SECONDS:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -gt 0 ]; then
    bins=(); for n in "$@"; do bins+=("$build/fuzz_$n"); done
else
    bins=("$build"/fuzz_*)
fi
for bin in "${bins[@]}"; do
    name=$(basename "$bin"); name=${name#fuzz_}
    corpus=$(mktemp -d)
    log=$(mktemp)
    cp -r "$root/tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
    echo "== fuzz_$name for ${secs}s"
    status=0
    "$bin" -max_total_time="$secs" -max_len=65536 "$corpus" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "fuzz_$name failed (exit $status)" >&2
    else
        grep -E 'DONE +cov' "$log" || true
    fi
    rm -rf "$corpus" "$log"
    [ "$status" -eq 0 ] || exit 1
done
