"""The platform's quote (a dry run of a refund or return) over real HTTP: it answers what the
write then accepts or refuses, with the write's own codes, and writes nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from app.platform.client import PlatformClient
from app.platform.contract import (
    ErrorCode,
    FaultSpec,
    QuoteAction,
    QuoteRequest,
    ReasonCode,
    RefundRequest,
    ReturnLine,
    ReturnRequest,
    ShipmentStatus,
)
from app.platform.errors import PlatformError
from tests import special_cases as special
from tests.fixtures import SeedIndex


def key() -> str:
    return f"test-{uuid.uuid4()}"


def refund_quote(order_id: str, reason: ReasonCode, amount: str | None = None) -> QuoteRequest:
    return QuoteRequest(
        order_id=order_id,
        action=QuoteAction.REFUND,
        reason_code=reason,
        amount=Decimal(amount) if amount else None,
    )


def return_quote(order_id: str, *skus: str) -> QuoteRequest:
    return QuoteRequest(
        order_id=order_id,
        action=QuoteAction.RETURN,
        reason_code=ReasonCode.CUSTOMER_REQUEST,
        items=[ReturnLine(sku=s, quantity=1) for s in skus],
    )


async def test_a_refund_quote_gives_the_ceiling_the_write_then_holds_to(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    order_id = pick.order.order_id
    quote = await platform.quote(pick.who, refund_quote(order_id, ReasonCode.WRONG_ITEM))
    assert quote.eligible and quote.code is None
    assert quote.max_amount == (await platform.get_order(pick.who, order_id)).refundable
    # Nothing was written by asking.
    assert await platform.list_order_refunds(pick.who, order_id) == []
    over = quote.max_amount + Decimal("0.01")
    asked_over = await platform.quote(
        pick.who, refund_quote(order_id, ReasonCode.WRONG_ITEM, str(over))
    )
    assert (asked_over.eligible, asked_over.code) == (False, ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE)
    with pytest.raises(PlatformError) as refused:
        await platform.create_refund(
            pick.who,
            RefundRequest(order_id=order_id, amount=over, reason_code=ReasonCode.WRONG_ITEM),
            idempotency_key=key(),
        )
    assert refused.value.code == asked_over.code
    made = await platform.create_refund(
        pick.who,
        RefundRequest(
            order_id=order_id, amount=quote.max_amount, reason_code=ReasonCode.WRONG_ITEM
        ),
        idempotency_key=key(),
    )
    assert made.amount == quote.max_amount
    after = await platform.quote(pick.who, refund_quote(order_id, ReasonCode.WRONG_ITEM))
    assert (after.eligible, after.max_amount, after.code) == (
        False,
        Decimal("0.00"),
        ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE,
    )


async def test_a_reason_the_order_does_not_fit_is_refused_as_the_write_refuses_it(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    moving = seed.take(ShipmentStatus.IN_TRANSIT)
    quote = await platform.quote(
        moving.who, refund_quote(moving.order.order_id, ReasonCode.WRONG_ITEM)
    )
    assert (quote.eligible, quote.code) == (False, ErrorCode.REASON_NOT_APPLICABLE)
    with pytest.raises(PlatformError) as refused:
        await platform.create_refund(
            moving.who,
            RefundRequest(
                order_id=moving.order.order_id,
                amount=Decimal("1.00"),
                reason_code=ReasonCode.WRONG_ITEM,
            ),
            idempotency_key=key(),
        )
    assert refused.value.code == quote.code


@pytest.mark.usefixtures("special_cases_loaded")
async def test_a_return_quote_names_each_line_and_the_write_accepts_exactly_the_eligible_ones(
    platform: PlatformClient,
) -> None:
    # Delivered 20 days ago: SKU-9942-A has 30 days (unless another test returned it
    # already), SKU-9942-B has 14 and is out of its window either way.
    who, order_id = special.LOOKALIKE, special.LOOKALIKE_ORDER
    quote = await platform.quote(who, return_quote(order_id, "SKU-9942-A", "SKU-9942-B"))
    lines = {line.sku: line for line in quote.lines}
    assert (lines["SKU-9942-B"].eligible, lines["SKU-9942-B"].code) == (
        False,
        ErrorCode.RETURN_WINDOW_EXPIRED,
    )
    assert (lines["SKU-9942-B"].window_days, lines["SKU-9942-A"].window_days) == (14, 30)
    with pytest.raises(PlatformError) as whole:
        await platform.create_return(
            who,
            ReturnRequest(
                order_id=order_id,
                items=[ReturnLine(sku=s, quantity=1) for s in lines],
                reason_code=ReasonCode.CUSTOMER_REQUEST,
            ),
            idempotency_key=key(),
        )
    assert whole.value.code in {str(line.code) for line in quote.lines if line.code}
    if lines["SKU-9942-A"].eligible:
        assert quote.eligible and quote.max_amount == Decimal("49.99")
        made = await platform.create_return(
            who,
            ReturnRequest(
                order_id=order_id,
                items=[ReturnLine(sku="SKU-9942-A", quantity=1)],
                reason_code=ReasonCode.CUSTOMER_REQUEST,
            ),
            idempotency_key=key(),
        )
        assert made.refund_on_receipt == quote.max_amount
    again = await platform.quote(who, return_quote(order_id, "SKU-9942-A"))
    assert (again.eligible, again.code, again.lines[0].returnable_quantity) == (
        False,
        ErrorCode.QUANTITY_EXCEEDS_RETURNABLE,
        0,
    )


async def test_return_quotes_on_undelivered_orders_and_foreign_items(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    moving = seed.take(ShipmentStatus.IN_TRANSIT)
    sku = moving.order.items[0].sku
    quote = await platform.quote(moving.who, return_quote(moving.order.order_id, sku))
    assert (quote.eligible, quote.code, quote.max_amount) == (
        False,
        ErrorCode.ORDER_NOT_DELIVERED,
        Decimal("0.00"),
    )
    delivered = seed.take(ShipmentStatus.DELIVERED)
    foreign = await platform.quote(
        delivered.who, return_quote(delivered.order.order_id, "SKU-0000-Z")
    )
    assert (foreign.eligible, foreign.lines[0].code) == (False, ErrorCode.ITEM_NOT_IN_ORDER)


async def test_a_quote_is_scoped_to_the_customer_and_checked_for_shape(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    owner = seed.take(ShipmentStatus.DELIVERED)
    intruder = seed.other_customer_same_client(owner.who)
    with pytest.raises(PlatformError) as not_theirs:
        await platform.quote(intruder, refund_quote(owner.order.order_id, ReasonCode.WRONG_ITEM))
    assert (not_theirs.value.status, not_theirs.value.code) == (404, "order_not_found")
    mixed = QuoteRequest(
        order_id=owner.order.order_id,
        action=QuoteAction.REFUND,
        reason_code=ReasonCode.WRONG_ITEM,
        items=[ReturnLine(sku=owner.order.items[0].sku, quantity=1)],
    )
    with pytest.raises(PlatformError) as invalid:
        await platform.quote(owner.who, mixed)
    assert (invalid.value.status, invalid.value.code) == (422, "invalid_request")
    with pytest.raises(PlatformError) as empty:
        await platform.quote(owner.who, return_quote(owner.order.order_id))
    assert empty.value.code == "invalid_request"


async def test_an_injected_outage_of_the_quote_comes_back_as_unavailable(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    await platform.set_fault("quote_resolution", FaultSpec(fail_first=1))
    with pytest.raises(PlatformError) as down:
        await platform.quote(pick.who, refund_quote(pick.order.order_id, ReasonCode.WRONG_ITEM))
    assert down.value.transient
