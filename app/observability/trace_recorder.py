"""Scrub and store each turn's trace, off the answer's path.

A trace is written after the customer has the answer; tracing trouble (Redis away) is logged
and counted, never turned into a failed turn. (OpenTelemetry spans are recorded live, as the
work happens: app/observability/tracing.py; the request's span carries this trace's id.)
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from app.observability.trace_store import TraceRetention, TraceStore
from app.observability.traces import Scrub, ScrubMany, TurnTrace, scrub_trace

log = logging.getLogger("app.observability.traces")


class TraceRecorder:
    def __init__(
        self, store: TraceStore, scrub: Scrub, scrub_many: ScrubMany | None = None
    ) -> None:
        self.store = store
        self.scrub = scrub
        self.scrub_many = scrub_many
        self._pending: set[asyncio.Task[None]] = set()
        self.failures = 0

    async def record(self, trace: TurnTrace) -> None:
        try:
            clean = await scrub_trace(trace, self.scrub, self.scrub_many)
            await self.store.append(clean)
        except Exception as exc:
            self.failures += 1
            # The type only: the exception text could quote the record.
            log.warning("trace of turn %s not recorded: %s", trace.trace_id, type(exc).__name__)

    def record_later(self, trace: TurnTrace) -> None:
        """Record in the background; the task is kept until done so it is not collected."""
        task = asyncio.get_running_loop().create_task(self.record(trace))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait for traces still being written (tests, graceful shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)


def trace_recorder(
    redis: Redis, scrub: Scrub, *, scrub_many: ScrubMany | None = None, key_prefix: str = "osa"
) -> TraceRecorder:
    """Traces in this Redis with retention from the environment. `scrub_many`, when given,
    scrubs each trace in one call."""
    store = TraceStore(redis, TraceRetention.from_env(), key_prefix=key_prefix)
    return TraceRecorder(store, scrub, scrub_many)
