"""The tracking fast path where the pipeline runs, the Tracking worker for everything else.

A tracking question that resolves to one shipment is answered by one read tool and a template
(no model). In the served graph that answer costs the ingress, which runs the pipeline, one
read and a few microseconds of templating, where a trip to the Tracking worker deployment
would cost a streamed Serve call and a second process per turn. So the fast path runs in
front (as the design's picture draws it: beside the workers, not inside one); a message it
does not answer goes to the worker, marked so the worker does not try it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.agents.events import ChatEvent
from app.agents.tracking import TrackingAgent
from app.agents.worker import Worker, WorkerRequest


class FastPathFirst:
    def __init__(self, fast: TrackingAgent, worker: Worker) -> None:
        self._fast = fast
        self._worker = worker

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        answered = await self._fast.fast_path(request)
        if answered is not None:
            for event in answered:
                yield event
            return
        passed_on = request.model_copy(update={"fast_path_tried": True})
        async for event in self._worker.handle(passed_on):
            yield event

    async def outcome_after_failure(self, request: WorkerRequest) -> str | None:
        """The worker's answer (the fast path itself makes no writes)."""
        read = getattr(self._worker, "outcome_after_failure", None)
        if read is None:
            return None
        result: str | None = await read(request)
        return result
