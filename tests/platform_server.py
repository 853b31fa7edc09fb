"""A real platform HTTP server (uvicorn on a loopback port) over a temporary SQLite file."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from app.platform import db
from app.platform.dataset import PlatformDataset, load_dataset
from app.platform.service import create_app
from app.platform.settings import PlatformSettings
from app.sessions.local_redis import free_port

API_KEY = "test-api-key"
ADMIN_KEY = "test-admin-key"


async def _prepare(url: str, dataset: PlatformDataset) -> None:
    engine = db.make_engine(url)
    await db.create_schema(engine)
    await load_dataset(db.make_sessionmaker(engine), dataset, replace=True, now=datetime.now(UTC))
    await engine.dispose()


@dataclass
class RunningPlatform:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_platform(db_path: Path, dataset: PlatformDataset) -> RunningPlatform:
    url = f"sqlite+aiosqlite:///{db_path}"
    asyncio.run(_prepare(url, dataset))
    settings = PlatformSettings(database_url=url, api_key=API_KEY, admin_key=ADMIN_KEY)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="platform-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("platform server did not start")
        time.sleep(0.02)
    return RunningPlatform(f"http://127.0.0.1:{port}", server, thread)
