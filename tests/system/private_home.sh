#!/usr/bin/env bash
# The README's clone may sit in a private home folder (mode 0700, as root's is). `scripts/dev.sh` must still bring
# its PostgreSQL cluster up there: as root, where the cluster runs as the postgres user who cannot enter the
# folder, and as an ordinary user, who runs the cluster as themself.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root, to make a private home and act as another user (CI runs as root)"
    exit 77
fi

work=$(mktemp -d "${BREEZE_TEST_TMPDIR:-/tmp}/breeze-home-XXXXXX")
chmod 755 "$work" # the homes inside are what is private
clones=()
cleanup() {
    for clone in "${clones[@]}"; do
        if [ -L "$clone/.breeze/pg" ]; then
            local outside
            outside=$(readlink -f "$clone/.breeze/pg")
            "$clone/scripts/dev.sh" down >/dev/null 2>&1 || true
            rm -rf "$outside"
        else
            runuser -u nobody -- "$clone/scripts/dev.sh" down >/dev/null 2>&1 || "$clone/scripts/dev.sh" down >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
check() { # NAME COMMAND...
    if "${@:2}"; then echo "PASS: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi
}

make_clone() { # HOME OWNER: a clone of the scripts `up` uses, inside a private home
    mkdir -p "$1/src/breeze/scripts"
    cp "$ROOT/scripts/dev.sh" "$ROOT/scripts/debian-packages.txt" "$1/src/breeze/scripts/"
    chown -R "$2" "$1"
    chmod 700 "$1"
    mkdir -p "$1/src/breeze/.breeze"
    chmod 711 "$1/src/breeze/.breeze"
    chown "$2" "$1/src/breeze/.breeze"
    clones+=("$1/src/breeze")
}

answers() { # PORT_FILE STATE: the cluster answers on its port with the project's role
    local state=$2 port
    port=$(cat "$1")
    PGPASSWORD=$(cat "$state/db-password") psql -h 127.0.0.1 -p "$port" -U breeze -d breeze -tAc 'SELECT 1' | grep -qx 1
}

# As root, in root's kind of home.
make_clone "$work/root-home" root:root
clone="$work/root-home/src/breeze"
check "postgres cannot enter the private home" bash -c "! runuser -u postgres -- test -x '$clone'"
"$clone/scripts/dev.sh" restart db >"$work/root.log" 2>&1 || { cat "$work/root.log"; }
check "as root: the cluster runs" answers "$clone/.breeze/pg-port" "$clone/.breeze"
check "as root: the cluster lives where postgres can reach it, linked from .breeze/pg" test -L "$clone/.breeze/pg"
check "as root: the home folder was left private" test "$(stat -c %a "$work/root-home")" = 700
check "as root: status says it runs" bash -c "'$clone/scripts/dev.sh' status | grep -q '^postgresql: running'"
"$clone/scripts/dev.sh" down >/dev/null 2>&1
check "as root: down stops it" bash -c "'$clone/scripts/dev.sh' status | grep -q '^postgresql: stopped'"

# As an ordinary user (nobody), in their own private home: the cluster runs as them, inside the clone.
make_clone "$work/user-home" nobody:nogroup
clone="$work/user-home/src/breeze"
runuser -u nobody -- "$clone/scripts/dev.sh" restart db >"$work/user.log" 2>&1 || { cat "$work/user.log"; }
check "as a user: the cluster runs" answers "$clone/.breeze/pg-port" "$clone/.breeze"
check "as a user: the cluster is inside the clone" test -d "$clone/.breeze/pg/data"
check "as a user: owned by the user" test "$(stat -c %U "$clone/.breeze/pg/data")" = nobody
runuser -u nobody -- "$clone/scripts/dev.sh" down >/dev/null 2>&1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
