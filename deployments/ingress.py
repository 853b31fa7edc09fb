"""The ingress deployment: the chat HTTP API (app.api.http) over the pipeline, whose guardrail,
router and workers are the other deployments' handles."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from ray import serve
from ray.serve.handle import DeploymentHandle

from app.agents.compose import front_door, readiness_probes, worker_deps
from app.agents.escalation import EscalationAgent
from app.agents.pipeline import ChatPipeline
from app.agents.refusal import RefusalAgent
from app.api.auth import TokenService, load_secret
from app.api.http import create_chat_app
from app.config import AgentSettings
from app.routing.intents import Route
from app.web.backend import build_web
from deployments.adapters import GuardHandle, KbHandle, RouterHandle, WorkerHandle


@serve.deployment(name="Ingress", ray_actor_options={"num_cpus": 0.2})
@serve.ingress()
class Ingress:
    def __init__(
        self,
        guardrail: DeploymentHandle,
        router: DeploymentHandle,
        tracking: DeploymentHandle,
        policy: DeploymentHandle,
        negotiation: DeploymentHandle,
        settings: dict[str, Any],
    ) -> None:
        config = AgentSettings.load(settings)
        deps = worker_deps(config)
        door = front_door(config, deps)
        self._door = door
        self._pipeline = ChatPipeline(
            sessions=door.sessions,
            hydrator=door.hydrator,
            guard=GuardHandle(guardrail),
            router=RouterHandle(router),
            workers={
                Route.TRACKING: WorkerHandle(tracking),
                Route.POLICY: WorkerHandle(policy),
                Route.NEGOTIATION: WorkerHandle(negotiation),
                # Cheap, model-free routes run in the ingress itself.
                Route.ESCALATION: EscalationAgent(deps),
                Route.REFUSAL: RefusalAgent(),
            },
            deps=deps,
            probes=readiness_probes(config, door.redis),
        )
        self._tokens = TokenService(config.jwt_secret or load_secret())
        guard = self._pipeline.guard

        async def scrub(text: str) -> str:
            return (await guard.check(text)).scrubbed_text

        self._web = build_web(
            config,
            sessions=door.sessions,
            tokens=self._tokens,
            scrub=scrub,
            kb=KbHandle(policy) if deps.policy_search is not None else None,
        )

    def __serve_build_asgi_app__(self) -> FastAPI:
        return create_chat_app(self._pipeline, self._tokens, self._web)

    async def check_health(self) -> None:
        # Liveness of this replica's Redis connection; /readyz reports every dependency.
        await self._door.redis.ping()
