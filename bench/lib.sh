# shellcheck shell=bash disable=SC2034 # BENCH_* are read by the scripts that source this
# Shared by bench/compare.sh, scale.sh and profile.sh (sourced, not run): how a server is started
# and timed, how wrk is run and read, and how the numbers are kept. One way of measuring:
#   - the server on CPU 0 (taskset -c 0), wrk and this script on CPU 1;
#   - a warm-up run, then RUNS runs of wrk -tTHREADS -cCONNS -dDURATION --latency, medians;
#   - every case checks its answers (non-2xx, or a body without what it must carry) and a
#     run with any such answer is reported as bad.
# Results go to $BENCH_RESULTS as tab-separated lines: server case metric value.
# Needs: bash ≥ 5 (EPOCHREALTIME), taskset, wrk, curl, python3.

BENCH_DURATION=${DURATION:-10}
BENCH_RUNS=${RUNS:-3}
BENCH_CONNS=${CONNS:-32}
BENCH_THREADS=${THREADS:-2}
BENCH_WARMUP=${WARMUP:-5}
BENCH_PIDS=()
# A PostgreSQL database needs a key-encryption key (docs/OPERATIONS.md "Keys"): one for this
# run unless the caller gives one (scale.sh's PG_LARGE_DB needs the one it was seeded with).
if [[ -z ${CLAVIS_KEK:-} && -z ${CLAVIS_KEY_DIR:-} ]]; then
    CLAVIS_KEK=$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')
    export CLAVIS_KEK
fi

# Keeps this script and every helper it starts (curl, wrk, python) off the server's core.
bench_pin_self() {
    taskset -cp 1 $$ >/dev/null
}

bench_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_record() { # server case metric value
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_RESULTS"
}

# Sets BENCH_STATUS to the HTTP status of GET path on 127.0.0.1:port (000 if no answer),
# with bash's own /dev/tcp and no subshell: a poll starts no process, so it costs
# microseconds and the start-up time it measures is not a fork's.
bench_http_status() { # port path
    local line fd
    BENCH_STATUS=000
    { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&"$fd"
    if read -r -t 5 line <&"$fd"; then
        line=${line#HTTP/1.? }
        BENCH_STATUS=${line:0:3}
    fi
    exec {fd}>&-
}

# Starts a server on CPU 0 and waits for the first 200 on port/path; sets BENCH_PID and
# BENCH_STARTUP_MS (from the spawn to that answer). Output goes to log.
bench_start() { # log port path command...
    local log=$1 port=$2 path=$3 t0 t1 deadline
    shift 3
    t0=$EPOCHREALTIME
    taskset -c 0 "$@" >>"$log" 2>&1 &
    BENCH_PID=$!
    BENCH_PIDS+=("$BENCH_PID")
    deadline=$((${t0%.*} + 30))
    while :; do
        bench_http_status "$port" "$path"
        [[ $BENCH_STATUS == 200 ]] && break
        if ! kill -0 "$BENCH_PID" 2>/dev/null || ((${EPOCHREALTIME%.*} > deadline)); then
            echo "bench: $* did not start; its log ($log):" >&2
            tail -20 "$log" >&2
            return 1
        fi
    done
    t1=$EPOCHREALTIME
    BENCH_STARTUP_MS=$(python3 -c "print(f'{($t1 - $t0) * 1000:.1f}')")
}

bench_stop() { # pid
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

bench_stop_all() {
    local p
    for p in "${BENCH_PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${BENCH_PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    BENCH_PIDS=()
}

bench_rss_kib() { # pid
    awk '/^VmRSS/ {print $2}' "/proc/$1/status"
}

# CPU time (user + system, in clock ticks) the process and all its threads have used.
bench_cpu_ticks() { # pid
    awk '{print $14 + $15}' "/proc/$1/stat"
}

bench_median() { # numbers...
    printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# Converts wrk's "1.23ms" / "850.00us" / "1.02s" into milliseconds.
bench_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "%s", v }'
}

# Clock ticks one CPU has spent running processes (user, nice, system) or stolen by the
# hypervisor, since boot; interrupts are left out (loopback traffic is handled there).
bench_cpu_busy() { # cpu number
    awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $9}' /proc/stat
}

# Sets BENCH_CHILD_TICKS to the CPU time (in clock ticks) that the children of this shell
# have used so far (wrk's), read with the `times` builtin in this very shell: call it
# without $(…), since a subshell would count only its own children.
bench_children_ticks() {
    local f=$BENCH_RESULTS.times
    times >"$f"
    BENCH_CHILD_TICKS=$(awk -v hz="$(getconf CLK_TCK)" 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%d", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * hz }' "$f")
}

# The machine may be shared (other builds and test suites): waits until both cores have
# been nearly idle for a second (QUIET_PCT, default 10 % of one core, in all), at most
# QUIET_WAIT seconds (default 600), so that a run does not start under someone else's load.
bench_wait_quiet() {
    local limit=${QUIET_PCT:-10} wait=${QUIET_WAIT:-600} hz start b0 b1 busy said=
    hz=$(getconf CLK_TCK)
    start=${EPOCHREALTIME%.*}
    while :; do
        b0=$(($(bench_cpu_busy 0) + $(bench_cpu_busy 1)))
        sleep 1
        b1=$(($(bench_cpu_busy 0) + $(bench_cpu_busy 1)))
        busy=$(((b1 - b0) * 100 / hz))
        ((busy <= limit)) && break
        if ((${EPOCHREALTIME%.*} - start > wait)); then
            echo "  (the machine is still busy, ${busy} % of a core: going on)" >&2
            break
        fi
        [[ -n $said ]] || echo "  (waiting for the machine to be quiet: ${busy} % of a core busy)" >&2
        said=1
    done
}

# Warm-up, then RUNS runs of wrk on CPU 1 against url with script; records the medians of
# req/s, p50 and p99 (ms), the server's CPU use (% of one core), and the total of bad
# answers and socket errors over every run. The caller exports what the script reads.
# Each run also measures wrk's own CPU use and what else ran on either core ("foreign":
# % of CPU 0 busy with anything but the server, of CPU 1 with anything but wrk); a run with
# more than FOREIGN_MAX (default 5) % foreign load on CPU 0, or FOREIGN_MAX1 (default 20:
# wrk leaves room there) on CPU 1, is done again after waiting for quiet, up to twice, and
# the last try is kept. BENCH_WRK_TIMEOUT, if set, is wrk's --timeout (its default: 2s).
bench_wrk_case() { # server case pid url script
    local server=$1 case=$2 pid=$3 url=$4 script=$5 out r try rps=() p50=() p99=() cpu=()
    local foreign=() foreign1=() client=() bad=0 errs=0 c0 c1 t0 t1 k0 k1 j0 j1 w0 w1 b e hz fpct f1pct
    local fmax=${FOREIGN_MAX:-5} fmax1=${FOREIGN_MAX1:-20} tmo=()
    [[ -z ${BENCH_WRK_TIMEOUT:-} ]] || tmo=(--timeout "$BENCH_WRK_TIMEOUT")
    hz=$(getconf CLK_TCK)
    bench_wait_quiet
    taskset -c 1 wrk -t"$BENCH_THREADS" -c"$BENCH_CONNS" -d"${BENCH_WARMUP}s" "${tmo[@]}" -s "$script" "$url" >/dev/null
    for ((r = 0; r < BENCH_RUNS; r++)); do
        for ((try = 0; try < 3; try++)); do
            c0=$(bench_cpu_ticks "$pid")
            k0=$(bench_cpu_busy 0)
            j0=$(bench_cpu_busy 1)
            bench_children_ticks
            w0=$BENCH_CHILD_TICKS
            t0=$EPOCHREALTIME
            out=$(taskset -c 1 wrk -t"$BENCH_THREADS" -c"$BENCH_CONNS" -d"${BENCH_DURATION}s" "${tmo[@]}" --latency -s "$script" "$url")
            t1=$EPOCHREALTIME
            bench_children_ticks
            w1=$BENCH_CHILD_TICKS
            k1=$(bench_cpu_busy 0)
            j1=$(bench_cpu_busy 1)
            c1=$(bench_cpu_ticks "$pid")
            fpct=$(python3 -c "print(f'{max(0, $k1 - $k0 - ($c1 - $c0)) / $hz / ($t1 - $t0) * 100:.0f}')")
            f1pct=$(python3 -c "print(f'{max(0, $j1 - $j0 - ($w1 - $w0)) / $hz / ($t1 - $t0) * 100:.0f}')")
            (((fpct <= fmax && f1pct <= fmax1) || try == 2)) && break
            echo "  $server $case run $((r + 1)): ${fpct} % of CPU 0 and ${f1pct} % of CPU 1 were someone else's: again" >&2
            bench_wait_quiet
        done
        rps+=("$(awk '/^Requests\/sec/ {print $2}' <<<"$out")")
        p50+=("$(bench_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")")
        p99+=("$(bench_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")")
        cpu+=("$(python3 -c "print(f'{($c1 - $c0) / $hz / ($t1 - $t0) * 100:.0f}')")")
        client+=("$(python3 -c "print(f'{($w1 - $w0) / $hz / ($t1 - $t0) * 100:.0f}')")")
        foreign+=("$fpct")
        foreign1+=("$f1pct")
        b=$(awk '/^bad:/ {print $2}' <<<"$out")
        e=$(awk '/^  Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
        bad=$((bad + ${b:-1}))
        errs=$((errs + ${e:-0}))
        printf '  %-14s %-12s run %d: %10s req/s  p50 %8s ms  p99 %8s ms  server cpu %3s %%  wrk cpu %3s %%  foreign %2s/%2s %%  bad %s  errors %s\n' \
            "$server" "$case" $((r + 1)) "${rps[-1]}" "${p50[-1]}" "${p99[-1]}" "${cpu[-1]}" "${client[-1]}" "$fpct" "$f1pct" "${b:-?}" "${e:-0}" >&2
    done
    bench_record "$server" "$case" rps "$(bench_median "${rps[@]}")"
    bench_record "$server" "$case" p50_ms "$(bench_median "${p50[@]}")"
    bench_record "$server" "$case" p99_ms "$(bench_median "${p99[@]}")"
    bench_record "$server" "$case" cpu_pct "$(bench_median "${cpu[@]}")"
    bench_record "$server" "$case" client_pct "$(bench_median "${client[@]}")"
    bench_record "$server" "$case" foreign_pct "$(printf '%s\n' "${foreign[@]}" | sort -g | tail -1)"
    bench_record "$server" "$case" foreign1_pct "$(printf '%s\n' "${foreign1[@]}" | sort -g | tail -1)"
    bench_record "$server" "$case" runs "$(IFS=' '; echo "${rps[*]}")"
    bench_record "$server" "$case" bad "$bad"
    bench_record "$server" "$case" errors "$errs"
}

# Fails unless a JSON body carries field, and (if given) a JWT in it whose header has alg.
bench_check_json() { # body field [alg]
    python3 - "$@" <<'EOF'
import base64, json, sys
body, field = sys.argv[1], sys.argv[2]
try:
    value = json.loads(body)[field]
except Exception:
    sys.exit(f"bench: no {field} in the answer: {body[:300]}")
if len(sys.argv) > 3:
    head = value.split(".")[0]
    alg = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["alg"]
    if alg != sys.argv[3]:
        sys.exit(f"bench: the token is signed {alg}, not {sys.argv[3]}")
EOF
}

bench_json_field() { # json field
    python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"
}
