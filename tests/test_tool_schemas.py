"""Tool input schemas: they compile for XGrammar, and the grammar and pydantic agree.

The decoder enforces `tool.json_schema(narrowing)` while the executor validates with
`tool.input_model_for(narrowing)`; both must accept the same good payloads and refuse the
same bad ones, or a constrained model could emit arguments the executor then rejects (or,
worse, the executor could run arguments the decoder was meant to make unspellable).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import xgrammar as xgr
from pydantic import BaseModel, Field, ValidationError

from app.tools import TOOLS, Access, AgentTier, Narrowing, tools_for
from app.tools.narrowing import NothingToNarrowTo, decoder_schema

ORDER_A = "ORD-1000001"
ORDER_B = "ORD-2000002"
OTHER_ORDER = "ORD-3000003"  # well-formed, but not one of this request's orders
AWB_A = "AWB-0000000001"
OTHER_AWB = "AWB-9999999999"
SKU_A = "SKU-1234-A"
OTHER_SKU = "SKU-9999-Z"

NARROWING = Narrowing(
    order_ids=(ORDER_A, ORDER_B),
    awbs=(AWB_A,),
    skus=(SKU_A,),
    regions=("US",),
    client_id="globex",
    max_amount=Decimal("89.99"),
)

# A byte-level vocabulary: every single byte is a token, plus one stop token at the end.
STOP_TOKEN_ID = 256
VOCAB = [bytes([i]) for i in range(256)] + [b"</s>"]

VARIANTS = {"base": None, "narrowed": NARROWING}


@pytest.fixture(scope="module")
def compiler() -> xgr.GrammarCompiler:
    info = xgr.TokenizerInfo(VOCAB, xgr.VocabType.RAW, stop_token_ids=[STOP_TOKEN_ID])
    return xgr.GrammarCompiler(info)


@pytest.fixture(scope="module")
def grammars(compiler: xgr.GrammarCompiler) -> dict[tuple[str, str], xgr.CompiledGrammar]:
    """Every tool's base and narrowed schema, compiled once for the module."""
    return {
        (name, variant): compiler.compile_json_schema(json.dumps(tool.json_schema(narrowing)))
        for name, tool in TOOLS.items()
        for variant, narrowing in VARIANTS.items()
    }


def grammar_accepts(compiled: xgr.CompiledGrammar, text: str) -> bool:
    """Whether the grammar accepts exactly `text`: every byte, then the stop token."""
    matcher = xgr.GrammarMatcher(compiled)
    if not matcher.accept_string(text):
        return False
    # The stop token is only accepted where the grammar may end (a complete JSON value).
    if not matcher.accept_token(STOP_TOKEN_ID):
        return False
    return matcher.is_terminated()


def pydantic_accepts(name: str, variant: str, payload: Any) -> bool:
    model = TOOLS[name].input_model_for(VARIANTS[variant])
    try:
        model.model_validate(payload)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------- compilation


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name", list(TOOLS))
def test_schema_compiles(
    grammars: dict[tuple[str, str], xgr.CompiledGrammar], name: str, variant: str
) -> None:
    compiled = grammars[(name, variant)]
    assert isinstance(compiled, xgr.CompiledGrammar)
    matcher = xgr.GrammarMatcher(compiled)
    # Every tool takes a JSON object; nothing else may start it, and nothing is done yet.
    assert not matcher.is_terminated()
    assert not xgr.GrammarMatcher(compiled).accept_string("[")
    assert matcher.accept_string("{")


# ---------------------------------------------------------------- good payloads

GOOD: list[tuple[str, str, dict[str, Any]]] = [
    ("get_order_status", "base", {"awb": OTHER_AWB}),
    ("get_order_status", "narrowed", {"awb": AWB_A}),
    ("get_delivery_photo", "narrowed", {"awb": AWB_A}),
    ("get_eta", "base", {"awb": AWB_A, "region": "EU"}),
    ("get_eta", "narrowed", {"awb": AWB_A, "region": "US"}),
    (
        "search_policy_kb",
        "narrowed",
        {"query": "can I return opened headphones?", "client_id": "globex", "region": "US"},
    ),
    ("search_policy_kb", "base", {"query": "refund time", "client_id": "acme", "region": "UK"}),
    ("get_return_window", "narrowed", {"sku": OTHER_SKU, "tier": "Gold"}),
    ("get_order_details", "narrowed", {"order_id": ORDER_B}),
    ("get_order_details", "base", {"order_id": "ORD-1234567890"}),
    ("check_fraud_score", "narrowed", {"order_id": ORDER_A}),
    ("get_refund", "narrowed", {"refund_id": "REF-1000007"}),
    ("get_return", "base", {"return_id": "RET-1000007"}),
    ("get_write_by_key", "base", {"idempotency_key": "osa-" + "0a" * 24}),
    ("list_order_refunds", "narrowed", {"order_id": ORDER_A}),
    ("list_order_returns", "narrowed", {"order_id": ORDER_A}),
    (
        "quote_resolution",
        "narrowed",
        {"order_id": ORDER_A, "action": "refund", "reason_code": "DELIVERY_DISPUTE"},
    ),
    (
        "quote_resolution",
        "narrowed",
        {
            "order_id": ORDER_A,
            "action": "return",
            "reason_code": "CUSTOMER_REQUEST",
            "items": [{"sku": SKU_A, "quantity": 1}],
        },
    ),
    (
        "initiate_refund",
        "narrowed",
        {"order_id": ORDER_A, "amount": 12.5, "reason_code": "DELIVERY_DISPUTE"},
    ),
    (
        "initiate_refund",
        "narrowed",
        {"order_id": ORDER_B, "amount": 89.99, "reason_code": "WRONG_ITEM"},
    ),
    (
        "initiate_refund",
        "base",
        {"order_id": OTHER_ORDER, "amount": 1500, "reason_code": "DELIVERY_FAILED"},
    ),
    (
        "initiate_return",
        "narrowed",
        {
            "order_id": ORDER_A,
            "items": [{"sku": SKU_A, "quantity": 2}],
            "reason_code": "CUSTOMER_REQUEST",
        },
    ),
    (
        "initiate_return",
        "base",
        {
            "order_id": OTHER_ORDER,
            "items": [{"sku": OTHER_SKU, "quantity": 1}, {"sku": SKU_A, "quantity": 20}],
            "reason_code": "WRONG_ITEM",
        },
    ),
    (
        "escalate_to_human",
        "narrowed",
        {
            "reason": "high_fraud_risk",
            "summary": "Customer disputes delivery; fraud score high.",
            "priority": "high",
            "order_id": ORDER_A,
            "decision_trace": ["check_fraud_score: 0.91"],
        },
    ),
    (
        "escalate_to_human",
        "narrowed",
        {"reason": "customer_request", "summary": "Asked for a human agent.", "order_id": None},
    ),
    (
        "send_notification",
        "narrowed",
        {"channel": "email", "subject": "Refund", "body": "Your refund is on its way."},
    ),
    (
        "send_notification",
        "narrowed",
        {"channel": "sms", "subject": "Return", "body": "Label sent.", "order_id": ORDER_B},
    ),
    ("get_customer_context", "base", {}),
    ("get_customer_context", "narrowed", {}),
]


def _case_id(name: str, variant: str, label: str) -> str:
    return f"{name}-{variant}-{label}"


@pytest.mark.parametrize(
    ("name", "variant", "payload"),
    GOOD,
    ids=[_case_id(n, v, str(i)) for i, (n, v, _) in enumerate(GOOD)],
)
def test_good_payload_accepted_by_pydantic_and_grammar(
    grammars: dict[tuple[str, str], xgr.CompiledGrammar],
    name: str,
    variant: str,
    payload: dict[str, Any],
) -> None:
    TOOLS[name].input_model_for(VARIANTS[variant]).model_validate(payload)
    compiled = grammars[(name, variant)]
    assert grammar_accepts(compiled, json.dumps(payload))
    # Compact separators are just as valid JSON.
    assert grammar_accepts(compiled, json.dumps(payload, separators=(",", ":")))


def test_every_tool_has_a_good_payload() -> None:
    assert {name for name, _, _ in GOOD} == set(TOOLS)


def test_grammar_requires_a_complete_value(
    grammars: dict[tuple[str, str], xgr.CompiledGrammar],
) -> None:
    """A prefix of a good payload is accepted byte by byte but cannot stop there."""
    text = json.dumps({"order_id": ORDER_A, "amount": 1.0, "reason_code": "WRONG_ITEM"})
    compiled = grammars[("initiate_refund", "narrowed")]
    matcher = xgr.GrammarMatcher(compiled)
    assert matcher.accept_string(text[:-1])
    assert not matcher.accept_token(STOP_TOKEN_ID)
    assert not matcher.is_terminated()
    assert not grammar_accepts(compiled, text[:-1])
    assert grammar_accepts(compiled, text)


# ---------------------------------------------------------------- bad payloads

_REFUND = {"order_id": ORDER_A, "amount": 10.0, "reason_code": "WRONG_ITEM"}
_RETURN = {
    "order_id": ORDER_A,
    "items": [{"sku": SKU_A, "quantity": 1}],
    "reason_code": "WRONG_ITEM",
}
_ESCALATION = {"reason": "unresolved", "summary": "Customer still waiting after two weeks."}
_POLICY = {"query": "return window for shoes", "client_id": "globex", "region": "US"}

BAD: list[tuple[str, str, str, dict[str, Any]]] = [
    # wrong id patterns
    ("get_order_status", "base", "awb-too-short", {"awb": "AWB-12345"}),
    ("get_order_status", "base", "awb-lowercase", {"awb": "awb-0000000001"}),
    ("initiate_refund", "base", "order-id-pattern", {**_REFUND, "order_id": "ORD-12"}),
    ("get_return_window", "base", "sku-pattern", {"sku": "SKU-12-AB", "tier": "Gold"}),
    ("get_refund", "base", "refund-id-pattern", {"refund_id": "REF-12"}),
    ("get_return", "base", "return-id-pattern", {"return_id": "ORD-1000001"}),
    # ids outside the narrowed enums
    ("get_order_status", "narrowed", "awb-not-narrowed", {"awb": OTHER_AWB}),
    ("get_delivery_photo", "narrowed", "awb-not-narrowed", {"awb": OTHER_AWB}),
    ("get_order_details", "narrowed", "order-not-narrowed", {"order_id": OTHER_ORDER}),
    ("check_fraud_score", "narrowed", "order-not-narrowed", {"order_id": OTHER_ORDER}),
    (
        "quote_resolution",
        "narrowed",
        "order-not-narrowed",
        {"order_id": OTHER_ORDER, "action": "refund", "reason_code": "WRONG_ITEM"},
    ),
    (
        "quote_resolution",
        "base",
        "action",
        {"order_id": ORDER_A, "action": "exchange", "reason_code": "WRONG_ITEM"},
    ),
    ("initiate_refund", "narrowed", "order-not-narrowed", {**_REFUND, "order_id": OTHER_ORDER}),
    ("initiate_return", "narrowed", "order-not-narrowed", {**_RETURN, "order_id": OTHER_ORDER}),
    (
        "initiate_return",
        "narrowed",
        "sku-not-narrowed",
        {**_RETURN, "items": [{"sku": OTHER_SKU, "quantity": 1}]},
    ),
    (
        "escalate_to_human",
        "narrowed",
        "order-not-narrowed",
        {**_ESCALATION, "order_id": OTHER_ORDER},
    ),
    (
        "send_notification",
        "narrowed",
        "order-not-narrowed",
        {"channel": "push", "subject": "s", "body": "b", "order_id": OTHER_ORDER},
    ),
    ("get_eta", "narrowed", "region-not-narrowed", {"awb": AWB_A, "region": "EU"}),
    ("get_eta", "base", "region-unknown", {"awb": AWB_A, "region": "APAC"}),
    # amounts
    ("initiate_refund", "narrowed", "amount-over-max", {**_REFUND, "amount": 90.0}),
    ("initiate_refund", "narrowed", "amount-far-over-max", {**_REFUND, "amount": 899.9}),
    ("initiate_refund", "narrowed", "amount-zero", {**_REFUND, "amount": 0}),
    ("initiate_refund", "base", "amount-negative", {**_REFUND, "amount": -5}),
    ("initiate_refund", "base", "amount-over-base-cap", {**_REFUND, "amount": 100001}),
    # enums
    ("initiate_refund", "narrowed", "reason-code", {**_REFUND, "reason_code": "CHANGED_MIND"}),
    ("initiate_return", "base", "reason-code", {**_RETURN, "reason_code": "wrong_item"}),
    ("get_return_window", "base", "tier", {"sku": SKU_A, "tier": "Platinum"}),
    ("escalate_to_human", "base", "reason", {**_ESCALATION, "reason": "angry"}),
    ("send_notification", "base", "channel", {"channel": "fax", "subject": "s", "body": "b"}),
    # extra properties
    ("initiate_refund", "narrowed", "extra-property", {**_REFUND, "customer_id": "CUS-000001"}),
    ("get_customer_context", "base", "extra-property", {"customer_id": "CUS-000001"}),
    (
        "initiate_return",
        "narrowed",
        "extra-nested-property",
        {**_RETURN, "items": [{"sku": SKU_A, "quantity": 1, "price": 1}]},
    ),
    # missing required fields
    ("initiate_refund", "narrowed", "missing-reason", {"order_id": ORDER_A, "amount": 1.0}),
    (
        "initiate_refund",
        "base",
        "missing-amount",
        {"order_id": ORDER_A, "reason_code": "WRONG_ITEM"},
    ),
    ("get_delivery_photo", "base", "missing-awb", {}),
    ("search_policy_kb", "narrowed", "missing-region", {"query": "abc", "client_id": "globex"}),
    ("send_notification", "narrowed", "missing-body", {"channel": "sms", "subject": "s"}),
    # lengths and counts
    ("initiate_return", "narrowed", "no-items", {**_RETURN, "items": []}),
    ("initiate_return", "base", "no-items", {**_RETURN, "items": []}),
    (
        "initiate_return",
        "narrowed",
        "too-many-items",
        {**_RETURN, "items": [{"sku": SKU_A, "quantity": 1}] * 11},
    ),
    (
        "initiate_return",
        "narrowed",
        "quantity-zero",
        {**_RETURN, "items": [{"sku": SKU_A, "quantity": 0}]},
    ),
    (
        "initiate_return",
        "base",
        "quantity-over-max",
        {**_RETURN, "items": [{"sku": SKU_A, "quantity": 21}]},
    ),
    ("escalate_to_human", "narrowed", "summary-too-short", {**_ESCALATION, "summary": "help"}),
    ("search_policy_kb", "base", "query-too-short", {**_POLICY, "query": "hi"}),
    # tenant pinning
    ("search_policy_kb", "narrowed", "other-tenant", {**_POLICY, "client_id": "acme"}),
    ("search_policy_kb", "narrowed", "region-not-narrowed", {**_POLICY, "region": "UK"}),
    ("search_policy_kb", "base", "client-id-pattern", {**_POLICY, "client_id": "Globex Inc"}),
]


@pytest.mark.parametrize(
    ("name", "variant", "payload"),
    [(n, v, p) for n, v, _, p in BAD],
    ids=[_case_id(n, v, label) for n, v, label, _ in BAD],
)
def test_bad_payload_rejected_by_pydantic_and_grammar(
    grammars: dict[tuple[str, str], xgr.CompiledGrammar],
    name: str,
    variant: str,
    payload: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError):
        TOOLS[name].input_model_for(VARIANTS[variant]).model_validate(payload)
    assert not grammar_accepts(grammars[(name, variant)], json.dumps(payload))


# ---------------------------------------------------------------- tiers

# get_order_details: an order the customer names that hydration did not list.
TRACKING = {"get_order_status", "get_delivery_photo", "get_eta", "get_order_details"}
POLICY = {"search_policy_kb", "get_return_window"}
NEGOTIATION = {
    "get_return_window",
    "search_policy_kb",
    "get_refund",
    "get_return",
    "check_fraud_score",
    "initiate_refund",
    "initiate_return",
    "escalate_to_human",
    "send_notification",
    "get_order_details",
    "get_write_by_key",
    "list_order_refunds",
    "quote_resolution",
    "list_order_returns",
}
WRITES = {"initiate_refund", "initiate_return", "escalate_to_human", "send_notification"}


def _names(tier: AgentTier) -> set[str]:
    return {tool.name for tool in tools_for(tier)}


def test_tracking_tier_has_exactly_the_shipment_reads() -> None:
    assert _names(AgentTier.TRACKING) == TRACKING
    assert all(TOOLS[name].access is Access.READ for name in TRACKING)


def test_policy_tier_has_exactly_the_policy_reads() -> None:
    assert _names(AgentTier.POLICY) == POLICY
    assert all(TOOLS[name].access is Access.READ for name in POLICY)


def test_negotiation_tier() -> None:
    assert _names(AgentTier.NEGOTIATION) == NEGOTIATION


@pytest.mark.parametrize("tier", [AgentTier.TRACKING, AgentTier.POLICY])
def test_read_only_tiers_get_no_write_tool(tier: AgentTier) -> None:
    assert not [tool.name for tool in tools_for(tier) if tool.writes]


def test_write_tools_are_declared_as_writes() -> None:
    assert {name for name, tool in TOOLS.items() if tool.access is Access.WRITE} == WRITES
    assert {name for name, tool in TOOLS.items() if tool.writes} == WRITES


def test_every_tool_belongs_to_some_tier() -> None:
    assert all(tool.tiers for tool in TOOLS.values())
    assert _names(AgentTier.SYSTEM) == {"get_customer_context", "escalate_to_human"}


# ---------------------------------------------------------------- narrowing edge cases

REQUIRED_ORDER_TOOLS = [
    "get_order_details",
    "check_fraud_score",
    "initiate_refund",
    "initiate_return",
]
OPTIONAL_ORDER_TOOLS = ["escalate_to_human", "send_notification"]
NO_ORDERS = Narrowing(order_ids=(), client_id="globex")


@pytest.mark.parametrize("name", REQUIRED_ORDER_TOOLS)
def test_required_order_id_with_no_orders_cannot_be_offered(name: str) -> None:
    with pytest.raises(NothingToNarrowTo):
        TOOLS[name].input_model_for(NO_ORDERS)
    with pytest.raises(NothingToNarrowTo):
        TOOLS[name].json_schema(NO_ORDERS)


@pytest.mark.parametrize("name", ["get_order_status", "get_delivery_photo", "get_eta"])
def test_required_awb_with_no_shipments_cannot_be_offered(name: str) -> None:
    with pytest.raises(NothingToNarrowTo):
        TOOLS[name].input_model_for(Narrowing(awbs=()))


@pytest.mark.parametrize("name", OPTIONAL_ORDER_TOOLS)
def test_optional_order_id_with_no_orders_is_null_only(
    compiler: xgr.GrammarCompiler, name: str
) -> None:
    schema = TOOLS[name].json_schema(NO_ORDERS)
    assert schema["properties"]["order_id"]["type"] == "null"
    assert "order_id" not in schema.get("required", [])

    base = {
        "escalate_to_human": _ESCALATION,
        "send_notification": {"channel": "email", "subject": "s", "body": "b"},
    }[name]
    model = TOOLS[name].input_model_for(NO_ORDERS)
    assert model.model_validate({**base, "order_id": None}).order_id is None  # type: ignore[attr-defined]
    assert model.model_validate(base).order_id is None  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        model.model_validate({**base, "order_id": ORDER_A})

    compiled = compiler.compile_json_schema(json.dumps(schema))
    assert grammar_accepts(compiled, json.dumps({**base, "order_id": None}))
    assert grammar_accepts(compiled, json.dumps(base))
    assert not grammar_accepts(compiled, json.dumps({**base, "order_id": ORDER_A}))


def test_narrowing_keeps_list_constraints() -> None:
    """Narrowing nested items must not drop the list's own min/max items."""
    base = TOOLS["initiate_return"].json_schema()["properties"]["items"]
    narrowed = TOOLS["initiate_return"].json_schema(NARROWING)["properties"]["items"]
    assert (narrowed["minItems"], narrowed["maxItems"]) == (base["minItems"], base["maxItems"])
    assert narrowed["items"]["properties"]["sku"] == {
        "const": SKU_A,
        "description": "SKU of an item in the order.",
        "type": "string",
    }


# ---------------------------------------------------------------- decoder_schema


def _walk_keys(node: Any, *, names: bool = False) -> Iterator[str]:
    """Every schema keyword in `node` (property names under `properties` are skipped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not names:
                yield key
            yield from _walk_keys(value, names=(key == "properties" and not names))
    elif isinstance(node, list):
        for value in node:
            yield from _walk_keys(value)


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name", list(TOOLS))
def test_decoder_schema_is_inlined(name: str, variant: str) -> None:
    schema = TOOLS[name].json_schema(VARIANTS[variant])
    keys = set(_walk_keys(schema))
    assert not keys & {"$ref", "$defs", "definitions", "title"}
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    # A plain-text scan as well: nothing anywhere mentions a reference.
    assert "$ref" not in json.dumps(schema)


def test_nested_model_refs_are_really_inlined() -> None:
    model = TOOLS["initiate_return"].input_model
    assert "$defs" in model.model_json_schema()  # pydantic does emit refs here...
    item = decoder_schema(model)["properties"]["items"]["items"]  # ...and they are resolved
    assert item["type"] == "object"
    assert set(item["properties"]) == {"sku", "quantity"}
    assert item["additionalProperties"] is False


class _Keywordish(BaseModel):
    title: str = Field(description="A property literally named 'title'.")
    type: int
    properties: list[str] = Field(default_factory=list)


class _KeywordHolder(BaseModel):
    title: str
    inner: _Keywordish
    description: str | None = None


def test_decoder_schema_keeps_keyword_named_properties(compiler: xgr.GrammarCompiler) -> None:
    schema = decoder_schema(_KeywordHolder)
    assert set(schema["properties"]) == {"title", "inner", "description"}
    assert schema["required"] == ["title", "inner"]
    inner = schema["properties"]["inner"]
    assert set(inner["properties"]) == {"title", "type", "properties"}
    assert inner["properties"]["title"] == {
        "description": "A property literally named 'title'.",
        "type": "string",
    }
    assert "title" not in inner  # the model's own title is a keyword and is dropped
    assert "$ref" not in json.dumps(schema)

    compiled = compiler.compile_json_schema(json.dumps(schema))
    good = {"title": "t", "inner": {"title": "x", "type": 3, "properties": ["a"]}}
    _KeywordHolder.model_validate(good)
    assert grammar_accepts(compiled, json.dumps(good))
    bad = {"title": "t", "inner": {"title": "x", "type": "three"}}
    with pytest.raises(ValidationError):
        _KeywordHolder.model_validate(bad)
    assert not grammar_accepts(compiled, json.dumps(bad))
