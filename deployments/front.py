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
from app.routing.exemplar_index import prepare_text
from app.routing.router import IntentRouter, RoutingContext
from deployments.metrics import enable_ray_metrics

# Batching: while one batch runs (off the event loop, in a thread), the messages that arrive
# queue up and go as the next batch, so a busy replica batches by itself and an idle one adds
# at most BATCH_WAIT_S. One spaCy pass and one encoder call per batch cost about half of one
# call per message (16 tracking messages: 166 ms batched against 301 ms one by one, this box).
MAX_BATCH = 16
BATCH_WAIT_S = 0.002


@serve.deployment(name="Guardrail", ray_actor_options={"num_cpus": 0.25})
class GuardrailDeployment:
    def __init__(self) -> None:
        enable_ray_metrics()
        # The router's text form too: its embedding rides in the verdict (one encoder call).
        self._guard = Guardrail(route_text=prepare_text)
        self._guard.check("Hello, where is my order?")  # load spaCy and MiniLM before traffic

    async def check(self, text: str, protected: list[str] | None = None) -> dict[str, Any]:
        verdict: dict[str, Any] = await self._check_batch((text, list(protected or ())))
        return verdict

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=BATCH_WAIT_S)
    async def _check_batch(self, items: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
        texts = [text for text, _ in items]
        protected = [known for _, known in items]
        verdicts = await asyncio.to_thread(self._guard.check_many, texts, protected)
        return [v.model_dump(mode="json") for v in verdicts]

    async def scrub(self, text: str) -> str:
        return await asyncio.to_thread(self._guard.scrub, text)

    async def scrub_many(self, texts: list[str]) -> list[str]:
        """A trace's free-text leaves; the traces of turns that end together share a batch."""
        scrubbed: list[str] = await self._scrub_batch(texts)
        return scrubbed

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=BATCH_WAIT_S)
    async def _scrub_batch(self, groups: list[list[str]]) -> list[list[str]]:
        flat = [text for group in groups for text in group]
        clean = iter(await asyncio.to_thread(self._guard.scrub_many, flat))
        return [[next(clean) for _ in group] for group in groups]

    def check_health(self) -> None:
        self._guard.check("health")


@serve.deployment(name="Router", ray_actor_options={"num_cpus": 0.15})
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

    async def route(
        self, text: str, context: dict[str, Any], embedding: list[float] | None = None
    ) -> dict[str, Any]:
        decision = await self._router.aroute(
            text, RoutingContext.model_validate(context), embedding=embedding
        )
        return decision.model_dump(mode="json")
