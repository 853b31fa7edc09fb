"""The agent with its pages on a loopback port, in this process: uvicorn in a thread serving
`create_chat_app` over the real `ChatPipeline` (real guardrail and router models, real Redis,
the real platform, Milvus Lite in a temporary directory), with the model fleets off."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from app import kb as kb_cli
from app.agents.compose import build_local_pipeline
from app.agents.pipeline import ChatPipeline
from app.api.auth import TokenService
from app.api.http import create_chat_app
from app.config import AgentSettings
from app.web.backend import build_web, local_kb
from tests.asgi_server import start_server
from tests.platform_server import ADMIN_KEY, API_KEY

SECRET = "web-test-secret-" + "w" * 40
KB_SOURCE = Path(__file__).resolve().parents[1] / "kb"


@dataclass
class RunningAgent:
    base_url: str
    tokens: TokenService
    pipeline: ChatPipeline
    kb_dir: Path
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def prepare_kb(workdir: Path, clients: tuple[str, ...] = ("northwind",)) -> tuple[Path, str]:
    """A copy of these clients' KB folders, ingested into a fresh Milvus Lite file."""
    kb_dir = workdir / "kb"
    for client in clients:
        shutil.copytree(KB_SOURCE / client, kb_dir / client)
    milvus = str(workdir / "milvus" / "policy.db")
    (workdir / "milvus").mkdir()
    code = kb_cli.main(["ingest", str(kb_dir), "--no-external", "--milvus-uri", milvus])
    assert code == 0
    return kb_dir, milvus


@contextmanager
def run_agent(
    workdir: Path, platform_url: str, redis_url: str, *, demo: bool = True
) -> Iterator[RunningAgent]:
    kb_dir, milvus = prepare_kb(workdir)
    settings = AgentSettings(
        platform_url=platform_url,
        platform_api_key=API_KEY,
        platform_admin_key=ADMIN_KEY,
        redis_url=redis_url,
        llm_base_url=None,
        demo_signin=demo,
        kb_dir=str(kb_dir),
    )
    with _env(MILVUS_URI=milvus, OSA_NEGOTIATION_CHECKPOINTS=str(workdir / "negotiation.sqlite")):
        pipeline = build_local_pipeline(settings)
    tokens = TokenService(SECRET)
    guard = pipeline.guard

    async def scrub(text: str) -> str:
        return (await guard.check(text)).scrubbed_text

    web = build_web(
        settings,
        sessions=pipeline.sessions,
        tokens=tokens,
        scrub=scrub,
        kb=local_kb(settings, pipeline.deps.policy_search),
    )
    running = start_server(
        create_chat_app(pipeline, tokens, web),
        name="agent-server",
        start_timeout_s=30,
        timeout_graceful_shutdown=2,
    )
    try:
        yield RunningAgent(
            running.base_url, tokens, pipeline, kb_dir, running.server, running.thread
        )
    finally:
        running.stop(timeout_s=15)
        if pipeline.deps.policy_search is not None:
            pipeline.deps.policy_search.close()  # type: ignore[attr-defined]
