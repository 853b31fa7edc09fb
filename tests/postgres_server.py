"""A real PostgreSQL server for tests, on a loopback port in a temporary data directory.

Debian's `postgresql` package (requirements/apt.txt) provides the binaries. PostgreSQL refuses
to run as root, so under root (CI, the project's machines) the cluster is created and run as
the package's `postgres` user; otherwise as the current user."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.sessions.local_redis import free_port


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def _as_service_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def running_postgres(start_timeout_s: float = 30) -> Iterator[str]:
    """Starts a throwaway server; yields its URL (trust auth on loopback, user `osa`)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL binaries missing: apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="osa-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            _as_service_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", "osa", "-A", "trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            _as_service_user(
                [
                    str(bin_dir / "postgres"),
                    "-D", str(data),
                    "-h", "127.0.0.1",
                    "-p", str(port),
                    "-k", str(sockets),
                    "-c", "fsync=off",
                ]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + start_timeout_s
        while True:
            ready = subprocess.run(
                [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                capture_output=True,
            )
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.1)
        yield f"postgresql://osa@127.0.0.1:{port}/postgres"
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(root, ignore_errors=True)
