"""Durable checkpoints of the negotiation graph, shared by every replica.

One thread per tenant and session (`{client_id}:{session_id}`), so a proposal made by one
replica is resumed by whichever replica receives the "yes", including one started after a
restart. SQLite (`langgraph-checkpoint-sqlite`) by default: a file under var/, enough for
replicas on one machine; `postgresql://...` selects `langgraph-checkpoint-postgres` for a
cluster (installed in every environment; tests/test_negotiation_postgres.py runs it against a
real server). The same database holds the store of refunds awaiting settlement (see
settlement.py).

The saver and store are opened once per replica (replica.py keeps them with the compiled
graph), not per turn: Postgres through one connection pool per replica, SQLite through one
connection each.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.store.base import BaseStore
from langgraph.store.sqlite.aio import AsyncSqliteStore
from pydantic import BaseModel, Field

from app.paths import VAR_DIR

DEFAULT_CHECKPOINTS = str(VAR_DIR / "negotiation.sqlite")
ENV_CHECKPOINTS = "OSA_NEGOTIATION_CHECKPOINTS"
ENV_SETTLEMENT_POLL = "OSA_NEGOTIATION_SETTLEMENT_POLL_S"
ENV_POSTGRES_POOL = "OSA_NEGOTIATION_POSTGRES_POOL"


class NegotiationSettings(BaseModel):
    # A SQLite path (or sqlite:///path), or a postgresql:// URL.
    checkpoint_url: str = DEFAULT_CHECKPOINTS
    # How long the turn waits for a pending refund to settle before saying "submitted"
    # (0: report pending at once; settlement.py follows it up).
    settle_wait_s: float = Field(default=0.0, ge=0)
    settle_poll_s: float = Field(default=0.5, gt=0)
    # After the executor's own retries left a write's outcome unknown: replays of the same
    # idempotent call (same key, so it completes once or returns the first result).
    recover_attempts: int = Field(default=2, ge=0)
    recover_delay_s: float = Field(default=0.5, ge=0)
    # A write still unknown after that: how long the turn keeps looking it up by its key
    # (enough to pass the platform's write deadline), then the background resolver goes on.
    resolve_in_turn_s: float = Field(default=12.0, ge=0)
    resolve_poll_s: float = Field(default=0.5, gt=0)
    # How often a replica checks every pending refund for settlement (0: only when the
    # conversation continues, or when sweep_settlements() is called).
    settlement_poll_s: float = Field(default=30.0, ge=0)
    # Postgres connections one replica holds for its concurrent turns.
    postgres_pool_size: int = Field(default=8, ge=1)

    @classmethod
    def from_env(cls, variant: str = "production") -> NegotiationSettings:
        """OSA_NEGOTIATION_CHECKPOINTS (set per Serve application), else a file of the
        variant's own under var/: a shadow never shares production's checkpoint database."""
        values: dict[str, str] = {}
        if url := os.environ.get(ENV_CHECKPOINTS):
            values["checkpoint_url"] = url
        elif variant != "production":
            values["checkpoint_url"] = str(VAR_DIR / f"negotiation-{variant}.sqlite")
        if poll := os.environ.get(ENV_SETTLEMENT_POLL):
            values["settlement_poll_s"] = poll
        if pool := os.environ.get(ENV_POSTGRES_POOL):
            values["postgres_pool_size"] = pool
        return cls.model_validate(values)


_POSTGRES_READY: set[str] = set()


def thread_id(client_id: str, session_id: str, variant: str = "production") -> str:
    # A shadow resumes its own proposals only, even in a checkpoint store shared with production.
    base = f"{client_id}:{session_id}"
    return base if variant == "production" else f"{variant}:{base}"


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))


@asynccontextmanager
async def open_checkpoints(
    url: str, *, pool_size: int = 1
) -> AsyncIterator[tuple[BaseCheckpointSaver, BaseStore]]:  # type: ignore[type-arg]
    if _is_postgres(url):
        async with _postgres(url, pool_size) as opened:
            yield opened
        return
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The connection settings of langgraph's own from_conn_string for each.
    async with _sqlite(path) as saver_conn, _sqlite(path, isolation_level=None) as store_conn:
        saver, store = AsyncSqliteSaver(saver_conn), AsyncSqliteStore(store_conn)
        await saver.setup()
        await store.setup()
        try:
            yield saver, store
        finally:
            await _stop_batching(store)


@asynccontextmanager
async def _sqlite(path: Path, **options: Any) -> AsyncIterator[aiosqlite.Connection]:
    connection = aiosqlite.connect(str(path), **options)
    # aiosqlite runs each connection on a non-daemon thread: a replica (or a test) that never
    # closes its agent would otherwise keep the interpreter from exiting. Closing stays the
    # normal path (NegotiationAgent.aclose).
    connection._thread.daemon = True
    async with connection as conn:
        yield conn


async def _stop_batching(store: BaseStore) -> None:
    """The async stores batch operations in a task that is otherwise only cancelled when the
    store is garbage-collected; a store per turn would leave one pending task per turn."""
    task = getattr(store, "_task", None)
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def _postgres(
    url: str, pool_size: int
) -> AsyncIterator[tuple[BaseCheckpointSaver, BaseStore]]:  # type: ignore[type-arg]
    # Imported here: a local run on SQLite never loads psycopg.
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from langgraph.store.postgres.aio import AsyncPostgresStore
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    # The connection settings langgraph's own from_conn_string uses, on a pool the replica's
    # concurrent turns share (a single connection would serialise them).
    async with AsyncConnectionPool(
        url,
        min_size=1,
        max_size=pool_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
    ) as pool:
        saver, store = AsyncPostgresSaver(pool), AsyncPostgresStore(pool)
        # The schema migrations run once per process and database, not on every turn.
        if url not in _POSTGRES_READY:
            await saver.setup()
            await store.setup()
            _POSTGRES_READY.add(url)
        try:
            yield saver, store
        finally:
            await _stop_batching(store)
