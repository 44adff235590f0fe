#!/usr/bin/env bash
# Every C++ source the project tracks is formatted as .clang-format says: clang-format finds nothing to change.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v git >/dev/null || ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "not a git work tree: nothing to check" >&2
    exit 77
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h')
clang-format --dry-run --Werror "${files[@]}"
echo "${#files[@]} files formatted"
