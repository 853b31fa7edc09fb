"""The tool executor against a real platform server: tiers, validation, retries, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest

from app.platform.client import PlatformClient
from app.platform.contract import (
    ACTIVE_STATES,
    FaultSpec,
    ReasonCode,
    Refund,
    Shipment,
    ShipmentStatus,
)
from app.tools import (
    TOOLS,
    AgentTier,
    CustomerContext,
    Narrowing,
    ToolContext,
    ToolExecutor,
    ToolFailure,
    ToolResult,
    ToolSuccess,
)
from app.tools.executor import ExecutorSettings, idempotency_key
from tests.fixtures import Pick, SeedIndex
from tests.platform_server import TEST_WRITE_DEADLINE_S

SETTINGS = ExecutorSettings(
    read_timeout_s=1.0,
    write_timeout_s=TEST_WRITE_DEADLINE_S,
    read_attempts=3,
    write_attempts=3,
    backoff_initial_s=0.01,
    backoff_max_s=0.05,
)


@pytest.fixture
def executor() -> ToolExecutor:
    return ToolExecutor(SETTINGS)


def ctx_for(pick: Pick, platform: PlatformClient, session_id: str | None = None) -> ToolContext:
    return ToolContext(
        who=pick.who, session_id=session_id or f"sess-{uuid.uuid4().hex[:12]}", platform=platform
    )


def refund_args(
    pick: Pick, amount: float = 1.0, reason: ReasonCode | None = None
) -> dict[str, Any]:
    if reason is None:
        reason = (
            ReasonCode.DELIVERY_FAILED
            if pick.shipment.status is ShipmentStatus.LOST
            else ReasonCode.DELIVERY_DISPUTE
        )
    return {"order_id": pick.order.order_id, "amount": amount, "reason_code": reason.value}


def own_orders(pick: Pick) -> Narrowing:
    return Narrowing(
        order_ids=(pick.order.order_id,),
        awbs=(pick.shipment.awb,),
        client_id=pick.who.client_id,
        max_amount=Decimal("5.00"),
    )


async def refunds_on(platform: PlatformClient, pick: Pick) -> list[Refund]:
    return await platform.list_order_refunds(pick.who, pick.order.order_id)


def success(result: ToolResult) -> ToolSuccess:
    assert isinstance(result, ToolSuccess), result
    return result


def failure(result: ToolResult) -> ToolFailure:
    assert isinstance(result, ToolFailure), result
    return result


# ---------------------------------------------------------------- reads


async def test_tracking_read_returns_the_shipment(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    result = success(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.TRACKING,
            "get_order_status",
            {"awb": pick.shipment.awb},
            own_orders(pick),
        )
    )
    assert result.attempts == 1
    assert result.idempotency_key is None
    assert isinstance(result.output, Shipment)
    assert result.output.awb == pick.shipment.awb
    assert result.output.order_id == pick.order.order_id
    assert result.output.status is ShipmentStatus.IN_TRANSIT

    delivered = seed.take(ShipmentStatus.DELIVERED)
    other = success(
        await executor.execute(
            ctx_for(delivered, platform),
            AgentTier.TRACKING,
            "get_order_status",
            {"awb": delivered.shipment.awb},
        )
    )
    assert other.output.status is ShipmentStatus.DELIVERED  # type: ignore[attr-defined]


async def test_another_customers_awb_is_not_found_and_not_retried(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    mine = seed.take(ShipmentStatus.DELIVERED)
    theirs = seed.take(
        ShipmentStatus.DELIVERED,
        client_id=mine.who.client_id,
        where=lambda c, _: c.customer_id != mine.who.customer_id,
    )
    result = failure(
        await executor.execute(
            ctx_for(mine, platform),
            AgentTier.TRACKING,
            "get_order_status",
            {"awb": theirs.shipment.awb},
        )
    )
    assert result.code == "shipment_not_found"
    assert result.attempts == 1
    assert not result.retryable
    assert not result.outcome_unknown


async def test_read_retries_transient_failures(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    await platform.set_fault("get_shipment", FaultSpec(fail_first=2))
    result = success(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.TRACKING,
            "get_order_status",
            {"awb": pick.shipment.awb},
        )
    )
    assert result.attempts == 3
    assert result.output.awb == pick.shipment.awb  # type: ignore[attr-defined]


async def test_read_gives_up_after_read_attempts(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    await platform.set_fault("get_shipment", FaultSpec(fail_first=10))
    result = failure(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.TRACKING,
            "get_order_status",
            {"awb": pick.shipment.awb},
        )
    )
    assert result.code == "injected_fault"
    assert result.retryable
    assert not result.outcome_unknown  # a read changes nothing
    assert result.attempts == SETTINGS.read_attempts


async def test_read_timeout(platform: PlatformClient, seed: SeedIndex) -> None:
    executor = ToolExecutor(
        ExecutorSettings(
            read_timeout_s=0.15, read_attempts=2, backoff_initial_s=0.01, backoff_max_s=0.05
        )
    )
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    await platform.set_fault("get_shipment", FaultSpec(timeout_s=1.0))
    result = failure(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.TRACKING,
            "get_order_status",
            {"awb": pick.shipment.awb},
        )
    )
    assert result.code == "timeout"
    assert result.retryable
    assert result.attempts == 2
    assert result.latency_ms < 900  # the executor's timeout fired, not the server's hold


async def test_policy_search_without_backend_is_unavailable(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    result = failure(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.POLICY,
            "search_policy_kb",
            {
                "query": "how long do refunds take?",
                "client_id": pick.who.client_id,
                "region": pick.customer.region.value,
            },
        )
    )
    assert result.code == "unavailable"
    assert not result.outcome_unknown


async def test_customer_context_from_system_tier(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    result = success(
        await executor.execute(
            ctx_for(pick, platform), AgentTier.SYSTEM, "get_customer_context", {}
        )
    )
    context = result.output
    assert isinstance(context, CustomerContext)
    assert context.customer_id == pick.who.customer_id
    assert context.client_id == pick.who.client_id
    assert context.tier is pick.customer.tier
    assert context.region is pick.customer.region
    assert pick.order.order_id in {o.order_id for o in context.active_orders}
    for order in context.active_orders:  # in flight, or delivered lately
        assert any(s.status in ACTIVE_STATES or s.delivered_at for s in order.shipments)

    pii = {"name", "email", "phone"}
    assert not pii & set(TOOLS["get_customer_context"].output_model.model_fields)
    dumped = result.to_dict()["output"]
    assert not pii & set(dumped)
    assert pick.customer.email not in str(dumped)


async def test_customer_context_is_not_offered_to_agent_tiers(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    result = failure(
        await executor.execute(
            ctx_for(pick, platform), AgentTier.TRACKING, "get_customer_context", {}
        )
    )
    assert result.code == "tool_not_allowed"


# ---------------------------------------------------------------- refused before running


async def test_write_tool_not_allowed_for_tracking_tier(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    result = failure(
        await executor.execute(
            ctx_for(pick, platform), AgentTier.TRACKING, "initiate_refund", refund_args(pick)
        )
    )
    assert result.code == "tool_not_allowed"
    assert result.attempts == 0
    assert await refunds_on(platform, pick) == []


async def test_unknown_tool(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    result = failure(
        await executor.execute(ctx_for(pick, platform), AgentTier.NEGOTIATION, "drop_database", {})
    )
    assert result.code == "unknown_tool"
    assert result.tool == "drop_database"


@pytest.mark.parametrize(
    "case", ["bad_reason_code", "malformed_json", "amount_over_narrowed_max", "extra_customer_id"]
)
async def test_invalid_arguments_write_nothing(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor, case: str
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    arguments: dict[str, Any] | str
    if case == "bad_reason_code":
        arguments = {**refund_args(pick), "reason_code": "CHANGED_MIND"}
    elif case == "malformed_json":
        arguments = f'{{"order_id": "{pick.order.order_id}", "amount": 1.0, "reason_code": '
    elif case == "amount_over_narrowed_max":
        arguments = refund_args(pick, amount=5.01)  # own_orders() caps at 5.00
    else:
        arguments = {**refund_args(pick), "customer_id": pick.who.customer_id}
    result = failure(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.NEGOTIATION,
            "initiate_refund",
            arguments,
            own_orders(pick),
        )
    )
    assert result.code == "invalid_arguments"
    assert result.attempts == 0
    assert not result.outcome_unknown
    assert await refunds_on(platform, pick) == []


async def test_another_customers_order_is_invalid_when_narrowed(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    mine = seed.take(ShipmentStatus.DELIVERED)
    theirs = seed.take(
        ShipmentStatus.DELIVERED,
        client_id=mine.who.client_id,
        where=lambda c, _: c.customer_id != mine.who.customer_id,
    )
    result = failure(
        await executor.execute(
            ctx_for(mine, platform),
            AgentTier.NEGOTIATION,
            "initiate_refund",
            refund_args(theirs),
            own_orders(mine),
        )
    )
    assert result.code == "invalid_arguments"
    assert result.details["errors"][0]["loc"] == ["order_id"]
    assert await refunds_on(platform, theirs) == []
    assert await refunds_on(platform, mine) == []


# ---------------------------------------------------------------- writes


async def test_lost_write_response_is_replayed_with_the_same_key(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    await platform.set_fault("create_refund", FaultSpec(lose_response_first=1))
    result = success(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.NEGOTIATION,
            "initiate_refund",
            refund_args(pick),
            own_orders(pick),
        )
    )
    assert result.attempts == 2
    assert result.idempotency_key is not None and result.idempotency_key.startswith("osa-")
    refund = result.output
    assert isinstance(refund, Refund)
    assert refund.amount == Decimal("1.00")
    refunds = await refunds_on(platform, pick)
    assert [r.refund_id for r in refunds] == [refund.refund_id]


async def test_write_that_keeps_failing_has_unknown_outcome(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.LOST)
    await platform.set_fault("create_refund", FaultSpec(fail_first=10))
    result = failure(
        await executor.execute(
            ctx_for(pick, platform), AgentTier.NEGOTIATION, "initiate_refund", refund_args(pick)
        )
    )
    assert result.outcome_unknown
    assert result.retryable
    assert result.code == "injected_fault"
    assert result.attempts == SETTINGS.write_attempts
    assert result.idempotency_key is not None
    assert await refunds_on(platform, pick) == []


async def test_rule_violation_is_final(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    result = failure(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.NEGOTIATION,
            "initiate_refund",
            refund_args(pick, amount=99_999.0),  # no narrowing: only the platform's rule stops it
        )
    )
    assert result.code == "amount_exceeds_refundable"
    assert result.attempts == 1
    assert not result.outcome_unknown
    assert not result.retryable
    assert "refundable" in result.details
    assert await refunds_on(platform, pick) == []


async def test_reason_must_fit_the_shipment_state(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    result = failure(
        await executor.execute(
            ctx_for(pick, platform),
            AgentTier.NEGOTIATION,
            "initiate_refund",
            refund_args(pick, reason=ReasonCode.WRONG_ITEM),
        )
    )
    assert result.code == "reason_not_applicable"
    assert result.attempts == 1
    assert await refunds_on(platform, pick) == []


async def test_same_session_same_args_writes_once(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    ctx = ctx_for(pick, platform, "sess-repeat")
    args = refund_args(pick)

    first = success(await executor.execute(ctx, AgentTier.NEGOTIATION, "initiate_refund", args))
    again = success(await executor.execute(ctx, AgentTier.NEGOTIATION, "initiate_refund", args))
    burst = await asyncio.gather(
        *(executor.execute(ctx, AgentTier.NEGOTIATION, "initiate_refund", args) for _ in range(5))
    )
    results = [first, again, *(success(r) for r in burst)]

    refund_ids = {r.output.refund_id for r in results}  # type: ignore[attr-defined]
    keys = {r.idempotency_key for r in results}
    assert len(refund_ids) == 1
    assert len(keys) == 1
    refunds = await refunds_on(platform, pick)
    assert [r.refund_id for r in refunds] == list(refund_ids)
    assert refunds[0].status.value in {"approved", "pending", "rejected"}


async def test_concurrent_first_calls_write_once(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.LOST)
    ctx = ctx_for(pick, platform)
    results = await asyncio.gather(
        *(
            executor.execute(ctx, AgentTier.NEGOTIATION, "initiate_refund", refund_args(pick))
            for _ in range(5)
        )
    )
    refund_ids = {success(r).output.refund_id for r in results}  # type: ignore[attr-defined]
    assert len(refund_ids) == 1
    assert [r.refund_id for r in await refunds_on(platform, pick)] == list(refund_ids)


async def test_different_session_gets_a_different_key(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    args = refund_args(pick)
    one = success(
        await executor.execute(
            ctx_for(pick, platform, "sess-one"), AgentTier.NEGOTIATION, "initiate_refund", args
        )
    )
    two = success(
        await executor.execute(
            ctx_for(pick, platform, "sess-two"), AgentTier.NEGOTIATION, "initiate_refund", args
        )
    )
    assert one.idempotency_key != two.idempotency_key
    assert one.output.refund_id != two.output.refund_id  # type: ignore[attr-defined]
    assert len(await refunds_on(platform, pick)) == 2

    # The key is a pure function of (client, customer, session, tool, arguments).
    model = TOOLS["initiate_refund"].input_model.model_validate(args)
    ctx = ctx_for(pick, platform, "sess-one")
    assert idempotency_key(ctx, "initiate_refund", model) == one.idempotency_key
    assert idempotency_key(ctx, "initiate_return", model) != one.idempotency_key


# ---------------------------------------------------------------- keys name what is done


def _key(
    pick: Pick, platform: PlatformClient, session: str, tool: str, args: Any, scope: Any
) -> str:
    model = TOOLS[tool].input_model.model_validate(args)
    return idempotency_key(ctx_for(pick, platform, session), tool, model, scope)


def test_the_key_is_the_proposal_and_its_terms_not_the_session(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    args = refund_args(pick)
    one = _key(pick, platform, "sess-a", "initiate_refund", args, "prop-1")
    # The same proposal carried out from another session (a replica, a restart): one write.
    assert _key(pick, platform, "sess-b", "initiate_refund", args, "prop-1") == one
    # A second proposal with identical terms is a second decision: a second write.
    assert _key(pick, platform, "sess-a", "initiate_refund", args, "prop-2") != one
    # Each term is part of what is written.
    for changed in (
        {**args, "amount": float(args["amount"]) / 2},
        {
            **args,
            "reason_code": "DELIVERY_DISPUTE"
            if args["reason_code"] != "DELIVERY_DISPUTE"
            else "DELIVERY_FAILED",
        },
    ):
        assert _key(pick, platform, "sess-a", "initiate_refund", changed, "prop-1") != one
    assert _key(pick, platform, "sess-a", "initiate_refund", args, None) != one


def test_a_return_key_ignores_the_order_items_were_listed_in(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    lines = [{"sku": "SKU-1000-A", "quantity": 1}, {"sku": "SKU-2000-B", "quantity": 2}]
    base = {"order_id": pick.order.order_id, "reason_code": "CUSTOMER_REQUEST"}
    forward = _key(pick, platform, "s", "initiate_return", {**base, "items": lines}, "p")
    backward = _key(pick, platform, "s", "initiate_return", {**base, "items": lines[::-1]}, "p")
    fewer = _key(pick, platform, "s", "initiate_return", {**base, "items": lines[:1]}, "p")
    assert forward == backward and forward != fewer


async def test_two_proposals_with_the_same_terms_are_two_refunds(
    platform: PlatformClient, seed: SeedIndex, executor: ToolExecutor
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    args = refund_args(pick, amount=1.0)
    ctx = ctx_for(pick, platform, "sess-two-proposals")
    run = executor.execute
    one = success(await run(ctx, AgentTier.NEGOTIATION, "initiate_refund", args, scope="p1"))
    replay = success(await run(ctx, AgentTier.NEGOTIATION, "initiate_refund", args, scope="p1"))
    two = success(await run(ctx, AgentTier.NEGOTIATION, "initiate_refund", args, scope="p2"))
    assert one.output.refund_id == replay.output.refund_id  # type: ignore[attr-defined]
    assert one.output.refund_id != two.output.refund_id  # type: ignore[attr-defined]
    assert len(await refunds_on(platform, pick)) == 2
