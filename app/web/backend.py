"""Builds what the pages need from the agent's settings (in-process and in the ingress)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.agents.policy_retrieval import OnDemandPolicySearch
from app.api.auth import TokenService
from app.config import AgentSettings
from app.platform.client import PlatformClient
from app.retrieval.admin import KbAdmin
from app.sessions.store import SessionStore
from app.sessions.takeover import Takeover
from app.web.console import ConsoleService
from app.web.demo import DemoDirectory
from app.web.routes import KbPort, WebBackend


class LocalKb:
    """KB operations on this process's retrieval engine (the process that owns the Milvus
    Lite file: the Policy worker under `serve run`, the one process in tests)."""

    def __init__(self, search: OnDemandPolicySearch, kb_dir: Path | None) -> None:
        self._search = search
        self._kb_dir = kb_dir
        # One edit or query at a time: an apply never interleaves with another's plan.
        self._lock = asyncio.Lock()

    async def call(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        engine = await self._search.engine()
        async with self._lock:
            return await asyncio.to_thread(KbAdmin(engine, self._kb_dir).call, op, args)


def local_kb(settings: AgentSettings, search: Any) -> LocalKb | None:
    if not isinstance(search, OnDemandPolicySearch):
        return None
    return LocalKb(search, Path(settings.kb_dir) if settings.kb_dir else None)


def build_web(
    settings: AgentSettings,
    *,
    sessions: SessionStore,
    tokens: TokenService,
    scrub: Callable[[str], Awaitable[str]],
    kb: KbPort | None,
) -> WebBackend:
    admin = PlatformClient(
        settings.platform_url,
        settings.platform_api_key,
        admin_key=settings.platform_admin_key,
        timeout_s=settings.platform_timeout_s,
    )
    takeover = Takeover(sessions, sessions.redis)
    return WebBackend(
        sessions=sessions,
        takeover=takeover,
        console=ConsoleService(admin, sessions, takeover, scrub),
        kb=kb,
        demo=DemoDirectory(admin, tokens) if settings.demo_signin else None,
    )
