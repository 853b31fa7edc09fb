"""A real platform HTTP server (uvicorn on a loopback port) over a temporary SQLite file."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from app.platform import db
from app.platform.dataset import PlatformDataset, load_dataset
from app.platform.service import create_app
from app.platform.settings import PlatformSettings
from tests.asgi_server import start_server

API_KEY = "test-api-key"
ADMIN_KEY = "test-admin-key"
# The test platform's write deadline (production's is contract.WRITE_DEADLINE_S): short, so
# tests can wait it out; every test client and executor waits on writes exactly this long.
TEST_WRITE_DEADLINE_S = 3.0


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


def start_platform(
    db_path: Path, dataset: PlatformDataset, *, write_deadline_s: float = TEST_WRITE_DEADLINE_S
) -> RunningPlatform:
    url = f"sqlite+aiosqlite:///{db_path}"
    asyncio.run(_prepare(url, dataset))
    settings = PlatformSettings(
        database_url=url,
        api_key=API_KEY,
        admin_key=ADMIN_KEY,
        write_deadline_s=write_deadline_s,
    )
    running = start_server(create_app(settings), name="platform-server", lifespan="on")
    return RunningPlatform(running.base_url, running.server, running.thread)
