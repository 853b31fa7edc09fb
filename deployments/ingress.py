"""The ingress deployment: the chat HTTP API (app.api.http) over the pipeline, whose screening
(guardrail and router, one deployment) and workers are the other deployments' handles."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from ray import serve
from ray.serve.handle import DeploymentHandle

from app.agents.compose import front_door, model_free_workers, readiness_probes, worker_deps
from app.agents.fast_path_first import FastPathFirst
from app.agents.pipeline import ChatPipeline
from app.agents.tracking import TrackingAgent
from app.api.auth import Identity, Role, TokenService, load_secret
from app.api.http import create_chat_app
from app.config import AgentSettings
from app.credentials import require_deployable
from app.observability.trace_recorder import trace_recorder
from app.observability.tracing import setup_tracing
from app.routing.intents import Route
from app.web.backend import build_web
from deployments.adapters import GuardHandle, KbHandle, ScreenHandle, ShadowMirror, WorkerHandle

# How long a finished turn's trace waits for others to share its trip to the scrubber.
TRACE_BATCH_WAIT_S = 0.2


@serve.deployment(name="Ingress", ray_actor_options={"num_cpus": 0.15})
@serve.ingress()
class Ingress:
    def __init__(
        self,
        guardrail: DeploymentHandle,
        tracking: DeploymentHandle,
        policy: DeploymentHandle,
        negotiation: DeploymentHandle,
        settings: dict[str, Any],
    ) -> None:
        setup_tracing("Ingress")  # before its clients and its ASGI app exist
        config = AgentSettings.load(settings)
        # No known key outside local mode: the replica fails to start and says which one.
        require_deployable("the support agent", config.credentials())
        deps = worker_deps(config)
        door = front_door(config, deps)
        self._door = door
        guard = GuardHandle(guardrail)
        self._pipeline = ChatPipeline(
            sessions=door.sessions,
            hydrator=door.hydrator,
            guard=guard,
            screen=ScreenHandle(guardrail),
            workers={
                # The tracking fast path (one read, a template) is answered here; the rest of
                # tracking goes to the worker (app/agents/fast_path_first.py).
                Route.TRACKING: FastPathFirst(TrackingAgent(deps), WorkerHandle(tracking)),
                Route.POLICY: WorkerHandle(policy),
                Route.NEGOTIATION: WorkerHandle(negotiation),
                # Cheap, model-free routes run in the ingress itself.
                **model_free_workers(deps),
            },
            deps=deps,
            probes=readiness_probes(config, door.redis),
            # Scrubbed by the Guardrail deployment, written after the answer has gone out: the
            # traces of the turns that end within TRACE_BATCH_WAIT_S go in one call.
            traces=trace_recorder(
                door.redis,
                guard.scrub,
                scrub_many=guard.scrub_many,
                key_prefix=config.key_prefix,
                batch_wait_s=TRACE_BATCH_WAIT_S,
            ),
            variant=config.variant,
            mirror=ShadowMirror(config.mirror_to) if config.mirror_to else None,
        )
        self._tokens = TokenService(config.jwt_secret or load_secret())
        self._web = build_web(
            config,
            sessions=door.sessions,
            tokens=self._tokens,
            scrub=guard.scrub,
            kb=KbHandle(policy) if deps.policy_search is not None else None,
        )

    async def mirror(self, who: dict[str, str], session_id: str, message: str) -> None:
        """A shadow's entry point: production's copy of a customer message (already scrubbed).
        The shadow application has no HTTP route; this is its only traffic."""
        identity = Identity(who["user_id"], who["client_id"], Role.CUSTOMER)
        await self._pipeline.shadow_turn(identity, session_id, message)

    def __serve_build_asgi_app__(self) -> FastAPI:
        return create_chat_app(self._pipeline, self._tokens, self._web)

    async def check_health(self) -> None:
        # Liveness of this replica's Redis connection; /readyz reports every dependency.
        await self._door.redis.ping()
