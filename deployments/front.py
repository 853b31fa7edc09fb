"""The Guardrail deployment: a thin wrapper over app.guardrails and app.routing.

It screens each message in one call: PII scrub and injection check (batched), then the
router's decision for an unblocked message, from the embedding that the guardrail's own
encoder call made, and the case reader's heads (app/agents/case_route.py) in one encoder call
for the batch, when the ingress sent the customer's item words. Routing here rather than in a
deployment of its own saves every turn a Serve hop, a process and the embedding's trip between
processes; reading the case here takes a per-message encoder call off the ingress's event loop
(README, "Throughput under load").
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any

from ray import serve

from app.agents.case_route import read_gists
from app.agents.compose import router_fallback
from app.config import AgentSettings
from app.guardrails import Guardrail, GuardrailVerdict
from app.language.reasons import Gist
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
    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        enable_ray_metrics()
        # The router's text form too: its embedding rides in the verdict (one encoder call).
        self._guard = Guardrail(route_text=prepare_text)
        self._guard.check("Hello, where is my order?")  # load spaCy and MiniLM before traffic
        config = AgentSettings.load(settings)
        # The router needs only its own tier's model, not the workers' dependencies.
        fallback = router_fallback(
            config, tier_models(config), PromptRegistry().select(config.prompts)
        )
        self._router = IntentRouter.load(fallback=fallback)
        self._router.route("where is my parcel")
        read_gists([("my scarf never arrived", ["scarf"])])  # load the case reader's heads

    async def screen(
        self,
        text: str,
        context: dict[str, Any],
        route: bool = True,
        case_words: list[str] | None = None,
        protected: list[str] | None = None,
    ) -> dict[str, Any]:
        """The verdict and, unless blocked (or `route` is false), the routing decision; with
        `case_words`, the case reader's heads on the scrubbed text too. The embedding stays
        here: the verdict goes back without it."""
        verdict, gist = await self._screen_batch((text, case_words, list(protected or ())))
        screened: dict[str, Any] = {
            "verdict": verdict.model_dump(mode="json", exclude={"route_embedding"}),
            "decision": None,
            "routing_ms": 0.0,
            "gist": None if gist is None else asdict(gist),
        }
        if route and not verdict.blocked:
            started = time.perf_counter()
            decision = await self._router.aroute(
                verdict.scrubbed_text,
                RoutingContext.model_validate(context),
                embedding=verdict.route_embedding,
            )
            screened["decision"] = decision.model_dump(mode="json")
            screened["routing_ms"] = (time.perf_counter() - started) * 1000
        return screened

    async def check(self, text: str, protected: list[str] | None = None) -> dict[str, Any]:
        verdict, _ = await self._screen_batch((text, None, list(protected or ())))
        return verdict.model_dump(mode="json")

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=BATCH_WAIT_S)
    async def _screen_batch(
        self, asked: list[tuple[str, list[str] | None, list[str]]]
    ) -> list[tuple[GuardrailVerdict, Gist | None]]:
        return await asyncio.to_thread(self._screen_many, asked)

    def _screen_many(
        self, asked: list[tuple[str, list[str] | None, list[str]]]
    ) -> list[tuple[GuardrailVerdict, Gist | None]]:
        """Off the event loop: the batch's verdicts (each message's own ids protected), then
        one encoder call for the case reader of every unblocked message that came with the
        customer's item words."""
        verdicts = self._guard.check_many(
            [text for text, _, _ in asked], [known for _, _, known in asked]
        )
        wanted = [
            i
            for i, (v, (_, words, _)) in enumerate(zip(verdicts, asked, strict=True))
            if words and not v.blocked
        ]
        gists = read_gists([(verdicts[i].scrubbed_text, asked[i][1] or []) for i in wanted])
        by_index = dict(zip(wanted, gists, strict=True))
        return [(v, by_index.get(i)) for i, v in enumerate(verdicts)]

    async def scrub(self, text: str, protected: list[str] | None = None) -> str:
        return await asyncio.to_thread(self._guard.scrub, text, protected or ())

    async def scrub_many(
        self, texts: list[str], protected: list[list[str]] | None = None
    ) -> list[str]:
        """Free-text leaves of finished turns' traces (the ingress sends several traces'
        leaves at once), each with the customer's own ids it keeps (`protected[i]` for
        `texts[i]`); the calls that arrive together share a batch."""
        known = protected if protected is not None else [[] for _ in texts]
        if len(known) != len(texts):
            raise ValueError(f"{len(known)} protected lists for {len(texts)} texts")
        scrubbed: list[str] = await self._scrub_batch((texts, known))
        return scrubbed

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=BATCH_WAIT_S)
    async def _scrub_batch(
        self, groups: list[tuple[list[str], list[list[str]]]]
    ) -> list[list[str]]:
        flat = [text for texts, _ in groups for text in texts]
        known = [ids for _, protected in groups for ids in protected]
        clean = iter(await asyncio.to_thread(self._guard.scrub_many, flat, known))
        return [[next(clean) for _ in texts] for texts, _ in groups]

    def check_health(self) -> None:
        self._guard.check("health")
