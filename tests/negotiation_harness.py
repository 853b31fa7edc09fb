"""Drives the Negotiation agent turn by turn the way the pipeline does, against a real platform.

`Conversation.say()` builds the WorkerRequest the pipeline would (hydrated context, history,
the session's pending confirmation), and afterwards keeps or clears the pending proposal
exactly as ChatPipeline does: set from a confirmation_required event, cleared by any other
turn. The checks read the platform directly, never the agent's words.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.agents.base import WorkerDeps
from app.agents.events import ChatEvent, EventType
from app.agents.negotiation import NegotiationAgent, NegotiationSettings
from app.agents.worker import WorkerRequest
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import Notification, Refund, Ticket
from app.sessions.write_leases import OrderWriteLeases
from app.tools import AgentTier, CustomerContext, ToolContext, ToolExecutor, ToolSuccess
from app.tools.executor import ExecutorSettings
from tests.platform_server import ADMIN_KEY, API_KEY, TEST_WRITE_DEADLINE_S

FAST = ExecutorSettings(
    read_timeout_s=2.0,
    write_timeout_s=TEST_WRITE_DEADLINE_S,
    read_attempts=3,
    write_attempts=3,
    backoff_initial_s=0.01,
    backoff_max_s=0.05,
)


def settings_for(path: Path | str) -> NegotiationSettings:
    # Settlements are swept explicitly by the tests: no background task in a test's loop.
    return NegotiationSettings(
        checkpoint_url=str(path),
        recover_delay_s=0.05,
        settle_poll_s=0.05,
        settlement_poll_s=0,
        # Past the test platform's write deadline (and the clock margin): a turn can resolve.
        resolve_in_turn_s=TEST_WRITE_DEADLINE_S + 2.0,
        resolve_poll_s=0.1,
    )


def agent_for(
    base_url: str,
    checkpoints: Path | str,
    *,
    leases: OrderWriteLeases | None = None,
    **overrides: Any,
) -> NegotiationAgent:
    deps = WorkerDeps(
        write_leases=leases,
        platform=PlatformClient(
            base_url, API_KEY, timeout_s=5.0, write_timeout_s=TEST_WRITE_DEADLINE_S
        ),
        executor=ToolExecutor(FAST),
    )
    settings = settings_for(checkpoints).model_copy(update=overrides)
    return NegotiationAgent(deps, settings)


def admin_for(base_url: str) -> PlatformClient:
    return PlatformClient(base_url, API_KEY, admin_key=ADMIN_KEY, timeout_s=5.0)


@dataclass
class TurnResult:
    events: list[ChatEvent]

    @property
    def text(self) -> str:
        return "".join(str(e.data.get("text", "")) for e in self.of(EventType.TOKEN))

    def of(self, kind: EventType) -> list[ChatEvent]:
        return [e for e in self.events if e.type is kind]

    @property
    def proposal(self) -> dict[str, Any] | None:
        found = self.of(EventType.CONFIRMATION_REQUIRED)
        return found[-1].data if found else None

    @property
    def tickets(self) -> list[str]:
        return [str(e.data["ticket_id"]) for e in self.of(EventType.ESCALATED)]

    def tools(self, name: str) -> list[ChatEvent]:
        return [e for e in self.of(EventType.TOOL) if e.data.get("name") == name]


@dataclass
class Conversation:
    agent: NegotiationAgent
    who: CustomerRef
    context: CustomerContext
    session_id: str = field(default_factory=lambda: f"sess{uuid.uuid4().hex}")
    pending: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    results: list[TurnResult] = field(default_factory=list)
    # Refunds that existed before the conversation (imported history): not its doing.
    baseline: frozenset[str] = frozenset()

    def request(self, message: str, intent: str = "refund_request") -> WorkerRequest:
        """The worker request this conversation's next message makes (history, pending)."""
        return WorkerRequest(
            client_id=self.who.client_id,
            customer_id=self.who.customer_id,
            session_id=self.session_id,
            message=message,
            intent=intent,
            confidence=0.9,
            context=self.context,
            history=list(self.history),
            pending=self.pending,
        )

    async def say(self, message: str, intent: str = "refund_request") -> TurnResult:
        request = self.request(message, intent)
        result = TurnResult([e async for e in self.agent.handle(request)])
        self.pending = result.proposal
        self.history += [
            {"role": "user", "text": message},
            {"role": "assistant", "text": result.text},
        ]
        self.results.append(result)
        return result


async def hydrate(platform: PlatformClient, who: CustomerRef) -> CustomerContext:
    ctx = ToolContext(who=who, session_id="hydration", platform=platform)
    result = await ToolExecutor(FAST).execute(ctx, AgentTier.SYSTEM, "get_customer_context", {})
    assert isinstance(result, ToolSuccess), result
    return result.output  # type: ignore[return-value]


async def start(agent: NegotiationAgent, who: CustomerRef) -> Conversation:
    context = await hydrate(agent.deps.platform, who)
    before = [
        r.refund_id
        for o in context.active_orders
        for r in await agent.deps.platform.list_order_refunds(who, o.order_id)
    ]
    return Conversation(agent, who, context, baseline=frozenset(before))


@dataclass
class PlatformView:
    """What the order system shows for one customer and order (read directly)."""

    refunds: list[Refund]
    notifications: list[Notification]
    tickets: list[Ticket]


async def view(admin: PlatformClient, who: CustomerRef, order_id: str) -> PlatformView:
    refunds = await admin.list_order_refunds(who, order_id)
    notifications = [n for n in await admin.list_notifications(who) if n.order_id == order_id]
    tickets = [
        t for t in await admin.list_tickets(who.client_id) if t.customer_id == who.customer_id
    ]
    return PlatformView(refunds, notifications, tickets)


# ---------------------------------------------------------------- the three invariants

# The replies the tests mean as consent (decided here, independently of the classifier).
YES = frozenset(
    {"yes", "Yes please", "yes, go ahead", "y", "ok", "confirm", "sure, do it", "yes yes"}
)
_CLAIM = re.compile(r"has been approved|has now been approved|has been submitted")
_RECORD = re.compile(r"\b(?:REF|RET)-[0-9]{6,10}\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _terms(proposal: dict[str, Any]) -> tuple[str, float, str]:
    return (str(proposal["order_id"]), round(float(proposal["amount"]), 2), proposal["reason_code"])


async def assert_invariants(
    admin: PlatformClient, conv: Conversation, yes: frozenset[str] = YES
) -> list[Refund]:
    """Zero refunds without a fraud check and a yes, zero double refunds, zero false
    confirmations, all read from the platform. Returns the customer's refunds."""
    orders = {o.order_id for o in conv.context.active_orders}
    refunds = [
        r
        for order in sorted(orders)
        for r in await admin.list_order_refunds(conv.who, order)
        if r.refund_id not in conv.baseline
    ]
    consented: list[tuple[str, float, str]] = []
    fraud_checked: set[str] = set()
    consent_by_proposal: dict[str, tuple[str, float, str]] = {}
    pending: dict[str, Any] | None = None
    for turn, result in zip(conv.history[::2], conv.results, strict=True):
        if pending is not None and turn["text"] in yes:
            consented.append(_terms(pending))
            # A proposal answered twice (a replayed "yes") is still one consent.
            consent_by_proposal[str(pending["proposal_id"])] = _terms(pending)
        for event in result.tools("check_fraud_score"):
            if event.data["ok"]:
                fraud_checked.add(event.data["arguments"]["order_id"])
        pending = result.proposal
        if pending is not None:
            assert pending["order_id"] in fraud_checked, "proposal without a fraud check"
    for refund in refunds:
        terms = (refund.order_id, round(float(refund.amount), 2), refund.reason_code.value)
        assert terms in consented, f"refund {refund.refund_id} without a fraud check and a yes"
    per_terms = Counter(
        (r.order_id, round(float(r.amount), 2), r.reason_code.value) for r in refunds
    )
    # One refund per yes: two identical refunds need two proposals and two yeses.
    agreed = Counter(consent_by_proposal.values())
    assert all(n <= agreed[t] for t, n in per_terms.items()), f"double refund: {per_terms}"
    by_id: dict[str, str] = {r.refund_id: r.status.value for r in refunds}
    for result in conv.results:
        for sentence in _SENTENCE.split(result.text):
            if not _CLAIM.search(sentence):
                continue
            ids = _RECORD.findall(sentence)
            assert ids, f"a claim without a record id: {sentence!r}"
            for record_id in ids:
                status = by_id.get(record_id)
                if record_id.startswith("RET-"):
                    status = (await admin.get_return(conv.who, record_id)).status.value
                assert status is not None, f"claimed {record_id} does not exist"
                if "approved" in sentence:
                    assert status == "approved", f"claimed approved, platform: {status}"
    return refunds
