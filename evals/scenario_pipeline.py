"""A scenario's conversation through the whole agent, in this process.

Every customer message takes the path a served one takes (app/agents/pipeline.py): session lock,
guardrail (PII scrub, then the injection classifier), hydration from the platform, the router's
own decision, then the worker it picks (tracking fast path, policy, negotiation, escalation,
refusal). Around it: the real reference platform (in process, the scenario's fixture), a real
local Redis (valkey) for sessions and the hydration cache, and the negotiation graph's own
SQLite checkpoints. No model fleet unless `llm_base_url` names one: the workers then answer
only what they can say deterministically, as they do in production when the fleet is off.

The models (guardrail classifiers, the router's encoder) load once per eval run
(`AgentRuntime`); each scenario gets fresh workers, clients and a Redis key space of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from redis.asyncio import Redis

from app.agents.base import WorkerDeps
from app.agents.compose import LocalGuard, LocalRouter, router_fallback, workers_for
from app.agents.events import ChatEvent
from app.agents.negotiation import NegotiationAgent, NegotiationSettings
from app.agents.pipeline import ChatPipeline
from app.agents.policy_retrieval import policy_search_from_env
from app.api.auth import Identity, Role
from app.config import AgentSettings
from app.guardrails import Guardrail
from app.llm.endpoints import tier_models
from app.llm.prompts import PromptRegistry
from app.platform.client import PlatformClient
from app.routing.intents import Route
from app.routing.router import IntentRouter
from app.sessions.hydration import Hydrator
from app.sessions.local_redis import local_redis
from app.sessions.models import SessionSettings
from app.sessions.store import SessionStore
from app.tools import ToolExecutor
from app.tools.executor import ExecutorSettings


@dataclass
class AgentRuntime:
    """What outlives one scenario: the loaded models, the Redis server, the settings."""

    settings: AgentSettings
    guard: LocalGuard
    router: LocalRouter
    redis_url: str
    # Retrieval only when MILVUS_URI names an ingested collection: the default Lite file
    # belongs to whichever process ingested it, and an eval must not open someone else's.
    with_retrieval: bool = False


@contextmanager
def agent_runtime(llm_base_url: str | None = None) -> Iterator[AgentRuntime]:
    settings = AgentSettings(llm_base_url=llm_base_url)
    models = tier_models(settings)
    prompts = PromptRegistry().select(settings.prompts)
    guard = LocalGuard(Guardrail())
    router = LocalRouter(IntentRouter.load(fallback=router_fallback(settings, models, prompts)))
    with local_redis() as url:
        yield AgentRuntime(
            settings=settings,
            guard=guard,
            router=router,
            redis_url=url,
            with_retrieval=bool(os.environ.get("MILVUS_URI", "").strip()),
        )


@dataclass
class PipelineStage:
    """One scenario's agent: `restart()` is another replica taking over (same Redis, same
    checkpoint database, new workers and clients)."""

    runtime: AgentRuntime
    transport: httpx.AsyncBaseTransport
    directory: Path
    api_key: str
    redis: Redis | None = None
    pipeline: ChatPipeline | None = None
    key_prefix: str = field(default_factory=lambda: f"osa-eval-{uuid.uuid4().hex[:12]}")

    @property
    def negotiation(self) -> NegotiationAgent:
        assert self.pipeline is not None
        agent = self.pipeline.workers[Route.NEGOTIATION]
        assert isinstance(agent, NegotiationAgent)
        return agent

    async def restart(self) -> ChatPipeline:
        await self.close_workers()
        if self.redis is None:
            self.redis = Redis.from_url(self.runtime.redis_url)
        settings = self.runtime.settings
        models = tier_models(settings)
        deps = WorkerDeps(
            platform=PlatformClient("http://platform", self.api_key, transport=self.transport),
            executor=ToolExecutor(ExecutorSettings(backoff_initial_s=0.01, backoff_max_s=0.05)),
            policy_search=policy_search_from_env() if self.runtime.with_retrieval else None,
            models=models,
            prompts=PromptRegistry().select(settings.prompts),
        )
        negotiation = NegotiationSettings(
            checkpoint_url=str(self.directory / "negotiation.sqlite"),
            recover_delay_s=0.05,
            settle_poll_s=0.05,
            settlement_poll_s=0,  # swept explicitly (sweep_after_s)
        )
        self.pipeline = ChatPipeline(
            sessions=SessionStore(self.redis, SessionSettings(key_prefix=self.key_prefix)),
            # No hydration cache: every turn reads what the platform holds now.
            hydrator=Hydrator(deps.executor, self.redis, ttl_s=0, key_prefix=self.key_prefix),
            guard=self.runtime.guard,
            router=self.runtime.router,
            workers=workers_for(deps, negotiation),
            deps=deps,
        )
        return self.pipeline

    async def turn(self, who: Identity, session_id: str, message: str) -> list[ChatEvent]:
        assert self.pipeline is not None
        return [e async for e in await self.pipeline.start_turn(who, session_id, message)]

    async def close_workers(self) -> None:
        if self.pipeline is not None:
            await self.pipeline.deps.platform.aclose()
            self.pipeline = None

    async def aclose(self) -> None:
        await self.close_workers()
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None


def customer_identity(client_id: str, customer_id: str) -> Identity:
    return Identity(user_id=customer_id, client_id=client_id, role=Role.CUSTOMER)
