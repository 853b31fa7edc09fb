"""A real HTTP server for an ASGI app, on a loopback port in a thread (test fixtures)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from app.sessions.local_redis import free_port


@dataclass
class ServerThread:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout_s: float = 10) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=timeout_s)


def start_server(
    app: Any, *, name: str = "test-server", start_timeout_s: float = 10, **config: Any
) -> ServerThread:
    """Starts `app` and returns once it accepts connections."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.02)
    return ServerThread(f"http://127.0.0.1:{port}", server, thread)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serves `app` until the block ends; yields its base URL."""
    running = start_server(app)
    try:
        yield running.base_url
    finally:
        running.stop()
