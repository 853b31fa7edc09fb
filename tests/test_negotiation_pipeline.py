"""The pipeline keeps a negotiation proposal as the session's pending confirmation (real Redis,
real platform, real negotiation graph; the guardrail and router are stubs so no model loads).

A proposal must be answered in the very next turn: the pipeline stores it from the
`confirmation_required` event, routes the reply back to the proposing worker, and clears it
after any other turn, so a later "yes" cannot confirm terms no longer in view.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from app.agents.base import WorkerDeps, say
from app.agents.events import ChatEvent, EventType
from app.agents.negotiation import NegotiationAgent
from app.agents.pipeline import ChatPipeline
from app.agents.worker import WorkerRequest
from app.api.auth import Identity, Role
from app.guardrails import GuardrailVerdict
from app.platform.client import PlatformClient
from app.routing.intents import Intent, Route, route_for
from app.routing.router import RouteDecision, RoutingContext
from app.sessions.hydration import Hydrator
from app.sessions.store import SessionStore
from app.tools import ToolExecutor
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import FAST, settings_for
from tests.platform_server import ADMIN_KEY, API_KEY, RunningPlatform


class PassGuard:
    def __init__(self) -> None:
        self.protected: list[list[str]] = []  # what each check was told to keep

    async def check(self, text: str, protected: Sequence[str] = ()) -> GuardrailVerdict:
        self.protected.append(list(protected))
        return GuardrailVerdict(
            scrubbed_text=text, pii_types=[], blocked=False, reason=None,
            injection_score=0.0, latency_ms=0.0,
        )  # fmt: skip


class KeywordRouter:
    """Like the kNN router for what matters here: short replies follow the last intent."""

    def __init__(self) -> None:
        self.contexts: list[RoutingContext] = []

    async def route(self, text: str, context: RoutingContext) -> RouteDecision:
        self.contexts.append(context)
        if "where" in text.lower():
            intent = Intent.ORDER_STATUS
        elif "arrived" in text.lower():
            intent = Intent.DELIVERY_DISPUTE
        else:
            intent = context.last_intent or Intent.OUT_OF_SCOPE
        return RouteDecision(
            intent=intent, route=route_for(intent), confidence=0.9, low_confidence=False,
            source="knn", scores={},
        )  # fmt: skip


class EchoTracking:
    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        async for event in say("It is on its way."):
            yield event


@pytest.fixture
async def pipeline(
    platform_server: RunningPlatform, redis: Redis, tmp_path: Path
) -> AsyncIterator[ChatPipeline]:
    deps = WorkerDeps(
        platform=PlatformClient(platform_server.base_url, API_KEY, timeout_s=5.0),
        executor=ToolExecutor(FAST),
    )
    agent = NegotiationAgent(deps, settings_for(tmp_path / "negotiation.sqlite"))
    built = ChatPipeline(
        sessions=SessionStore(redis),
        hydrator=Hydrator(deps.executor, redis, ttl_s=0),
        guard=PassGuard(),
        router=KeywordRouter(),
        workers={Route.NEGOTIATION: agent, Route.TRACKING: EchoTracking()},
        deps=deps,
    )
    yield built
    await deps.platform.aclose()


async def turn(
    pipeline: ChatPipeline, who: Identity, session_id: str, message: str
) -> list[ChatEvent]:
    return [e async for e in await pipeline.start_turn(who, session_id, message)]


async def refunds(platform_server: RunningPlatform, order: CleanOrder) -> list[Any]:
    async with PlatformClient(platform_server.base_url, API_KEY, admin_key=ADMIN_KEY) as admin:
        return await admin.list_order_refunds(order.who, order.order_id)


def identity(order: CleanOrder) -> Identity:
    return Identity(
        user_id=order.who.customer_id, client_id=order.who.client_id, role=Role.CUSTOMER
    )


async def test_a_proposal_is_kept_until_the_yes_and_the_yes_reaches_negotiation(
    pipeline: ChatPipeline, platform_server: RunningPlatform, clean_orders: CleanPool
) -> None:
    order = clean_orders.take()
    who = identity(order)
    session_id = await pipeline.create_session(who)
    events = await turn(pipeline, who, session_id, f"{order.order_id} never arrived")
    (proposal,) = [e.data for e in events if e.type is EventType.CONFIRMATION_REQUIRED]
    state = await pipeline.sessions.load(who.client_id, who.user_id, session_id)
    assert state.pending_confirmation == {**proposal, "intent": "delivery_dispute"}
    # Hydration ran before the guardrail: the scrubber was told the customer's own ids.
    guard: PassGuard = pipeline.guard  # type: ignore[assignment]
    assert order.order_id in guard.protected[-1]
    assert any(known.startswith("AWB-") for known in guard.protected[-1])

    events = await turn(pipeline, who, session_id, "yes")
    router: KeywordRouter = pipeline.router  # type: ignore[assignment]
    assert router.contexts[-1].pending_confirmation
    assert router.contexts[-1].last_intent == "delivery_dispute"
    assert events[-1].data["route"] == "negotiation"
    (refund,) = await refunds(platform_server, order)
    assert refund.refund_id in "".join(str(e.data.get("text", "")) for e in events)
    state = await pipeline.sessions.load(who.client_id, who.user_id, session_id)
    assert state.pending_confirmation is None
    assert any("confirm: yes" in d for d in state.turns[-1].decisions)


async def test_any_other_turn_drops_the_proposal(
    pipeline: ChatPipeline, platform_server: RunningPlatform, clean_orders: CleanPool
) -> None:
    order = clean_orders.take()
    who = identity(order)
    session_id = await pipeline.create_session(who)
    await turn(pipeline, who, session_id, f"{order.order_id} never arrived")
    events = await turn(pipeline, who, session_id, "where is my other parcel?")
    assert events[-1].data["route"] == "tracking"
    state = await pipeline.sessions.load(who.client_id, who.user_id, session_id)
    assert state.pending_confirmation is None
    # The graph still holds its interrupt, but a "yes" now is not an answer to it.
    await turn(pipeline, who, session_id, "arrived? yes")
    assert await refunds(platform_server, order) == []


class DiesAfterTheWrite:
    """The Negotiation worker on a replica that dies right after the refund was sent (the
    write committed, its answer never reported): the stream breaks mid-turn."""

    def __init__(self, agent: NegotiationAgent) -> None:
        self.agent = agent

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        async for event in self.agent.handle(request):
            if event.type is EventType.TOOL and event.data.get("name") == "initiate_refund":
                raise ConnectionError("replica lost")
            yield event

    async def outcome_after_failure(self, request: WorkerRequest) -> str | None:
        return await self.agent.outcome_after_failure(request)


def _text(events: list[ChatEvent]) -> str:
    return "".join(str(e.data.get("text") or e.data.get("message") or "") for e in events)


async def test_a_turn_that_dies_mid_write_reads_the_platform_and_the_next_yes_resumes_it(
    pipeline: ChatPipeline, platform_server: RunningPlatform, clean_orders: CleanPool
) -> None:
    order = clean_orders.take()
    who = identity(order)
    agent = pipeline.workers[Route.NEGOTIATION]
    session_id = await pipeline.create_session(who)
    await turn(pipeline, who, session_id, f"{order.order_id} never arrived")
    pipeline.workers[Route.NEGOTIATION] = DiesAfterTheWrite(agent)  # type: ignore[arg-type]
    died = _text(await turn(pipeline, who, session_id, "yes"))
    (refund,) = await refunds(platform_server, order)
    # Never "nothing has been changed": the platform was read, and it shows the refund.
    assert "nothing has been changed" not in died
    assert refund.refund_id in died
    # A restarted replica: the next "yes" resumes the write (same key), never re-proposes.
    pipeline.workers[Route.NEGOTIATION] = NegotiationAgent(
        agent.deps,  # type: ignore[attr-defined]
        agent.settings,  # type: ignore[attr-defined]
    )
    events = await turn(pipeline, who, session_id, "yes")
    assert not [e for e in events if e.type is EventType.CONFIRMATION_REQUIRED]
    assert [r.refund_id for r in await refunds(platform_server, order)] == [refund.refund_id]
    assert f"approved (refund {refund.refund_id})" in _text(events)


class FailsBeforeAnyWrite:
    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        raise RuntimeError("bug")
        yield  # pragma: no cover

    async def outcome_after_failure(self, request: WorkerRequest) -> str | None:
        return None


async def test_a_turn_that_fails_before_any_write_says_nothing_changed(
    pipeline: ChatPipeline, platform_server: RunningPlatform, clean_orders: CleanPool
) -> None:
    order = clean_orders.take()
    who = identity(order)
    pipeline.workers[Route.NEGOTIATION] = FailsBeforeAnyWrite()  # type: ignore[assignment]
    session_id = await pipeline.create_session(who)
    events = await turn(pipeline, who, session_id, f"{order.order_id} never arrived")
    assert "nothing has been changed" in _text(events)
    assert await refunds(platform_server, order) == []
