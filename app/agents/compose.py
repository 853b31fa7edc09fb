"""Builds the chat pipeline from settings, in one process (tests, local tooling).

The Ray Serve graph (deployments/graph.py) composes the same pieces across deployments; this
module is the in-process equivalent, so the domain runs end to end without a cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx
from redis.asyncio import Redis

from app.agents.base import WorkerDeps
from app.agents.clarify import ClarifyAgent
from app.agents.escalation import EscalationAgent
from app.agents.negotiation import NegotiationAgent, NegotiationSettings
from app.agents.pipeline import ChatPipeline, MirrorPort, ReadinessProbe
from app.agents.policy import PolicyAgent
from app.agents.policy_retrieval import (
    OnDemandPolicySearch,
    milvus_readiness,
    policy_search_from_env,
)
from app.agents.refusal import RefusalAgent
from app.agents.tracking import TrackingAgent
from app.agents.worker import Worker
from app.api.auth import Identity
from app.config import AgentSettings
from app.guardrails import Guardrail, GuardrailVerdict
from app.llm.endpoints import TierModels, tier_models
from app.llm.prompts import PromptRegistry, PromptVersion
from app.observability.trace_recorder import trace_recorder
from app.platform.client import PlatformClient
from app.routing.exemplar_index import prepare_text
from app.routing.intents import Route
from app.routing.llm_fallback import ConstrainedIntentFallback
from app.routing.router import IntentRouter, RouteDecision, RoutingContext
from app.sessions.hydration import Hydrator
from app.sessions.models import SessionSettings
from app.sessions.store import SessionStore
from app.sessions.write_leases import OrderWriteLeases
from app.tools.executor import ExecutorSettings, ToolExecutor
from app.tools.spec import PolicySearch


class LocalGuard:
    """The guardrail in this process; CPU-bound, so it runs off the event loop."""

    def __init__(self, guard: Guardrail) -> None:
        self._guard = guard

    async def check(self, text: str, protected: Sequence[str] = ()) -> GuardrailVerdict:
        verdicts = await asyncio.to_thread(self._guard.check_many, [text], [list(protected)])
        return verdicts[0]

    async def scrub(self, text: str, protected: Sequence[str] | None = None) -> str:
        return await asyncio.to_thread(self._guard.scrub, text, protected or ())

    async def scrub_many(
        self, texts: list[str], protected: Sequence[Sequence[str]] | None = None
    ) -> list[str]:
        return await asyncio.to_thread(self._guard.scrub_many, texts, protected)


class LocalRouter:
    def __init__(self, router: IntentRouter) -> None:
        self._router = router

    async def route(
        self, text: str, context: RoutingContext, embedding: list[float] | None = None
    ) -> RouteDecision:
        return await self._router.aroute(text, context, embedding=embedding)


def worker_deps(settings: AgentSettings) -> WorkerDeps:
    # One deadline for a write, everywhere: the platform's documented one.
    deadline = settings.platform_write_deadline_s
    platform = PlatformClient(
        settings.platform_url,
        settings.platform_api_key,
        timeout_s=settings.platform_timeout_s,
        write_timeout_s=deadline,
    )
    return WorkerDeps(
        platform=platform,
        executor=ToolExecutor(
            ExecutorSettings(write_timeout_s=deadline),
            dry_run_writes=settings.variant != "production",
        ),
        variant=settings.variant,
        # Connects on first use: only the replica serving the Negotiation worker uses it.
        write_leases=OrderWriteLeases(
            Redis.from_url(settings.redis_url), prefix=settings.key_prefix
        ),
        # The retrieval engine (MILVUS_URI, else the Milvus Lite file under var/): opened by
        # the first policy search, so only the process that serves the Policy worker opens it.
        policy_search=policy_search_from_env(),
        models=tier_models(settings),
        # Resolved at start-up, so an unknown prompt version fails the deploy, not a turn.
        prompts=PromptRegistry().select(settings.prompts),
    )


def router_fallback(
    settings: AgentSettings, models: TierModels | None, prompts: Mapping[str, PromptVersion]
) -> ConstrainedIntentFallback | None:
    """The constrained LLM router for low-confidence messages, when configured."""
    if models is None or not settings.router_llm_fallback:
        return None
    return ConstrainedIntentFallback(models.router, prompts["router"])


def workers_for(
    deps: WorkerDeps, negotiation: NegotiationSettings | None = None
) -> dict[Route, Worker]:
    # `negotiation`: settings other than the environment's (an eval's own checkpoint file).
    return {
        Route.TRACKING: TrackingAgent(deps),
        Route.POLICY: PolicyAgent(deps),
        Route.NEGOTIATION: NegotiationAgent(deps, negotiation),
        **model_free_workers(deps),
    }


# The routes served by the separately deployed workers (deployments/workers.py); every other
# route is model-free and runs wherever the pipeline runs (the Serve ingress included).
DEPLOYED_ROUTES = frozenset({Route.TRACKING, Route.POLICY, Route.NEGOTIATION})


def model_free_workers(deps: WorkerDeps) -> dict[Route, Worker]:
    """The cheap, model-free routes: one place, so a new route reaches every composition."""
    return {
        Route.ESCALATION: EscalationAgent(deps),
        Route.REFUSAL: RefusalAgent(),
        Route.CLARIFY: ClarifyAgent(),
    }


async def _generates_one_token(http: httpx.AsyncClient, base_url: str, model: str) -> bool:
    try:
        response = await http.post(
            base_url + "/chat/completions",
            json={
                "model": model,
                "messages": [{"role": "user", "content": "ping"}],
                "max_tokens": 1,
            },
            timeout=10.0,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def readiness_probes(
    settings: AgentSettings, redis: Redis, policy_search: PolicySearch | None = None
) -> dict[str, ReadinessProbe]:
    async def redis_probe() -> str:
        return "ok" if await redis.ping() else "error"

    async def platform_probe() -> str:
        async with httpx.AsyncClient(timeout=2.0) as http:
            response = await http.get(settings.platform_url.rstrip("/") + "/readyz")
        return "ok" if response.status_code == 200 else f"error: HTTP {response.status_code}"

    async def not_configured() -> str:
        return "not_configured"

    searcher = (
        policy_search
        if isinstance(policy_search, OnDemandPolicySearch)
        else policy_search_from_env()
    )

    async def milvus_probe() -> str:
        return await milvus_readiness(searcher)

    # Fleets that have answered a completion since this process started. The model list
    # alone is not enough: Ray Serve LLM's router lists its configured models before their
    # engines are up, so a fleet counts as ready once it has generated one token; from
    # then on the cheap list check suffices (a probe that generates under load could fail a
    # busy but healthy fleet).
    answered: set[str] = set()

    async def model_probe() -> str:
        assert settings.llm_base_url is not None
        base = settings.llm_base_url.rstrip("/")
        fleets = {settings.tracking_model, settings.policy_model}
        async with httpx.AsyncClient(timeout=2.0) as http:
            response = await http.get(base + "/models")
            if response.status_code != 200:
                return f"error: HTTP {response.status_code}"
            served = {m.get("id") for m in response.json().get("data", [])}
            if fleets - served:
                return f"error: not served: {sorted(fleets - served)}"
            for fleet in sorted(fleets - answered):
                if await _generates_one_token(http, base, fleet):
                    answered.add(fleet)
        waiting = sorted(fleets - answered)
        return "ok" if not waiting else f"error: not generating yet: {waiting}"

    return {
        "redis": redis_probe,
        "platform": platform_probe,
        "milvus": milvus_probe,
        "model": model_probe if settings.llm_base_url else not_configured,
    }


@dataclass
class FrontDoor:
    """Session-side pieces the ingress owns (Redis-backed)."""

    redis: Redis
    sessions: SessionStore
    hydrator: Hydrator


def front_door(settings: AgentSettings, deps: WorkerDeps) -> FrontDoor:
    redis = Redis.from_url(settings.redis_url)
    sessions = SessionStore(
        redis,
        SessionSettings(
            key_prefix=settings.key_prefix,
            ttl_s=settings.session_ttl_s,
            max_turns=settings.session_max_turns,
        ),
    )
    hydrator = Hydrator(
        deps.executor, redis, ttl_s=settings.hydration_ttl_s, key_prefix=settings.key_prefix
    )
    return FrontDoor(redis=redis, sessions=sessions, hydrator=hydrator)


class LocalMirror:
    """Production's mirror to a shadow pipeline in this process (tests, local tooling)."""

    def __init__(self, shadow: ChatPipeline) -> None:
        self._shadow = shadow

    async def mirror(self, identity: Identity, session_id: str, message: str) -> None:
        await self._shadow.shadow_turn(identity, session_id, message)


def build_local_pipeline(settings: AgentSettings, mirror: MirrorPort | None = None) -> ChatPipeline:
    deps = worker_deps(settings)
    door = front_door(settings, deps)
    guard = LocalGuard(Guardrail(route_text=prepare_text))
    return ChatPipeline(
        sessions=door.sessions,
        hydrator=door.hydrator,
        guard=guard,
        router=LocalRouter(
            IntentRouter.load(fallback=router_fallback(settings, deps.models, deps.prompts))
        ),
        workers=workers_for(deps),
        deps=deps,
        probes=readiness_probes(settings, door.redis, deps.policy_search),
        traces=trace_recorder(
            door.redis, guard.scrub, scrub_many=guard.scrub_many, key_prefix=settings.key_prefix
        ),
        variant=settings.variant,
        mirror=mirror,
    )
