#!/usr/bin/env bash
# Checks that every #include between src/ folders goes down the layers of
# docs/ARCHITECTURE.md, and that the two logic folders never include each other:
#   base (0) < store, crypto, net (1) < core (2) < oauth, admin (3) < http (4) < cli (5)
# A folder may include itself and any folder of a lower rank; nothing else. main.c is
# above everything. Prints each offending include and exits 1 if there is any.
#   scripts/check-layers.sh [SRC_DIR]
set -euo pipefail
src=${1:-"$(dirname "$0")/../src"}
rank() {
    case $1 in
    base) echo 0 ;; store | crypto | net) echo 1 ;; core) echo 2 ;;
    oauth | admin) echo 3 ;; http) echo 4 ;; cli) echo 5 ;; *) echo "" ;;
    esac
}
bad=0
while IFS= read -r f; do
    rel=${f#"$src"/}
    from=${rel%%/*}
    [ "$from" = "$rel" ] && continue # src/main.c
    rf=$(rank "$from")
    if [ -z "$rf" ]; then
        echo "check-layers: $rel: folder '$from' has no layer (docs/ARCHITECTURE.md)" >&2
        bad=1
        continue
    fi
    while IFS= read -r inc; do
        to=${inc%%/*}
        rt=$(rank "$to")
        [ -z "$rt" ] && continue # a system or library header
        [ "$to" = "$from" ] && continue
        if [ "$rt" -gt "$rf" ]; then
            echo "check-layers: $rel includes $inc: $from (layer $rf) may not climb to $to (layer $rt)" >&2
            bad=1
        elif [ "$rt" -eq "$rf" ]; then
            echo "check-layers: $rel includes $inc: $from and $to sit side by side and never include each other" >&2
            bad=1
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\/[^"]*\)".*/\1/p' "$f")
done < <(find "$src" -mindepth 2 -name '*.[ch]' | sort)
exit $bad
