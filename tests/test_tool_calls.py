"""Tool calls as one closed choice: the grammar only spells the customer's own ids, and the
caller re-validates whatever came back before anything may run (no model needed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import xgrammar as xgr

from app.llm.client import Completion
from app.llm.tool_calls import (
    CHOICE_SCHEMA_NAME,
    ToolCallRejected,
    choice_schema,
    max_payload_chars,
    propose_tool_call,
    token_budget,
    validate_call,
)
from app.platform.contract import OrderSummary, Region, ShipmentBrief, ShipmentStatus, Tier
from app.tools import TOOLS, AgentTier, CustomerContext, narrowing_for, tools_for
from app.tools.narrowing import Narrowing, NothingToNarrowTo

OWN_ORDER = "ORD-1000001"
OWN_AWB = "AWB-1000000001"
OTHER_ORDER = "ORD-2000002"  # well-formed, but someone else's
OTHER_AWB = "AWB-2000000002"

CONTEXT = CustomerContext(
    customer_id="CUS-000001",
    client_id="acme",
    tier=Tier.GOLD,
    region=Region.US,
    active_orders=[
        OrderSummary(
            order_id=OWN_ORDER,
            placed_at=datetime(2026, 3, 1, tzinfo=UTC),
            total=Decimal("59.90"),
            currency="USD",
            item_names=["Trail Running Shoes"],
            shipments=[ShipmentBrief(awb=OWN_AWB, status=ShipmentStatus.IN_TRANSIT)],
        )
    ],
)
NARROWING = narrowing_for(CONTEXT, max_amount=Decimal("59.90"), skus=("SKU-1234-A",))
ALL_TOOLS = list(TOOLS.values())

STOP_TOKEN_ID = 256
VOCAB = [bytes([i]) for i in range(256)] + [b"</s>"]


def completion(text: str, finish_reason: str = "stop") -> Completion:
    return Completion(text=text, finish_reason=finish_reason, endpoint="test", model="test")


def payload(tool: str, arguments: dict[str, Any]) -> str:
    return json.dumps({"tool": tool, "arguments": arguments})


# ---------------------------------------------------------------- the grammar


@pytest.fixture(scope="module")
def compiled() -> xgr.CompiledGrammar:
    schema = choice_schema(ALL_TOOLS, NARROWING)
    info = xgr.TokenizerInfo(VOCAB, xgr.VocabType.RAW, stop_token_ids=[STOP_TOKEN_ID])
    return xgr.GrammarCompiler(info).compile_json_schema(json.dumps(schema))


def grammar_accepts(grammar: xgr.CompiledGrammar, text: str) -> bool:
    matcher = xgr.GrammarMatcher(grammar)
    return (
        matcher.accept_string(text)
        and matcher.accept_token(STOP_TOKEN_ID)
        and matcher.is_terminated()
    )


def test_choice_schema_offers_every_tool_once() -> None:
    schema = choice_schema(ALL_TOOLS, NARROWING)
    names = [option["properties"]["tool"]["const"] for option in schema["anyOf"]]
    assert names == sorted(TOOLS)
    for option in schema["anyOf"]:
        assert option["required"] == ["tool", "arguments"]
        assert option["additionalProperties"] is False
    # The standalone grammar helper agrees on the string form too.
    assert isinstance(xgr.Grammar.from_json_schema(json.dumps(schema)), xgr.Grammar)


def test_single_tool_is_not_wrapped_in_any_of() -> None:
    schema = choice_schema([TOOLS["get_order_status"]], NARROWING)
    assert schema["properties"]["tool"] == {"const": "get_order_status"}


def test_a_tool_with_nothing_to_narrow_to_is_left_out() -> None:
    no_orders = Narrowing(order_ids=(), awbs=(OWN_AWB,), client_id="acme")
    schema = choice_schema([TOOLS["get_order_details"], TOOLS["get_order_status"]], no_orders)
    assert schema["properties"]["tool"] == {"const": "get_order_status"}
    with pytest.raises(NothingToNarrowTo):
        choice_schema([TOOLS["get_order_details"]], no_orders)


def test_grammar_accepts_a_valid_call(compiled: xgr.CompiledGrammar) -> None:
    assert grammar_accepts(compiled, payload("get_order_details", {"order_id": OWN_ORDER}))
    assert grammar_accepts(compiled, payload("get_order_status", {"awb": OWN_AWB}))
    refund = {"order_id": OWN_ORDER, "amount": 20.0, "reason_code": "WRONG_ITEM"}
    assert grammar_accepts(compiled, payload("initiate_refund", refund))


def test_grammar_cannot_spell_an_order_the_customer_does_not_own(
    compiled: xgr.CompiledGrammar,
) -> None:
    assert not grammar_accepts(compiled, payload("get_order_details", {"order_id": OTHER_ORDER}))
    assert not grammar_accepts(compiled, payload("get_order_status", {"awb": OTHER_AWB}))
    # The prefix is refused at the first differing byte, not only at the end.
    matcher = xgr.GrammarMatcher(compiled)
    assert matcher.accept_string('{"tool": "get_order_details", "arguments": {"order_id": "ORD-')
    assert not matcher.accept_string("2")


def test_grammar_refuses_unknown_tools_and_extra_keys(compiled: xgr.CompiledGrammar) -> None:
    assert not grammar_accepts(compiled, payload("delete_everything", {}))
    assert not grammar_accepts(
        compiled, json.dumps({"tool": "get_customer_context", "arguments": {}, "x": 1})
    )


def longest_walk(grammar: xgr.CompiledGrammar, preference: bytes) -> int:
    """Tokens a model spends when it never stops on its own: at every step it takes the first
    byte of `preference` the grammar allows (else any allowed byte), and ends only when nothing
    but the stop token is left. With one byte a token this is the worst case of a looping
    model."""
    matcher = xgr.GrammarMatcher(grammar)
    bitmask = xgr.allocate_token_bitmask(1, len(VOCAB))
    steps = 0
    while not matcher.is_terminated():
        matcher.fill_next_token_bitmask(bitmask)
        words = bitmask[0].tolist()
        allowed = [i for i in range(len(VOCAB)) if (words[i // 32] >> (i % 32)) & 1]
        content = [i for i in allowed if i != STOP_TOKEN_ID]
        if not content:
            assert matcher.accept_token(STOP_TOKEN_ID)
            break
        choice = next((b for b in preference if b in content), content[0])
        assert matcher.accept_token(choice)
        steps += 1
        assert steps < 5000, "the grammar never closes"
    return steps


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_a_model_that_never_stops_is_closed_by_the_grammar_within_the_budget(tool: str) -> None:
    schema = choice_schema([TOOLS[tool]], NARROWING)
    budget = token_budget(schema)
    info = xgr.TokenizerInfo(VOCAB, xgr.VocabType.RAW, stop_token_ids=[STOP_TOKEN_ID])
    # As served: vLLM's XGrammar backend with `disable_any_whitespace` (serve_config.yaml).
    grammar = xgr.GrammarCompiler(info).compile_json_schema(
        json.dumps(schema), any_whitespace=False
    )
    # Keep writing text, digits and list separators for as long as the grammar lets it.
    for preference in (b"a,1", b"1a,", b",a1"):
        assert longest_walk(grammar, preference) <= budget


def test_free_text_and_lists_a_model_writes_are_bounded_tighter_than_the_platform() -> None:
    search = choice_schema([TOOLS["search_policy_kb"]], NARROWING)
    assert search["properties"]["arguments"]["properties"]["query"]["maxLength"] == 160
    assert (
        TOOLS["search_policy_kb"].json_schema(NARROWING)["properties"]["query"]["maxLength"] == 500
    )
    ret = choice_schema([TOOLS["initiate_return"]], NARROWING)["properties"]["arguments"]
    assert ret["properties"]["items"]["maxItems"] == 1  # one line per SKU the customer has
    escalation = choice_schema([TOOLS["escalate_to_human"]], NARROWING)["properties"]["arguments"]
    assert escalation["properties"]["decision_trace"]["maxItems"] == 0  # the system's record
    # What the platform accepts from code is unchanged, and a model's over-long text is refused.
    long_query = {"query": "shoes " * 40, "client_id": "acme", "region": "US"}
    assert TOOLS["search_policy_kb"].input_model_for(NARROWING).model_validate(long_query)
    with pytest.raises(ToolCallRejected) as refused:
        validate_call(payload("search_policy_kb", long_query), ALL_TOOLS, NARROWING)
    assert refused.value.reason == "schema"


def test_a_schema_without_a_length_bound_has_no_budget() -> None:
    with pytest.raises(ValueError, match="unbounded string"):
        max_payload_chars({"type": "string"})
    with pytest.raises(ValueError, match="unbounded list"):
        max_payload_chars({"type": "array", "items": {"type": "integer"}})


async def test_the_default_max_tokens_is_the_schemas_budget() -> None:
    model = FakeModel(payload("get_order_details", {"order_id": OWN_ORDER}))
    await propose_tool_call(model, [{"role": "user", "content": "hi"}], ALL_TOOLS, NARROWING)  # type: ignore[arg-type]
    assert model.calls[0]["max_tokens"] == token_budget(choice_schema(ALL_TOOLS, NARROWING))


# ---------------------------------------------------------------- re-validation


def test_valid_call_is_accepted_and_normalised() -> None:
    call = validate_call(
        payload(
            "initiate_refund", {"order_id": OWN_ORDER, "amount": 20, "reason_code": "WRONG_ITEM"}
        ),
        ALL_TOOLS,
        NARROWING,
        completion("..."),
    )
    assert call.tool == "initiate_refund"
    assert call.arguments == {"order_id": OWN_ORDER, "amount": 20.0, "reason_code": "WRONG_ITEM"}


def test_optional_none_is_dropped_from_the_arguments() -> None:
    text = payload(
        "escalate_to_human", {"reason": "customer_request", "summary": "Wants a person."}
    )
    call = validate_call(text, ALL_TOOLS, NARROWING)
    assert "order_id" not in call.arguments


@pytest.mark.parametrize(
    ("text", "finish_reason", "reason"),
    [
        (payload("get_order_details", {"order_id": OWN_ORDER}), "length", "truncated"),
        ('{"tool": "get_order_details", "arguments": {"order_id": "ORD-10', "stop", "invalid_json"),
        ("I think you should check the order.", "stop", "invalid_json"),
        ('["get_order_details"]', "stop", "invalid_shape"),
        ('{"tool": "get_order_details"}', "stop", "invalid_shape"),
        (payload("delete_everything", {}), "stop", "unknown_tool"),
        (payload("get_order_details", {"order_id": OTHER_ORDER}), "stop", "schema"),
        (payload("get_order_status", {"awb": OTHER_AWB}), "stop", "schema"),
        (
            payload(
                "initiate_refund",
                {"order_id": OWN_ORDER, "amount": 500, "reason_code": "WRONG_ITEM"},
            ),
            "stop",
            "schema",
        ),
        (payload("get_order_details", {"order_id": OWN_ORDER, "x": 1}), "stop", "schema"),
        (payload("get_order_details", "ORD-1000001"), "stop", "schema"),
    ],
)
def test_invalid_calls_are_rejected(text: str, finish_reason: str, reason: str) -> None:
    done = completion(text, finish_reason)
    with pytest.raises(ToolCallRejected) as caught:
        validate_call(text, ALL_TOOLS, NARROWING, done)
    assert caught.value.reason == reason
    assert caught.value.completion is done


def test_a_tool_not_offered_to_this_tier_is_unknown() -> None:
    tracking = tools_for(AgentTier.TRACKING)
    refund = {"order_id": OWN_ORDER, "amount": 5, "reason_code": "WRONG_ITEM"}
    with pytest.raises(ToolCallRejected) as caught:
        validate_call(payload("initiate_refund", refund), tracking, NARROWING)
    assert caught.value.reason == "unknown_tool"


def test_a_tool_with_nothing_to_narrow_to_is_rejected_as_schema() -> None:
    no_orders = Narrowing(order_ids=(), client_id="acme")
    with pytest.raises(ToolCallRejected) as caught:
        validate_call(payload("get_order_details", {"order_id": OWN_ORDER}), ALL_TOOLS, no_orders)
    assert caught.value.reason == "schema"


# ---------------------------------------------------------------- propose_tool_call


class FakeModel:
    def __init__(self, text: str, finish_reason: str = "stop") -> None:
        self.text, self.finish_reason = text, finish_reason
        self.calls: list[dict[str, Any]] = []

    async def complete(self, messages: Sequence[dict[str, Any]], **kwargs: Any) -> Completion:
        self.calls.append({"messages": list(messages), **kwargs})
        return completion(self.text, self.finish_reason)


async def test_propose_sends_the_schema_as_a_constraint() -> None:
    model = FakeModel(payload("get_order_status", {"awb": OWN_AWB}))
    tools = tools_for(AgentTier.TRACKING)
    call = await propose_tool_call(model, [{"role": "user", "content": "where?"}], tools, NARROWING)  # type: ignore[arg-type]
    assert call.tool == "get_order_status"
    (sent,) = model.calls
    assert sent["response_schema"] == choice_schema(tools, NARROWING)
    assert sent["schema_name"] == CHOICE_SCHEMA_NAME
    assert sent["temperature"] == 0.0
    assert len(sent["messages"]) == 1


async def test_prompt_only_baseline_describes_the_schema_and_still_validates() -> None:
    model = FakeModel(payload("get_order_status", {"awb": OTHER_AWB}))
    tools = tools_for(AgentTier.TRACKING)
    with pytest.raises(ToolCallRejected) as caught:
        await propose_tool_call(
            model,  # type: ignore[arg-type]
            [{"role": "user", "content": "where?"}],
            tools,
            NARROWING,
            constrained=False,
        )
    assert caught.value.reason == "schema"
    (sent,) = model.calls
    assert sent["response_schema"] is None
    assert OWN_AWB in sent["messages"][-1]["content"]


async def test_truncated_output_is_never_executed() -> None:
    model = FakeModel('{"tool": "get_order_status", "arguments": {"awb": "AWB-1', "length")
    with pytest.raises(ToolCallRejected) as caught:
        await propose_tool_call(model, [], tools_for(AgentTier.TRACKING), NARROWING)  # type: ignore[arg-type]
    assert caught.value.reason == "truncated"
