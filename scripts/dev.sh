#!/usr/bin/env bash
# The one entry point for developers and CI: deps, up, down, status, restart, test, bench, fuzz.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.breeze"
BUILD="$ROOT/build"
TEST_BUILD="$ROOT/build-test"
PG_BIN=/usr/lib/postgresql/15/bin
export CCACHE_BASEDIR="$ROOT"
export CCACHE_NOHASHDIR=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<'TEXT'
usage: scripts/dev.sh COMMAND

  deps                 install every Debian 12 package the project needs (idempotent)
  build                build into build/ (binaries in build/bin)
  up [--headless]      deps, build, private PostgreSQL, migrations, first admin, server, an enrolled local
                       agent (sharing this session's X display, or a virtual one it starts), and the console
                       when a display is available; writes .breeze/stack.json
  down                 stop everything `up` started
  status               what is running
  restart server|db|agent  restart one part of the stack
  test                 deps, build with sanitizers, run every test suite, stop everything
  bench NAME [ARGS]    run benchmark NAME (prints one JSON object as its last line)
  fuzz [SECONDS]       run every fuzz target for SECONDS each (default 60)
TEXT
}

# ---------------------------------------------------------------------------------------------------------------
deps() {
    local wanted missing=()
    wanted=$(grep -vE '^\s*(#|$)' "$ROOT/scripts/debian-packages.txt")
    for pkg in $wanted; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    say "installing ${#missing[@]} Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure_and_build() { # DIR [cmake args...]; $TARGETS, when set, limits what is built
    local dir=$1
    shift
    # Configuring every time keeps the cache in line with the options asked for; it is quick when nothing changed.
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "$@" >/dev/null
    # shellcheck disable=SC2086
    cmake --build "$dir" ${TARGETS:+--target $TARGETS}
}

# The programs `up` runs; `bench` adds its benchmark. The test suites are built by `test`, with sanitizers.
build() { TARGETS=${TARGETS:-"breeze-server breeze-admin breeze-agent breeze-console"} configure_and_build "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBREEZE_BUILD_TESTS=ON; }

# ---------------------------------------------------------------------------------------------------------------
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
    done
}

as_postgres() { # initdb and postgres refuse to run as root
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The cluster's folder, with links resolved: the postgres user must reach it by a path it may traverse.
pg_dir() { if [ -L "$STATE/pg" ]; then readlink -f "$STATE/pg"; else echo "$STATE/pg"; fi; }

# As root the cluster runs as the postgres user, and that user cannot enter a clone inside a private home folder
# (root's is mode 0700). Rather than open the home folder, such a clone keeps its cluster in
# /var/lib/breeze-dev/<hash of the clone's path>, owned by postgres, linked from .breeze/pg.
place_pg_dir() {
    if [ "$(id -u)" -ne 0 ] || [ -e "$STATE/pg" ] || runuser -u postgres -- test -x "$STATE"; then
        mkdir -p "$(pg_dir)"
        return 0
    fi
    local outside
    outside=/var/lib/breeze-dev/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)
    install -d -m 755 /var/lib/breeze-dev
    install -d -m 700 -o postgres -g postgres "$outside"
    ln -sfn "$outside" "$STATE/pg"
    say "postgres cannot enter $STATE (a private home folder): the cluster lives in $outside, linked as .breeze/pg"
}

db_start() {
    local dir port
    place_pg_dir
    dir=$(pg_dir)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $dir"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
        openssl rand -hex 16 >"$STATE/pg-superuser-password"
        openssl rand -hex 16 >"$STATE/db-password"
        chmod 600 "$STATE/pg-superuser-password" "$STATE/db-password"
        install -m 600 "$STATE/pg-superuser-password" "$dir/.pwfile"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/.pwfile"
        as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/.pwfile" -A scram-sha-256 \
            --auth-local=peer -E UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$dir/.pwfile"
        free_port >"$STATE/pg-port"
    fi
    port=$(cat "$STATE/pg-port")
    if as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "$dir/run"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/run"
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir/run -c listen_addresses=127.0.0.1" start >/dev/null
    local superpw dbpw
    superpw=$(cat "$STATE/pg-superuser-password")
    dbpw=$(cat "$STATE/db-password")
    if ! PGPASSWORD=$superpw psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_roles WHERE rolname = 'breeze'" | grep -q 1; then
        PGPASSWORD=$superpw psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
            -c "CREATE ROLE breeze LOGIN PASSWORD '$dbpw'" -c "CREATE DATABASE breeze OWNER breeze"
    fi
}

db_stop() {
    local dir
    dir=$(pg_dir)
    [ -f "$dir/data/PG_VERSION" ] || return 0
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

db_url() { echo "postgresql://breeze:$(cat "$STATE/db-password")@127.0.0.1:$(cat "$STATE/pg-port")/breeze"; }

# ---------------------------------------------------------------------------------------------------------------
server_pid() { [ -f "$STATE/server.pid" ] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null && cat "$STATE/server.pid"; }

server_url() { echo "https://localhost:$(cat "$STATE/server-port")"; }

write_server_config() {
    [ -f "$STATE/server-port" ] || free_port >"$STATE/server-port"
    cat >"$STATE/server.conf" <<CONF
# Written by scripts/dev.sh up; see resources/config/breeze-server.conf for every key.
server.listen = 127.0.0.1
server.port = $(cat "$STATE/server-port")
server.public_names = localhost
server.public_addresses = 127.0.0.1
server.state_dir = $STATE/server-state
$([ -f "$STATE/gateway-port" ] && echo "# Agents enrolled before the one front door still use their own port.
gateway.port = $(cat "$STATE/gateway-port")")
# Livelier than production's 60 s, so a developer sees charts move.
agents.heartbeat_seconds = 15
database.url = $(db_url)
CONF
    chmod 600 "$STATE/server.conf"
}

server_start() {
    server_pid >/dev/null && return 0
    mkdir -p "$STATE/logs"
    "$BUILD/bin/breeze-server" migrate up --config "$STATE/server.conf" >/dev/null
    nohup "$BUILD/bin/breeze-server" serve --config "$STATE/server.conf" >>"$STATE/logs/server.log" 2>&1 &
    echo $! >"$STATE/server.pid"
    local ca="$STATE/server-state/tls/ca.crt"
    for _ in $(seq 1 100); do
        if [ -f "$ca" ] && curl -fsS --cacert "$ca" "$(server_url)/readyz" >/dev/null 2>&1; then
            return 0
        fi
        server_pid >/dev/null || die "breeze-server exited; see $STATE/logs/server.log"
        sleep 0.2
    done
    die "breeze-server did not become ready; see $STATE/logs/server.log"
}

server_stop() {
    local pid
    pid=$(server_pid) || return 0
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$STATE/server.pid"
}

bootstrap_admin() {
    [ -f "$STATE/admin.json" ] && return 0
    say "creating the first admin (TOTP enrolled)"
    local out
    out=$("$BUILD/bin/breeze-server" bootstrap --config "$STATE/server.conf" --email admin@breeze.local \
        --partner "Local MSP")
    (umask 077 && echo "$out" >"$STATE/admin.json")
}

# Enrolls this machine through the real path: breeze-admin makes a one-use key, breeze-agent redeems it.
enroll_local_agent() {
    # State from before agents had a gateway port cannot connect: enroll again (same machine, same device).
    [ -f "$STATE/agent/state.json" ] && ! grep -q gateway_port "$STATE/agent/state.json" && rm -rf "$STATE/agent"
    [ -f "$STATE/agent/state.json" ] && return 0
    say "enrolling a local agent"
    local admin="$STATE/admin.json" ca="$STATE/server-state/tls/ca.crt" cli="$BUILD/bin/breeze-admin" key
    export BREEZE_ADMIN_CONFIG_DIR="$STATE/admin-cli"
    json_field "$admin" password | "$cli" --server "$(server_url)" --ca "$ca" login --email "$(json_field "$admin" email)" \
        --password-stdin --totp "$(oathtool --totp -b "$(json_field "$admin" totp_secret)")" >/dev/null
    "$cli" orgs show "Local machines" >/dev/null 2>&1 || "$cli" orgs create "Local machines" >/dev/null
    "$cli" sites list --org "Local machines" | grep -q "This workstation" ||
        "$cli" sites create --org "Local machines" "This workstation" >/dev/null
    key=$("$cli" enrollment-keys create --org "Local machines" --site "This workstation" --expires-in 1h --max-uses 1 \
        --name "dev.sh up" --json | sed -n 's/^  "key": "\(.*\)",\{0,1\}$/\1/p')
    "$BUILD/bin/breeze-agent" enroll --server "$(server_url)" --key "$key" --ca "$ca" --state-dir "$STATE/agent" >/dev/null
}

agent_pid() { [ -f "$STATE/agent.pid" ] && kill -0 "$(cat "$STATE/agent.pid")" 2>/dev/null && cat "$STATE/agent.pid"; }

xvfb_pid() { [ -f "$STATE/xvfb.pid" ] && kill -0 "$(cat "$STATE/xvfb.pid")" 2>/dev/null && cat "$STATE/xvfb.pid"; }

# The display the local agent shares: this session's own X display when there is one, otherwise a virtual one
# (Xvfb, 1920x1080) with its own cookie in .breeze/Xauthority. Sets AGENT_DISPLAY and AGENT_XAUTHORITY.
agent_display() {
    if [ -n "${DISPLAY:-}" ] && [ "${DISPLAY#:}" != "$DISPLAY" ]; then
        AGENT_DISPLAY=$DISPLAY
        AGENT_XAUTHORITY=${XAUTHORITY:-$HOME/.Xauthority}
        [ -f "$AGENT_XAUTHORITY" ] || AGENT_XAUTHORITY=""
        return 0
    fi
    AGENT_XAUTHORITY="$STATE/Xauthority"
    if xvfb_pid >/dev/null; then
        AGENT_DISPLAY=$(cat "$STATE/xvfb-display")
        return 0
    fi
    local n
    for n in $(seq 20 99); do
        [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] || break
    done
    AGENT_DISPLAY=":$n"
    say "starting a virtual display $AGENT_DISPLAY for the local agent to share"
    (umask 077 && : >"$AGENT_XAUTHORITY" && xauth -q -f "$AGENT_XAUTHORITY" add "$AGENT_DISPLAY" MIT-MAGIC-COOKIE-1 \
        "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')")
    mkdir -p "$STATE/logs"
    nohup Xvfb "$AGENT_DISPLAY" -screen 0 1920x1080x24 -auth "$AGENT_XAUTHORITY" -nolisten tcp -noreset \
        >>"$STATE/logs/xvfb.log" 2>&1 &
    echo $! >"$STATE/xvfb.pid"
    echo "$AGENT_DISPLAY" >"$STATE/xvfb-display"
    for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${AGENT_DISPLAY#:}" ] && break; sleep 0.1; done
}

xvfb_stop() {
    local pid
    pid=$(xvfb_pid) || return 0
    kill -TERM "$pid"
    rm -f "$STATE/xvfb.pid" "$STATE/xvfb-display"
}

agent_start() {
    agent_pid >/dev/null && return 0
    mkdir -p "$STATE/logs"
    agent_display
    local desktop=(--desktop-display "$AGENT_DISPLAY")
    [ -n "$AGENT_XAUTHORITY" ] && desktop+=(--desktop-xauthority "$AGENT_XAUTHORITY")
    nohup "$BUILD/bin/breeze-agent" run --state-dir "$STATE/agent" --max-startup-delay 0 --max-backoff 10 \
        "${desktop[@]}" >>"$STATE/logs/agent.log" 2>&1 &
    echo $! >"$STATE/agent.pid"
}

agent_stop() {
    local pid
    pid=$(agent_pid) || return 0
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$STATE/agent.pid"
}

json_field() { # FILE KEY: a string field of a flat JSON object, without needing jq or python
    sed -n "s/^ *\"$2\": \"\\(.*\\)\",\\{0,1\\}$/\\1/p" "$1" | head -1
}

write_stack() {
    local admin="$STATE/admin.json"
    (umask 077 && cat >"$STATE/stack.json" <<JSON
{
  "server_url": "$(server_url)",
  "ca_cert": "$STATE/server-state/tls/ca.crt",
  "admin_email": "$(json_field "$admin" email)",
  "admin_password": "$(json_field "$admin" password)",
  "admin_totp_secret": "$(json_field "$admin" totp_secret)",
  "db_url": "$(db_url)",
  "bin_dir": "$BUILD/bin",
  "agent_state_dir": "$STATE/agent",
  "agent_device_id": "$(json_field "$STATE/agent/state.json" device_id)",
  "agent_display": "${AGENT_DISPLAY:-}",
  "server_config": "$STATE/server.conf",
  "server_log": "$STATE/logs/server.log",
  "agent_log": "$STATE/logs/agent.log"
}
JSON
    )
}

up() {
    deps
    build
    # Others may traverse (the postgres user reaches its cluster folder) but not list; secrets inside are 0600.
    mkdir -p "$STATE" && chmod 711 "$STATE"
    db_start
    write_server_config
    server_start
    bootstrap_admin
    enroll_local_agent
    agent_start
    write_stack
    if [ "${1:-}" != "--headless" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        say "starting the console (log in $STATE/logs/console.log)"
        nohup "$BUILD/bin/breeze-console" --dev-stack "$STATE/stack.json" >>"$STATE/logs/console.log" 2>&1 &
    fi
    say "Breeze is up: $(server_url)  (credentials in .breeze/stack.json)"
    status
}

down() {
    agent_stop
    xvfb_stop
    server_stop
    db_stop
    say "stopped"
}

status() {
    local pgstate="stopped" srvstate="stopped"
    [ -f "$(pg_dir)/data/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$(pg_dir)/data" status >/dev/null 2>&1 &&
        pgstate="running on 127.0.0.1:$(cat "$STATE/pg-port")"
    local agentstate="stopped"
    server_pid >/dev/null && srvstate="running at $(server_url) (pid $(server_pid))"
    agent_pid >/dev/null && agentstate="running (pid $(agent_pid)); breeze-agent status --state-dir $STATE/agent"
    echo "postgresql: $pgstate"
    echo "server:     $srvstate"
    echo "agent:      $agentstate"
    xvfb_pid >/dev/null && echo "display:    $(cat "$STATE/xvfb-display") (virtual, for the agent's desktop)"
}

restart() {
    case "${1:-}" in
    server) server_stop; server_start ;;
    db) db_stop; db_start ;;
    agent) agent_stop; agent_start ;;
    *) die "restart what? server, db or agent" ;;
    esac
    status
}

# ---------------------------------------------------------------------------------------------------------------
reap_test_leftovers() { # DIR: stop whatever crashed tests left running there, then remove it
    if pgrep -f "$1" >/dev/null; then
        say "stopping processes that crashed tests left behind"
        pkill -f "$1" || true
        sleep 1
        pkill -9 -f "$1" || true
    fi
    rm -rf "$1"
}

run_tests() {
    deps
    say "building with AddressSanitizer and UndefinedBehaviorSanitizer into build-test/"
    configure_and_build "$TEST_BUILD" -DCMAKE_BUILD_TYPE=Debug -DBREEZE_SANITIZE=ON -DBREEZE_BUILD_TESTS=ON
    say "running the test suites"
    # Each test starts the PostgreSQL cluster and server it needs on free ports and stops them again.
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export QT_QPA_PLATFORM=offscreen
    # Tests keep their clusters and servers under one folder, so whatever a crashed test left running is found
    # and stopped here. The postgres user must be able to reach it.
    BREEZE_TEST_TMPDIR=$(mktemp -d /tmp/breeze-test-XXXXXX)
    chmod 755 "$BREEZE_TEST_TMPDIR"
    export BREEZE_TEST_TMPDIR
    local status=0
    ctest --test-dir "$TEST_BUILD" --output-on-failure -j "$(nproc)" --timeout 900 || status=$?
    reap_test_leftovers "$BREEZE_TEST_TMPDIR"
    return "$status"
}

bench() {
    local name=${1:-}
    [ -n "$name" ] || die "bench needs a name; available: $(sed -n 's/^ *add_executable(bench-\([a-z_-]*\) .*/\1/p' "$ROOT/tests/CMakeLists.txt" | tr '\n' ' ')"
    shift
    grep -q "add_executable(bench-$name " "$ROOT/tests/CMakeLists.txt" || die "no benchmark named $name"
    TARGETS="bench-$name breeze-server breeze-admin" build
    "$BUILD/bin/bench-$name" "$@"
}

fuzz() {
    local seconds=${1:-60}
    deps
    configure_and_build "$TEST_BUILD" -DCMAKE_BUILD_TYPE=Debug -DBREEZE_SANITIZE=ON -DBREEZE_BUILD_TESTS=ON
    for target in "$TEST_BUILD"/bin/fuzz-*; do
        say "fuzzing $(basename "$target") for ${seconds}s"
        mkdir -p "$STATE/fuzz-corpus/$(basename "$target")"
        "$target" -max_total_time="$seconds" "$STATE/fuzz-corpus/$(basename "$target")" \
            "$ROOT/tests/fuzz/corpus/$(basename "$target" | sed 's/^fuzz-//')"
    done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
deps) deps ;;
build) deps; build ;;
up) up "$@" ;;
down) down ;;
status) status ;;
restart) restart "$@" ;;
test) run_tests ;;
bench) bench "$@" ;;
fuzz) fuzz "$@" ;;
-h | --help | help | "") usage ;;
*) usage; exit 2 ;;
esac
