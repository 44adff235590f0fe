#!/usr/bin/env bash
# A fresh Debian 12 machine: a minimal root built by mmdebstrap from this machine's apt sources, into which
# `scripts/dev.sh deps` installs the project's packages the way it does anywhere (no Recommends). The project must
# then configure there, tests and benchmarks included: every package CMake needs is one `deps` installs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: building a Debian root needs root (CI runs as root)"
    exit 77
fi
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing: run scripts/dev.sh deps" >&2; exit 1; }

work=$(mktemp -d "${BREEZE_TEST_TMPDIR:-/tmp}/breeze-fresh-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The machine's own apt sources (one file each), so the root sees the same archive the machine does.
sources=()
[ -s /etc/apt/sources.list ] && grep -qE '^\s*deb\s' /etc/apt/sources.list && sources+=(/etc/apt/sources.list)
for file in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$file" ] && sources+=("$file")
done
[ ${#sources[@]} -gt 0 ] || { echo "no apt sources on this machine" >&2; exit 1; }

# Only what a build reads: the tracked files and the new ones, as they are in the working tree.
mkdir -p "$work/src" "$work/root"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
    (cd "$ROOT" && tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$work/src"

started=$(date +%s)
mmdebstrap --quiet --variant=minbase --mode=root \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='mkdir -p "$1/src" && cp -a '"$work/src"'/. "$1/src/"' \
    --customize-hook='chroot "$1" bash /src/scripts/dev.sh deps' \
    --customize-hook='chroot "$1" sh -c "apt-mark showmanual | sort" > '"$work/manual.txt" \
    --customize-hook='chroot "$1" cmake -S /src -B /tmp/build -G Ninja -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DBREEZE_BUILD_TESTS=ON -DBREEZE_SANITIZE=ON' \
    bookworm "$work/root/" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1 || {
    tail -60 "$work/mmdebstrap.log" >&2
    echo "FAIL: the project does not configure on a fresh Debian 12 after scripts/dev.sh deps" >&2
    exit 1
}
grep -q 'Build files have been written' "$work/mmdebstrap.log" || {
    tail -40 "$work/mmdebstrap.log" >&2
    echo "FAIL: CMake did not finish configuring" >&2
    exit 1
}
# Nothing but deps' list was asked for by name (apt-mark's manual set also holds the minimal base).
echo "configured on a fresh Debian 12 root in $(($(date +%s) - started)) s with $(wc -l <"$work/manual.txt") manually installed packages"
echo "1 passed, 0 failed"
