"""Scrub and store each turn's trace, off the answer's path.

A trace is written after the customer has the answer; tracing trouble (Redis away) is logged
and counted, never turned into a failed turn. (OpenTelemetry spans are recorded live, as the
work happens: app/observability/tracing.py; the request's span carries this trace's id.)

Traces of turns that end close together are scrubbed and stored together: one call to the
scrubber (a Serve hop to the Guardrail deployment in the served graph) and one Redis round
trip for all of them, instead of one each. While a batch is being written the next one fills,
so a busy process batches by itself; `batch_wait_s` lets a quiet one wait a little for company.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from redis.asyncio import Redis

from app.observability.trace_store import TraceRetention, TraceStore
from app.observability.traces import Scrub, ScrubMany, TurnTrace, scrub_traces

log = logging.getLogger("app.observability.traces")

# The most traces one scrubber call carries (a trace has ~5-10 distinct free-text leaves).
MAX_BATCH = 32


class TraceRecorder:
    def __init__(
        self,
        store: TraceStore,
        scrub: Scrub,
        scrub_many: ScrubMany | None = None,
        *,
        batch_wait_s: float = 0.0,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.store = store
        self.scrub = scrub
        self.scrub_many = scrub_many
        self.batch_wait_s = batch_wait_s
        self.max_batch = max_batch
        # Each queued trace with its turn's protected ids (kept beside it, never stored in it).
        self._queue: list[tuple[TurnTrace, list[str]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.failures = 0

    async def record(self, trace: TurnTrace, protected: Sequence[str] = ()) -> None:
        await self.record_many([trace], [protected])

    async def record_many(
        self, traces: Sequence[TurnTrace], protected: Sequence[Sequence[str]] | None = None
    ) -> None:
        """Scrub and store these traces together; all of them fail together, and count so.
        `protected[i]`: the customer's own ids of `traces[i]`'s turn (AWBs, order ids from
        hydration), kept by the scrubber as the message's screening kept them."""
        try:
            clean = await scrub_traces(traces, self.scrub, self.scrub_many, protected)
            await self.store.append_many(clean)
        except Exception as exc:
            self.failures += len(traces)
            # The type only: the exception text could quote the record.
            for trace in traces:
                log.warning("trace of turn %s not recorded: %s", trace.trace_id, type(exc).__name__)

    def record_later(self, trace: TurnTrace, protected: Sequence[str] = ()) -> None:
        """Queue the trace (with its turn's protected ids) for the background writer (started
        when none is running)."""
        self._queue.append((trace, list(protected)))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_queued())

    async def _write_queued(self) -> None:
        if self.batch_wait_s > 0:
            await asyncio.sleep(self.batch_wait_s)
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self.record_many(
                [trace for trace, _ in batch], [protected for _, protected in batch]
            )

    async def drain(self) -> None:
        """Wait for traces still being written (tests, graceful shutdown)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.gather(self._writer, return_exceptions=True)


def trace_recorder(
    redis: Redis,
    scrub: Scrub,
    *,
    scrub_many: ScrubMany | None = None,
    key_prefix: str = "osa",
    batch_wait_s: float = 0.0,
) -> TraceRecorder:
    """Traces in this Redis with retention from the environment. `scrub_many`, when given,
    scrubs each batch of traces in one call."""
    store = TraceStore(redis, TraceRetention.from_env(), key_prefix=key_prefix)
    return TraceRecorder(store, scrub, scrub_many, batch_wait_s=batch_wait_s)
