"""The negotiation graph of one replica: compiled once, over checkpoints opened once.

Compiling the graph and opening its saver and store (a Postgres pool and its schema check, or
two SQLite connections) are per-replica work, not per-turn work. They are opened on the first
turn, in the event loop that serves the replica: aiosqlite and psycopg connections belong to
the loop that opened them. A call from another loop (a test's next event loop, a TestClient
portal) opens afresh there and lets the old connections go.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from app.agents.negotiation.checkpoints import NegotiationSettings, open_checkpoints
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.graph import compile_graph
from app.agents.negotiation.state import NegotiationState

log = logging.getLogger("app.agents.negotiation")

Graph = CompiledStateGraph[NegotiationState, TurnContext, Any, Any]


@dataclass(frozen=True)
class Opened:
    graph: Graph
    store: BaseStore
    loop: asyncio.AbstractEventLoop
    resources: AsyncExitStack


class ReplicaGraph:
    def __init__(self, settings: NegotiationSettings) -> None:
        self._settings = settings
        self._opened: Opened | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    async def get(self) -> Opened:
        loop = asyncio.get_running_loop()
        opened = self._opened
        if opened is not None and opened.loop is loop:
            return opened
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:  # concurrent first turns open it once
            opened = self._opened
            if opened is not None and opened.loop is loop:
                return opened
            if opened is not None:
                log.warning("negotiation checkpoints reopened in another event loop")
                # Its loop may be gone: the connections cannot be closed from here.
                self._opened = None
            self._opened = await self._open(loop)
            return self._opened

    async def _open(self, loop: asyncio.AbstractEventLoop) -> Opened:
        resources = AsyncExitStack()
        try:
            saver, store = await resources.enter_async_context(
                open_checkpoints(
                    self._settings.checkpoint_url, pool_size=self._settings.postgres_pool_size
                )
            )
            graph = compile_graph(saver, store)
        except BaseException:
            await resources.aclose()
            raise
        return Opened(graph, store, loop, resources)

    async def aclose(self) -> None:
        opened, self._opened = self._opened, None
        if opened is None:
            return
        if opened.loop is not asyncio.get_running_loop():
            return  # owned by another loop (see get); nothing can be awaited on it here
        try:
            await opened.resources.aclose()
        except Exception:  # closing must not hide the shutdown that called it
            log.exception("closing negotiation checkpoints failed")
