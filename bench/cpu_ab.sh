#!/usr/bin/env bash
# A/B of bench/cpu.sh: two binaries alternated ROUNDS times (default 3), so that both see the
# same machine; one line per case and binary with the µs of every round.
#   bench/cpu_ab.sh OLD_BIN NEW_BIN [ROUNDS]       (CASES and DUR as bench/cpu.sh)
set -euo pipefail
old=$1 new=$2 rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f $out' EXIT
for r in $(seq "$rounds"); do
  for side in old new; do
    bin=$old; [ $side = new ] && bin=$new
    "$here/cpu.sh" "$bin" | sed "s/^/$side /" >>"$out"
  done
done
# "old token: 31268 requests, 27.8 us CPU/request (bad: 0)" -> old token 27.8
awk '{v[$1" "$2]=v[$1" "$2] sep[$1" "$2] $5; sep[$1" "$2]=", "; if ($NF != "0)") bad=1}
     END {for (k in v) printf "%-28s %s\n", k, v[k]; if (bad) print "some answers were bad"}' "$out" |
  sort -k2,2 -k1,1r
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
