"""Coalescing an event stream into the items that were ready together.

Each item of a stream has a fixed cost on its way out, whatever its size: one object and one
round of serialisation on a Ray Serve handle (worker → ingress, deployments/workers.py), one
ASGI message through the middleware, the Serve proxy and the socket (ingress → client, the SSE
body in app/api/http.py). A templated answer (the tracking fast path) yields all of its word
pieces without ever waiting, yet one item each would pay that cost per word. Here the events
that are ready together go as one batch, and nothing waits for more: an event that arrives
while the stream is idle goes out at once, so a model's tokens keep their timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


async def ready_batches(source: AsyncIterator[T], max_batch: int = 256) -> AsyncIterator[list[T]]:
    """Every item of `source`, in order, grouped as they became ready. An exception from the
    source is raised after the items before it; closing this generator cancels the source."""
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for item in source:
                queue.put_nowait(item)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed to the consumer, in order
            queue.put_nowait(_Failure(exc))
            return
        queue.put_nowait(_END)

    task = asyncio.get_running_loop().create_task(pump())
    try:
        while True:
            # Let the producer run to its next real wait before taking what it has produced.
            await asyncio.sleep(0)
            batch: list[T] = [await queue.get()]  # type: ignore[list-item]
            while not queue.empty() and len(batch) < max_batch:
                batch.append(queue.get_nowait())  # type: ignore[arg-type]
            done = False
            for index, item in enumerate(batch):
                if item is _END or isinstance(item, _Failure):
                    if index:
                        yield batch[:index]
                    if isinstance(item, _Failure):
                        raise item.exc
                    done = True
                    break
            if done:
                return
            yield batch
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
