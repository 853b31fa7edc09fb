"""A small in-process stack for evals.faults --local: the real chat API and pipeline (guardrail
and router models, Negotiation graph, tools, Redis, the reference platform over HTTP), with
the model fleets off and a short platform write deadline, so a fault run takes minutes.

Everything listens on loopback ports and is stopped when the block ends.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn

from app.sessions.local_redis import free_port, local_redis

API_KEY = "faults-eval-api-key"
ADMIN_KEY = "faults-eval-admin-key"
SECRET = "faults-eval-secret-" + "f" * 32


@dataclass(frozen=True)
class LocalStack:
    url: str
    platform_url: str
    jwt_secret: str
    write_deadline_s: float


def _serve(app: Any, name: str) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


async def _seed(url: str) -> None:
    from app.platform import db
    from app.platform.dataset import load_dataset
    from app.platform.seed import generate

    engine = db.make_engine(url)
    await db.create_schema(engine)
    dataset = generate(seed=7, customers_per_client=30)
    await load_dataset(db.make_sessionmaker(engine), dataset, replace=True, now=datetime.now(UTC))
    await engine.dispose()


@contextmanager
def local_stack(
    write_deadline_s: float = 4.0, settlement_poll_s: float = 2.0
) -> Iterator[LocalStack]:
    from app.agents.compose import build_local_pipeline
    from app.api.auth import TokenService
    from app.api.http import create_chat_app
    from app.config import AgentSettings
    from app.platform.service import create_app
    from app.platform.settings import PlatformSettings

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="osa-faults-")))
        redis_url = stack.enter_context(local_redis(data_dir=work / "redis"))
        database = f"sqlite+aiosqlite:///{work / 'platform.db'}"
        asyncio.run(_seed(database))
        platform = create_app(
            PlatformSettings(
                database_url=database,
                api_key=API_KEY,
                admin_key=ADMIN_KEY,
                write_deadline_s=write_deadline_s,
            )
        )
        platform_url, platform_server, platform_thread = _serve(platform, "faults-platform")
        os.environ["OSA_NEGOTIATION_CHECKPOINTS"] = str(work / "negotiation.sqlite")
        os.environ["OSA_NEGOTIATION_SETTLEMENT_POLL_S"] = str(settlement_poll_s)
        os.environ["PLATFORM_ADMIN_KEY"] = ADMIN_KEY
        os.environ["PLATFORM_API_KEY"] = API_KEY
        settings = AgentSettings(
            platform_url=platform_url,
            platform_api_key=API_KEY,
            platform_admin_key=ADMIN_KEY,
            platform_write_deadline_s=write_deadline_s,
            redis_url=redis_url,
            llm_base_url=None,
        )
        pipeline = build_local_pipeline(settings)
        url, agent_server, agent_thread = _serve(
            create_chat_app(pipeline, TokenService(SECRET)), "faults-agent"
        )
        try:
            yield LocalStack(url, platform_url, SECRET, write_deadline_s)
        finally:
            for server, thread in (
                (agent_server, agent_thread),
                (platform_server, platform_thread),
            ):
                server.should_exit = True
                thread.join(timeout=15)
