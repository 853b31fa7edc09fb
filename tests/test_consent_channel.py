"""The structured consent channel over HTTP, with the real app: the real pipeline (guardrail,
router, negotiation graph, consent reader), Redis sessions and the platform service.

A Confirm / Cancel click sends `{"proposal_id", "decision"}`: it confirms that proposal and no
other. A yes naming a proposal that is no longer the current one writes nothing; the customer
is told the offer changed and shown the current one.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.agents.pipeline import ChatPipeline
from app.api.auth import TokenService
from app.platform.contract import ShipmentStatus
from tests.fixtures import SeedIndex

pytestmark = pytest.mark.slow


def _events(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith(":")]
        if lines:
            events.append(
                (lines[0].removeprefix("event: "), json.loads(lines[1].removeprefix("data: ")))
            )
    return events


def _text(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(d["text"] for name, d in events if name == "token")


def _proposal(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    found = [d for name, d in events if name == "confirmation_required"]
    return found[-1] if found else None


class Chat:
    def __init__(self, api: httpx.AsyncClient, headers: dict[str, str], session_id: str):
        self.api, self.headers, self.session_id = api, headers, session_id

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        return await self.api.post(
            f"/v1/sessions/{self.session_id}/messages", headers=self.headers, json=body
        )

    async def send(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        response = await self.post(body)
        assert response.status_code == 200, response.text
        return _events(response.text)


@pytest.fixture
async def disputed(
    api: httpx.AsyncClient, tokens: TokenService, seed: SeedIndex
) -> tuple[Chat, Any, dict[str, Any]]:
    """A chat with a refund proposal on a disputed delivery, nothing written yet."""
    pick = seed.take(ShipmentStatus.DELIVERED_DISPUTED)
    headers = {"Authorization": f"Bearer {tokens.issue(pick.who.customer_id, pick.who.client_id)}"}
    created = await api.post("/v1/sessions", headers=headers)
    chat = Chat(api, headers, str(created.json()["session_id"]))
    events = await chat.send(
        {"message": f"I want a refund for {pick.order.order_id}, it never arrived"}
    )
    proposal = _proposal(events)
    assert proposal is not None, _text(events)
    return chat, pick, proposal


async def _refunds(pipeline: ChatPipeline, pick: Any) -> list[Any]:
    return await pipeline.deps.platform.list_order_refunds(pick.who, pick.order.order_id)


async def test_confirm_with_the_current_proposal_id_writes_that_proposal(
    disputed: tuple[Chat, Any, dict[str, Any]], pipeline: ChatPipeline
) -> None:
    chat, pick, proposal = disputed
    events = await chat.send({"proposal_id": proposal["proposal_id"], "decision": "yes"})
    (refund,) = await _refunds(pipeline, pick)
    assert float(refund.amount) == proposal["amount"]
    assert refund.refund_id in _text(events)
    assert events[-1][1]["route"] == "negotiation"


async def test_cancel_writes_nothing_and_ends_the_case(
    disputed: tuple[Chat, Any, dict[str, Any]], pipeline: ChatPipeline
) -> None:
    chat, pick, proposal = disputed
    events = await chat.send({"proposal_id": proposal["proposal_id"], "decision": "no"})
    assert "won't make any changes" in _text(events) and _proposal(events) is None
    assert await _refunds(pipeline, pick) == []


async def test_a_yes_for_a_replaced_proposal_is_refused_and_the_current_one_shown(
    disputed: tuple[Chat, Any, dict[str, Any]], pipeline: ChatPipeline
) -> None:
    chat, pick, first = disputed
    changed = await chat.send({"message": "no, make it $10"})
    current = _proposal(changed)
    assert current is not None and current["amount"] == 10.0
    assert current["proposal_id"] != first["proposal_id"]

    stale = await chat.send({"proposal_id": first["proposal_id"], "decision": "yes"})
    assert "no longer the current one" in _text(stale)
    shown = _proposal(stale)
    assert shown is not None and shown["proposal_id"] == current["proposal_id"]
    assert await _refunds(pipeline, pick) == []

    await chat.send({"proposal_id": current["proposal_id"], "decision": "yes"})
    (refund,) = await _refunds(pipeline, pick)
    assert float(refund.amount) == 10.0


async def test_a_yes_after_the_offer_closed_writes_nothing(
    disputed: tuple[Chat, Any, dict[str, Any]], pipeline: ChatPipeline
) -> None:
    chat, pick, proposal = disputed
    await chat.send({"proposal_id": proposal["proposal_id"], "decision": "no"})
    events = await chat.send({"proposal_id": proposal["proposal_id"], "decision": "yes"})
    assert "no longer open" in _text(events)
    assert await _refunds(pipeline, pick) == []


async def test_free_text_is_still_read_by_the_consent_reader(
    disputed: tuple[Chat, Any, dict[str, Any]], pipeline: ChatPipeline
) -> None:
    chat, pick, proposal = disputed
    asked = await chat.send({"message": "is that correct"})
    again = _proposal(asked)
    assert again is not None and again["proposal_id"] == proposal["proposal_id"]
    assert await _refunds(pipeline, pick) == []
    await chat.send({"message": "yes please"})
    assert len(await _refunds(pipeline, pick)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"stream": False},
        {"proposal_id": "abc"},
        {"decision": "yes"},
        {"proposal_id": "abc", "decision": "maybe"},
        {"proposal_id": "", "decision": "yes"},
        {"message": ""},
    ],
)
async def test_a_body_with_neither_a_message_nor_a_whole_decision_is_422(
    api: httpx.AsyncClient, tokens: TokenService, seed: SeedIndex, body: dict[str, Any]
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED_DISPUTED)
    headers = {"Authorization": f"Bearer {tokens.issue(pick.who.customer_id, pick.who.client_id)}"}
    created = await api.post("/v1/sessions", headers=headers)
    response = await api.post(
        f"/v1/sessions/{created.json()['session_id']}/messages", headers=headers, json=body
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
