"""The lock files' bookkeeping: their inputs' digest, and the environment against a lock.

    python scripts/lockfile.py digest            the digest `make lock` records in each lock
    python scripts/lockfile.py check LOCK...     exit 1 (and say so) if a lock is stale
    python scripts/lockfile.py extras LOCK       installed distributions the lock does not name

`make lock` writes the digest into each lock (`# inputs-sha256: ...`); bootstrap and
tests/test_lockfile.py recompute it, so a dependency edited in pyproject.toml without
`make lock` is caught before anything is installed from a stale lock. Only what decides the
resolution counts: requires-python, dependencies, extras, the extra inputs and the overrides.
Editing ruff's or pytest's settings does not make the lock stale.

Standard library only: bootstrap runs it before the virtual environment exists.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUT_FILES = ("requirements/cpu.in", "requirements/gpu.in", "requirements/overrides.txt")
DIGEST_PREFIX = "# inputs-sha256: "
PROJECT = "order-support-agent"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\;]+)")


def inputs_digest(root: Path = ROOT) -> str:
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    resolved_from = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "files": {name: _requirement_lines(root / name) for name in INPUT_FILES},
    }
    canonical = json.dumps(resolved_from, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def locked_versions(lock: Path) -> dict[str, str]:
    """{normalised name: version} of every `name==version` line of a lock."""
    pins: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        match = _PIN.match(line)
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def installed_versions() -> dict[str, str]:
    """What the environment's site-packages hold. Only those: Ray puts its vendored
    third-party directory on sys.path once imported, and that is Ray's, not installed."""
    site_packages = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    found: dict[str, str] = {}
    for dist in metadata.distributions(path=site_packages):
        name = dist.metadata["Name"]
        if name:
            found[normalise(name)] = dist.version
    return found


def unlocked(lock: Path) -> dict[str, str]:
    """Installed distributions the lock does not name (the project itself aside)."""
    pins = locked_versions(lock)
    return {
        name: version
        for name, version in installed_versions().items()
        if name not in pins and name != PROJECT
    }


def mismatched(lock: Path) -> dict[str, tuple[str, str]]:
    """{name: (locked, installed)} where an installed version differs from its pin."""
    pins = locked_versions(lock)
    return {
        name: (pins[name], version)
        for name, version in installed_versions().items()
        if name in pins and version != pins[name]
    }


def normalise(name: str) -> str:  # PEP 503
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_lines(path: Path) -> list[str]:
    # Comments and blank lines do not change the resolution.
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("digest", [])
    if command == "digest":
        print(inputs_digest())
        return 0
    if command == "check":
        expected = inputs_digest()
        stale = [lock for lock in args if recorded_digest(Path(lock)) != expected]
        for lock in stale:
            print(
                f"{lock} is stale: pyproject.toml or requirements/*.in changed since it was "
                "resolved. Run `make lock` and commit the result.",
                file=sys.stderr,
            )
        return 1 if stale else 0
    if command == "extras" and len(args) == 1:
        print("\n".join(sorted(unlocked(Path(args[0])))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
