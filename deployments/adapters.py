"""The pipeline's ports, backed by Ray Serve deployment handles (dicts cross the wire)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from ray import serve
from ray.serve.handle import DeploymentHandle

from app.agents.events import ChatEvent
from app.agents.screening import Screening
from app.agents.worker import WorkerRequest
from app.api.auth import Identity
from app.guardrails import GuardrailVerdict
from app.language.reasons import Ask, Gist, Reason
from app.observability.tracing import client_span, outgoing_context
from app.routing.router import RouteDecision, RoutingContext
from app.tools.definitions import PolicySearchUnavailable
from app.tools.spec import PolicyChunk
from deployments.metrics import enable_ray_metrics


class GuardHandle:
    def __init__(self, handle: DeploymentHandle) -> None:
        # The adapters are built in the ingress replica's constructor: this is where that
        # replica's metrics (TTFT, turns, requests, cost) join Ray's export, as the other
        # deployments' do in theirs. (A runtime_env `worker_process_setup_hook` would not:
        # Ray honours it for the job given to ray.init only, not for Serve replicas.)
        enable_ray_metrics()
        self._handle = handle

    async def check(self, text: str, protected: Sequence[str] = ()) -> GuardrailVerdict:
        with client_span("serve Guardrail.check"):
            verdict = await self._handle.check.remote(text, list(protected))
            return GuardrailVerdict.model_validate(verdict)

    async def scrub(self, text: str, protected: Sequence[str] | None = None) -> str:
        return str(await self._handle.scrub.remote(text, list(protected or ())))

    async def scrub_many(
        self, texts: list[str], protected: Sequence[Sequence[str]] | None = None
    ) -> list[str]:
        known = None if protected is None else [list(ids) for ids in protected]
        return [str(t) for t in await self._handle.scrub_many.remote(texts, known)]


class PolicySearchHandle:
    """`PolicySearch` for a worker that does not own the retrieval engine: the Policy worker's
    replica runs the search (`PolicyWorker.search_policy`) and returns the chunks."""

    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle

    async def search(
        self, query: str, *, client_id: str, region: str, top_k: int
    ) -> list[PolicyChunk]:
        with client_span("serve PolicyWorker.search_policy"):
            found = await self._handle.search_policy.remote(query, client_id, region, top_k)
        if found is None:
            raise PolicySearchUnavailable("policy search is not configured")
        return [PolicyChunk.model_validate(chunk) for chunk in found]


class ShadowMirror:
    """Production's copy of each message to a shadow application (its Ingress's `mirror`).

    The handle is looked up on first use: the shadow may be deployed after production, or
    removed, without production noticing more than a logged failure."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self._handle: DeploymentHandle | None = None

    async def mirror(self, identity: Identity, session_id: str, message: str) -> None:
        if self._handle is None:
            self._handle = serve.get_app_handle(self.app_name)
        who = {"user_id": identity.user_id, "client_id": identity.client_id}
        await self._handle.mirror.remote(who, session_id, message)


class ScreenHandle:
    """Guardrail and router in one call to the Guardrail deployment (app/agents/screening.py)."""

    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle

    async def screen(
        self,
        text: str,
        context: RoutingContext,
        *,
        route: bool = True,
        case_words: Sequence[str] | None = None,
        protected: Sequence[str] = (),
    ) -> Screening:
        words = None if case_words is None else list(case_words)
        with client_span("serve Guardrail.screen"):
            data = await self._handle.screen.remote(
                text, context.model_dump(mode="json"), route, words, list(protected)
            )
        decision, gist = data["decision"], data["gist"]
        return Screening(
            verdict=GuardrailVerdict.model_validate(data["verdict"]),
            decision=None if decision is None else RouteDecision.model_validate(decision),
            routing_ms=float(data["routing_ms"]),
            gist=None if gist is None else _gist(gist),
        )


def _gist(data: dict[str, Any]) -> Gist:
    return Gist(
        reason=Reason(data["reason"]),
        reason_p=float(data["reason_p"]),
        ask=Ask(data["ask"]),
        ask_p=float(data["ask_p"]),
    )


class KbHandle:
    """The KB page's operations, run by the Policy worker: the process that owns the Milvus
    Lite file (app/retrieval/admin.py)."""

    def __init__(self, handle: DeploymentHandle) -> None:
        self._handle = handle

    async def call(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._handle.kb.remote(op, args)
        return result


class WorkerHandle:
    """Streams a worker deployment's events as they come (handle.options(stream=True))."""

    def __init__(self, handle: DeploymentHandle) -> None:
        self._unary = handle
        self._handle = handle.options(stream=True)
        self._name = getattr(handle, "deployment_name", "Worker")

    async def outcome_after_failure(self, request: WorkerRequest) -> str | None:
        """Asked of any replica (the one that failed may be gone): see ChatPipeline."""
        with client_span(f"serve {self._name}.outcome_after_failure"):
            result: str | None = await self._unary.outcome_after_failure.remote(
                traced_request(request)
            )
        return result

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        # The worker's spans nest under this one: its context travels in the request.
        with client_span(f"serve {self._name}.handle"):
            stream = self._handle.handle.remote(traced_request(request))
            async for batch in stream:  # events ready together (app/streaming.py)
                for event in batch:
                    yield ChatEvent.model_validate(event)


def traced_request(request: WorkerRequest) -> dict[str, Any]:
    """The request as it crosses the handle, carrying the current span's trace context."""
    return request.model_copy(update={"trace_context": outgoing_context()}).model_dump(mode="json")
