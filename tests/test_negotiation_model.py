"""The model's part in negotiation: it may fill what the words left open (which order, which
outcome) under a schema narrowed to the customer's own orders, and nothing else. A stub model
stands in for the fleet (no LLM server): what matters is what the agent accepts from it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from app.agents.negotiation import NegotiationAgent
from app.llm.client import Completion, ModelUnavailable
from app.llm.endpoints import TierModels
from app.llm.prompts import PromptRegistry
from app.platform.client import PlatformClient
from tests.negotiation_cases import CleanPool
from tests.negotiation_harness import admin_for, agent_for, assert_invariants, start
from tests.platform_server import RunningPlatform


class StubModel:
    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.schemas: list[dict[str, Any]] = []

    async def complete(self, messages: Sequence[dict[str, Any]], **kwargs: Any) -> Completion:
        self.schemas.append(kwargs["response_schema"])
        if self.answer is None:
            raise ModelUnavailable("fleet down")
        return Completion(text=self.answer, finish_reason="stop", endpoint="stub", model="stub")


def with_model(
    platform_server: RunningPlatform, tmp_path: Path, model: StubModel
) -> NegotiationAgent:
    agent = agent_for(platform_server.base_url, tmp_path / "negotiation.sqlite")
    agent.deps.models = TierModels(model, model, model, model)  # type: ignore[arg-type]
    agent.prompt = PromptRegistry().select(None)["negotiation"]
    return agent


@pytest.mark.parametrize(
    ("answer", "proposes"),
    [
        ('{"order_id": "{order}", "outcome": "dispute"}', True),
        ('{"order_id": "ORD-9999999", "outcome": "dispute"}', False),  # not theirs
        ('{"order_id": null, "outcome": "a refund please"}', False),  # not a known outcome
        ("not json", False),
        (None, False),  # the fleet is down: the deterministic path asks
    ],
)
async def test_the_model_only_fills_gaps_within_the_narrowed_schema(
    platform_server: RunningPlatform,
    clean_orders: CleanPool,
    tmp_path: Path,
    answer: str | None,
    proposes: bool,
) -> None:
    order = clean_orders.take()
    model = StubModel(answer and answer.replace("{order}", order.order_id))
    agent = with_model(platform_server, tmp_path, model)
    admin: PlatformClient = admin_for(platform_server.base_url)
    try:
        conv = await start(agent, order.who)
        # No outcome in the words and none from the router: a gap the model may fill.
        result = await conv.say(f"there is a problem with {order.order_id}", intent="order_status")
        (schema,) = model.schemas
        allowed = schema["properties"]["order_id"]["anyOf"][0]
        assert allowed.get("enum", [allowed.get("const")]) == [order.order_id]
        assert (result.proposal is not None) is proposes
        if not proposes:
            assert "What would you like" in result.text
        assert not result.tools("initiate_refund")
        await assert_invariants(admin, conv)
    finally:
        await admin.aclose()
        await agent.deps.platform.aclose()


async def test_the_model_is_not_asked_when_the_words_suffice(
    platform_server: RunningPlatform, clean_orders: CleanPool, tmp_path: Path
) -> None:
    order = clean_orders.take()
    model = StubModel(json.dumps({"order_id": None, "outcome": "return"}))
    agent = with_model(platform_server, tmp_path, model)
    try:
        conv = await start(agent, order.who)
        result = await conv.say(f"{order.order_id} never arrived")
        assert model.schemas == []
        assert result.proposal is not None and result.proposal["reason_code"] == "DELIVERY_DISPUTE"
    finally:
        await agent.deps.platform.aclose()


@pytest.mark.usefixtures("clean_orders")
@pytest.mark.parametrize(
    ("items", "proposed_skus"),
    [
        (["Hiking Backpack"], [{"sku": "SKU-9942-B", "quantity": 1}]),
        # An item of another order of theirs, or none at all: dropped, and the one question.
        (["Commuter Bike Helmet"], None),
        (None, None),
    ],
)
async def test_the_model_may_name_items_only_from_the_order_the_case_is_about(
    platform_server: RunningPlatform,
    tmp_path: Path,
    items: list[str] | None,
    proposed_skus: list[dict[str, Any]] | None,
) -> None:
    from tests import negotiation_cases as cases

    model = StubModel(json.dumps({"order_id": None, "outcome": None, "items": items}))
    agent = with_model(platform_server, tmp_path, model)
    try:
        conv = await start(agent, cases.MIXED)
        result = await conv.say(f"please return the blue one from {cases.MIXED_RETURN_ORDER}")
        (schema,) = model.schemas
        allowed = schema["properties"]["items"]["anyOf"][0]["items"]["enum"]
        assert set(allowed) == {
            n for o in conv.context.active_orders for n in o.item_names
        }  # this customer's items only
        if proposed_skus is None:
            assert result.proposal is None and "Which items" in result.text
        else:
            assert result.proposal is not None and result.proposal["items"] == proposed_skus
    finally:
        await agent.deps.platform.aclose()
