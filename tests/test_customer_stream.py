"""The customer's event stream carries only what a customer may see.

Internal reasons (an escalation for high fraud risk, why a guardrail blocked a message), tool
arguments and outputs, model usage and decision lines stay in the trace, the ticket and the
console. Checked over the real HTTP app, in both streaming and JSON modes, for every
escalation reason the agent can give."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.agents.events import ChatEvent, EventType, customer_view
from app.api.auth import Identity, TokenService
from app.api.http import create_chat_app
from app.tools.definitions import EscalationReason

SECRET = "s" * 40


class ScriptedTurns:
    """A ChatService whose turn emits every kind of event, internal ones included."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def create_session(self, identity: Identity) -> str:
        return "sess-stream-1"

    async def start_turn(
        self, identity: Identity, session_id: str, message: str, consent: Any = None
    ) -> AsyncIterator[ChatEvent]:
        async def events() -> AsyncIterator[ChatEvent]:
            yield ChatEvent.usage("negotiation", "negotiation@v3", "fleet", prompt_tokens=900)
            yield ChatEvent.tool(
                "check_fraud_score",
                True,
                arguments={"order_id": "ORD-1000001"},
                trace={"score": 0.93, "band": "high"},
            )
            yield ChatEvent.decision("negotiation", "fraud: ORD-1000001 0.93 high", review=True)
            yield ChatEvent.token("I've passed this to a colleague.")
            yield ChatEvent.escalated("TCK-12345678", self.reason)
            yield ChatEvent(type=EventType.DONE, data={"ok": True, "reason": self.reason})

        return events()

    async def history(self, identity: Identity, session_id: str) -> list[dict[str, Any]]:
        return []

    async def readiness(self) -> dict[str, str]:
        return {}


def internal_values(reason: str) -> list[str]:
    # (The tool's name, check_fraud_score, is shown: every refund runs it, so it flags no one.)
    return [reason, "0.93", '"band"', "ORD-1000001", "prompt_tokens", "negotiation@v3", "review"]


@pytest.mark.parametrize("reason", [r.value for r in EscalationReason])
async def test_no_escalation_reason_or_tool_detail_reaches_the_customer(reason: str) -> None:
    tokens = TokenService(SECRET)
    app = create_chat_app(ScriptedTurns(reason), tokens)  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {tokens.issue('CUS-100001', 'northwind')}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as api:
        streamed = await api.post("/v1/chat", headers=headers, json={"message": "refund please"})
        as_json = await api.post(
            "/v1/chat", headers=headers, json={"message": "refund please", "stream": False}
        )
    assert streamed.status_code == as_json.status_code == 200
    body = as_json.json()
    kinds = [e["type"] for e in body["events"]]
    assert kinds == ["tool", "token", "escalated", "done"]
    assert body["events"][0]["data"] == {"name": "check_fraud_score", "ok": True}
    assert body["events"][2]["data"] == {"ticket_id": "TCK-12345678"}
    for text in (streamed.text, json.dumps(body)):
        for value in internal_values(reason):
            assert value not in text, (reason, value)
    assert "TCK-12345678" in streamed.text


def test_a_proposal_reaches_the_customer_whole() -> None:
    proposal = {
        "proposal_id": "p1",
        "action": "refund",
        "order_id": "ORD-1000001",
        "amount": 20.0,
        "currency": "USD",
        "reason_code": "DELIVERY_FAILED",
        "items": [],
        "message": "I can refund $20.00 ...",
    }
    event = ChatEvent(type=EventType.CONFIRMATION_REQUIRED, data=proposal)
    assert customer_view(event) == event
    assert customer_view(ChatEvent.usage("t", "p", "e")) is None
