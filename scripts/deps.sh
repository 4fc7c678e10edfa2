#!/usr/bin/env bash
# Installs the Debian 12 packages Clavis needs to build, test and benchmark, if missing.
# Usage: scripts/deps.sh [build|pg|test|all]   (default: build; pg: build and PostgreSQL,
# for make run PG=1)
set -euo pipefail
want=${1:-build}
build_pkgs=(gcc make cmake pkg-config libmicrohttpd-dev libjansson-dev libssl-dev
    libjose-dev libsqlite3-dev libpq-dev libargon2-dev libcurl4-openssl-dev)
test_pkgs=(check curl jq sqlite3 postgresql python3 python3-authlib python3-requests nodejs npm clang pmccabe zsh fish
    libclang-rt-14-dev prometheus)
pkgs=("${build_pkgs[@]}")
if [[ $want == test || $want == all ]]; then pkgs+=("${test_pkgs[@]}"); fi
if [[ $want == pg ]]; then pkgs+=(postgresql); fi
if [[ $want == all ]]; then pkgs+=(wrk); fi
missing=()
for p in "${pkgs[@]}"; do
    # node/npm may come from outside Debian's packages (as on the project's machines)
    if [[ $p == nodejs ]] && command -v node >/dev/null; then continue; fi
    if [[ $p == npm ]] && command -v npm >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}" >&2
    sudo_cmd=()
    [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
