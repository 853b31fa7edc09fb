"""The pipeline's ports, backed by Ray Serve deployment handles (dicts cross the wire)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ray.serve.handle import DeploymentHandle

from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest
from app.guardrails import GuardrailVerdict
from app.routing.router import RouteDecision, RoutingContext


class GuardHandle:
    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle

    async def check(self, text: str) -> GuardrailVerdict:
        return GuardrailVerdict.model_validate(await self._handle.check.remote(text))


class RouterHandle:
    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle

    async def route(self, text: str, context: RoutingContext) -> RouteDecision:
        data = await self._handle.route.remote(text, context.model_dump(mode="json"))
        return RouteDecision.model_validate(data)


class KbHandle:
    """The KB page's operations, run by the Policy worker: the process that owns the Milvus
    Lite file (app/retrieval/admin.py)."""

    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle

    async def call(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._handle.kb.remote(op, args)
        return result


class WorkerHandle:
    """Streams a worker deployment's events token by token (handle.options(stream=True))."""

    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle.options(stream=True)

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        stream = self._handle.handle.remote(request.model_dump(mode="json"))
        async for event in stream:
            yield ChatEvent.model_validate(event)
