#!/usr/bin/env bash
# The size budget of docs/ARCHITECTURE.md: no function over 60 lines or a cyclomatic
# complexity over 15 (pmccabe's modified count: a switch counts once), no source file
# over 800 lines. Prints every offender and exits 1 if there is any.
#   scripts/check-budget.sh [SRC_DIR]
set -euo pipefail
src=${1:-"$(dirname "$0")/../src"}
max_ccn=15 max_lines=60 max_file=800
command -v pmccabe >/dev/null || { echo "check-budget: pmccabe is missing (apt-get install pmccabe)" >&2; exit 1; }
bad=0
files=$(find "$src" -name '*.c' | sort)
# pmccabe: modified CCN, CCN, statements, first line, lines, file(line): function. It takes
# a string-pasting macro of SQL for a function; only real functions (an identifier in lower
# case, as every Clavis function is) are counted.
while read -r ccn _ _ _ lines where name; do
    [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || continue
    if [ "$ccn" -gt $max_ccn ] || [ "$lines" -gt $max_lines ]; then
        echo "check-budget: ${where%:} $name: complexity $ccn (max $max_ccn), $lines lines (max $max_lines)" >&2
        bad=1
    fi
done < <(pmccabe $files)
for f in $files $(find "$src" -name '*.h'); do
    n=$(wc -l <"$f")
    if [ "$n" -gt $max_file ]; then
        echo "check-budget: $f: $n lines (max $max_file)" >&2
        bad=1
    fi
done
exit $bad
