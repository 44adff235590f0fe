#!/bin/sh
# Regenerates docs/screenshots from the running dev stack (scripts/dev.sh up --headless): every view and the
# local agent's device window, at 1280x720 and 1920x1080, light and dark, in one sign-in. The console runs
# offscreen with a throwaway settings folder, so nobody's remembered theme or layout changes.
set -eu
cd "$(dirname "$0")/.."
stack=.breeze/stack.json
if [ ! -f "$stack" ]; then
    echo "screenshots: no dev stack; start one first: scripts/dev.sh up --headless" >&2
    exit 2
fi
device=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("agent_device_id", ""))' "$stack")
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
mkdir -p docs/screenshots
XDG_CONFIG_HOME="$settings" QT_QPA_PLATFORM=offscreen \
    "${BUILD:-build}/bin/breeze-console" --dev-stack "$stack" --screenshots docs/screenshots --device "$device"
ls docs/screenshots
