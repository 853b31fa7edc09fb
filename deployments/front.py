"""Guardrail and Router deployments: thin wrappers over app.guardrails and app.routing."""

from __future__ import annotations

import asyncio
from typing import Any

from ray import serve

from app.agents.compose import router_fallback
from app.config import AgentSettings
from app.guardrails import Guardrail
from app.llm.endpoints import tier_models
from app.llm.prompts import PromptRegistry
from app.routing.router import IntentRouter, RoutingContext
from deployments.metrics import enable_ray_metrics


@serve.deployment(name="Guardrail", ray_actor_options={"num_cpus": 0.4})
class GuardrailDeployment:
    def __init__(self) -> None:
        enable_ray_metrics()
        self._guard = Guardrail()
        self._guard.check("Hello, where is my order?")  # load spaCy and MiniLM before traffic

    async def check(self, text: str) -> dict[str, Any]:
        verdict = await asyncio.to_thread(self._guard.check, text)
        return verdict.model_dump(mode="json")

    async def scrub(self, text: str) -> str:
        return await asyncio.to_thread(self._guard.scrub, text)

    def check_health(self) -> None:
        self._guard.check("health")


@serve.deployment(name="Router", ray_actor_options={"num_cpus": 0.3})
class RouterDeployment:
    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        enable_ray_metrics()
        config = AgentSettings.load(settings)
        # The router needs only its own tier's model, not the workers' dependencies.
        fallback = router_fallback(
            config, tier_models(config), PromptRegistry().select(config.prompts)
        )
        self._router = IntentRouter.load(fallback=fallback)
        self._router.route("where is my parcel")

    async def route(self, text: str, context: dict[str, Any]) -> dict[str, Any]:
        decision = await self._router.aroute(text, RoutingContext.model_validate(context))
        return decision.model_dump(mode="json")
