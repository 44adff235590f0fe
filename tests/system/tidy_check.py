#!/usr/bin/env python3
"""clang-tidy, with the project's .clang-tidy, over every C++ unit of the project in a build's compile database.

A unit whose text, project headers, compile command, checks and clang-tidy version are all unchanged since it last
came out clean is not checked again: the verdict is kept in a cache (BREEZE_TIDY_CACHE, else
~/.cache/breeze-tidy), so CI pays only for what changed, as ccache does for the build. Findings are errors.
"""
import concurrent.futures
import hashlib
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = ("common", "server", "agent", "console", "tests")


def project_unit(path: pathlib.Path) -> bool:
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return False
    return relative.parts[0] in SOURCES


def dependencies(entry) -> list:
    """The project files the unit included when it was last compiled (from its -MF depfile)."""
    arguments = entry.get("arguments") or shlex.split(entry["command"])
    if "-MF" not in arguments:
        return []
    depfile = pathlib.Path(entry["directory"]) / arguments[arguments.index("-MF") + 1]
    if not depfile.exists():
        return []
    text = depfile.read_text().replace("\\\n", " ")
    paths = text.split(":", 1)[1].split() if ":" in text else []
    found = []
    for item in paths:
        path = (pathlib.Path(entry["directory"]) / item).resolve()
        if str(path).startswith(str(ROOT)) and path.exists():
            found.append(path)
    return sorted(set(found))


def key(entry, version: str, config: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(version.encode())
    digest.update(config)
    digest.update((entry.get("command") or " ".join(entry["arguments"])).encode())
    for path in [pathlib.Path(entry["file"])] + dependencies(entry):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build-test").resolve()
    database = build / "compile_commands.json"
    if not database.exists():
        print(f"no compile database in {build}: build first", file=sys.stderr)
        return 2
    cache = pathlib.Path(os.environ.get("BREEZE_TIDY_CACHE") or pathlib.Path.home() / ".cache" / "breeze-tidy")
    cache.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True, check=True).stdout
    config = (ROOT / ".clang-tidy").read_bytes()
    entries = {}
    for entry in json.loads(database.read_text()):
        path = pathlib.Path(entry["directory"]) / entry["file"]
        # Generated units (embedded files, moc) are not the project's own text.
        if project_unit(path) and build not in path.resolve().parents:
            entries[str(path.resolve())] = entry
    headers = "^" + re.escape(str(ROOT)) + "/(" + "|".join(SOURCES) + ")/"
    started = time.monotonic()
    to_check = []
    for path, entry in sorted(entries.items()):
        verdict = key(entry, version, config)
        if not (cache / verdict).exists():
            to_check.append((path, verdict))

    def check(item):
        path, verdict = item
        run = subprocess.run(["clang-tidy", "-p", str(build), "--quiet", f"--header-filter={headers}", path],
                             capture_output=True, text=True)
        findings = run.stdout.strip()
        if run.returncode == 0 and not findings:
            (cache / verdict).touch()
            return path, ""
        return path, findings or run.stderr.strip()

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, findings in pool.map(check, to_check):
            if findings:
                failed += 1
                print(f"--- {os.path.relpath(path, ROOT)}\n{findings}\n", flush=True)
    print(f"{len(entries)} units: {len(entries) - len(to_check)} unchanged since clean, {len(to_check)} checked, "
          f"{failed} with findings, {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
