"""The reference platform over real HTTP: auth, isolation, business rules, idempotency, faults."""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import (
    ErrorCode,
    FaultSpec,
    NotificationChannel,
    NotificationRequest,
    ReasonCode,
    RefundRequest,
    RefundStatus,
    ReturnLine,
    ReturnRequest,
    ShipmentStatus,
    TicketRequest,
    Tier,
)
from app.platform.errors import PlatformError
from app.platform.service import create_app
from app.platform.settings import PlatformSettings
from tests import special_cases as special
from tests.fixtures import SeedIndex
from tests.platform_server import ADMIN_KEY, API_KEY, RunningPlatform


def key() -> str:
    return f"test-{uuid.uuid4()}"


async def error_of(awaitable: object) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value


def refund(order_id: str, amount: str, reason: ReasonCode = ReasonCode.WRONG_ITEM) -> RefundRequest:
    return RefundRequest(order_id=order_id, amount=Decimal(amount), reason_code=reason)


# ---------------------------------------------------------------- authentication


async def test_missing_or_wrong_service_key_is_401(platform_server: RunningPlatform) -> None:
    async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
        missing = await http.get("/v1/orders")
        wrong = await http.get("/v1/orders", headers={"Authorization": "Bearer nope"})
        admin_with_service_key = await http.get(
            "/v1/admin/faults", headers={"Authorization": f"Bearer {API_KEY}"}
        )
    for response in (missing, wrong, admin_with_service_key):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


async def test_health_endpoints(platform_server: RunningPlatform) -> None:
    async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/readyz")).json() == {"status": "ready"}


# ---------------------------------------------------------------- isolation


async def test_another_customers_order_and_awb_are_not_found(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    owner = seed.take(ShipmentStatus.DELIVERED)
    intruder = seed.other_customer_same_client(owner.who)
    order_id, awb = owner.order.order_id, owner.shipment.awb

    assert (await platform.get_order(owner.who, order_id)).order_id == order_id
    errors = [
        await error_of(platform.get_order(intruder, order_id)),
        await error_of(platform.get_shipment(intruder, awb)),
        await error_of(platform.get_delivery_photo(intruder, awb)),
        await error_of(platform.get_fraud_score(intruder, order_id)),
        await error_of(
            platform.create_refund(intruder, refund(order_id, "1.00"), idempotency_key=key())
        ),
    ]
    assert [e.status for e in errors] == [404] * 5
    assert {e.code for e in errors} == {"order_not_found", "shipment_not_found"}
    assert await platform.list_order_refunds(owner.who, order_id) == []


async def test_not_yours_and_nonexistent_look_identical(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    owner = seed.take(ShipmentStatus.IN_TRANSIT)
    intruder = seed.other_customer_same_client(owner.who)
    not_yours = await error_of(platform.get_shipment(intruder, owner.shipment.awb))
    absent = await error_of(platform.get_shipment(intruder, "AWB-0000000000"))
    assert (not_yours.status, not_yours.code, not_yours.message) == (
        absent.status,
        absent.code,
        absent.message,
    )


async def test_another_tenants_awb_is_not_found(platform: PlatformClient, seed: SeedIndex) -> None:
    owner = seed.take(ShipmentStatus.DELIVERED, client_id="globex")
    other_tenant = seed.customer_of_other_client(owner.who)
    error = await error_of(platform.get_shipment(other_tenant, owner.shipment.awb))
    assert (error.status, error.code) == (404, "shipment_not_found")


async def test_customer_claimed_under_the_wrong_client_is_not_found(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    owner = seed.take(ShipmentStatus.DELIVERED, client_id="northwind")
    spoofed = CustomerRef("globex", owner.who.customer_id)
    error = await error_of(platform.get_order(spoofed, owner.order.order_id))
    assert (error.status, error.code) == (404, "customer_not_found")


async def test_another_customers_refund_id_is_not_found(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    owner = seed.take(ShipmentStatus.DELIVERED)
    created = await platform.create_refund(
        owner.who, refund(owner.order.order_id, "1.00"), idempotency_key=key()
    )
    intruder = seed.other_customer_same_client(owner.who)
    error = await error_of(platform.get_refund(intruder, created.refund_id))
    assert (error.status, error.code) == (404, "refund_not_found")


# ---------------------------------------------------------------- reads


async def test_shipment_status_matches_the_record(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    for state in (
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.DELAYED,
        ShipmentStatus.LOST,
        ShipmentStatus.DELIVERED_DISPUTED,
        ShipmentStatus.RETURNED,
    ):
        pick = seed.take(state)
        shipment = await platform.get_shipment(pick.who, pick.shipment.awb)
        assert shipment.status is state
        assert shipment.order_id == pick.order.order_id
        assert shipment.timeline, "every shipment has a status timeline"


async def test_active_orders_include_orders_in_flight(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    active = await platform.list_orders(pick.who, active_only=True)
    assert pick.order.order_id in {o.order_id for o in active}
    assert [o.placed_at for o in active] == sorted((o.placed_at for o in active), reverse=True)


async def test_delivery_photo_only_once_delivered(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    delivered = seed.take(ShipmentStatus.DELIVERED)
    photo = await platform.get_delivery_photo(delivered.who, delivered.shipment.awb)
    assert photo.photo_ref.startswith("pod://") and photo.signed_by
    moving = seed.take(ShipmentStatus.IN_TRANSIT)
    error = await error_of(platform.get_delivery_photo(moving.who, moving.shipment.awb))
    assert (error.status, error.code) == (409, "photo_not_available")


async def test_eta_is_rendered_in_the_regions_time_zone(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    eta = await platform.get_eta(pick.who, pick.shipment.awb)
    assert eta.region == pick.customer.region and eta.eta is not None
    assert eta.timezone in {"America/New_York", "Europe/London", "Europe/Berlin"}
    assert eta.eta_local and eta.eta_local[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}


@pytest.mark.usefixtures("special_cases_loaded")
async def test_lookalike_skus_have_their_own_return_windows(platform: PlatformClient) -> None:
    a = await platform.get_return_window(special.LOOKALIKE, "SKU-9942-A")
    b = await platform.get_return_window(special.LOOKALIKE, "SKU-9942-B")
    assert (a.window_days, a.basis) == (30, "sku_rule")
    assert (b.window_days, b.basis) == (14, "sku_rule")
    assert a.policy_code != b.policy_code


async def test_return_window_follows_tier_for_category_rules(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED, client_id="globex")
    sku = next(i.sku for i in pick.order.items if not i.sku.startswith("SKU-9942"))
    windows = {
        tier: (await platform.get_return_window(pick.who, sku, tier)).window_days for tier in Tier
    }
    assert windows[Tier.GOLD] > windows[Tier.SILVER] > windows[Tier.STANDARD] > 0
    error = await error_of(platform.get_return_window(pick.who, "SKU-0000-Z"))
    assert (error.status, error.code) == (404, "sku_not_found")


# ---------------------------------------------------------------- refund rules


async def test_refund_needs_an_idempotency_key(
    platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
        response = await http.post(
            "/v1/refunds",
            headers={"Authorization": f"Bearer {API_KEY}", **pick.who.headers()},
            json={"order_id": pick.order.order_id, "amount": 1.0, "reason_code": "WRONG_ITEM"},
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 1.0, "reason_code": "GOODWILL"},
        {"amount": 1.001, "reason_code": "WRONG_ITEM"},
        {"amount": -5, "reason_code": "WRONG_ITEM"},
        {"amount": 1.0, "reason_code": "WRONG_ITEM", "account": "X"},
        {"reason_code": "WRONG_ITEM"},
    ],
    ids=["unknown-reason", "three-decimals", "negative", "extra-field", "missing-amount"],
)
async def test_malformed_refunds_are_422_with_a_code(
    platform_server: RunningPlatform, seed: SeedIndex, body: dict[str, object]
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
        response = await http.post(
            "/v1/refunds",
            headers={
                "Authorization": f"Bearer {API_KEY}",
                "Idempotency-Key": key(),
                **pick.who.headers(),
            },
            json={"order_id": pick.order.order_id, **body},
        )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["details"]["errors"]


async def test_validation_errors_do_not_echo_the_input(
    platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    secret = "maria.lopez@example.org"
    async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
        response = await http.post(
            "/v1/tickets",
            headers={
                "Authorization": f"Bearer {API_KEY}",
                "Idempotency-Key": key(),
                **pick.who.headers(),
            },
            json={"reason": "x", "summary": "s", "order_id": secret},
        )
    assert response.status_code == 422 and secret not in response.text


async def test_refund_cannot_exceed_what_remains_refundable(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(
        ShipmentStatus.DELIVERED, client_id="globex", where=lambda c, o: c.tier is Tier.GOLD
    )
    order = await platform.get_order(pick.who, pick.order.order_id)
    half = (order.total / 2).quantize(Decimal("0.01"))
    first = await platform.create_refund(
        pick.who, refund(order.order_id, str(half)), idempotency_key=key()
    )
    assert first.status in (RefundStatus.APPROVED, RefundStatus.PENDING)
    after = await platform.get_order(pick.who, order.order_id)
    assert after.refundable == order.total - half
    error = await error_of(
        platform.create_refund(
            pick.who,
            refund(order.order_id, str(after.refundable + Decimal("0.01"))),
            idempotency_key=key(),
        )
    )
    assert (error.status, error.code) == (422, "amount_exceeds_refundable")
    assert Decimal(str(error.details["refundable"])) == after.refundable


async def test_reason_code_must_fit_the_shipment(platform: PlatformClient, seed: SeedIndex) -> None:
    moving = seed.take(ShipmentStatus.IN_TRANSIT)
    error = await error_of(
        platform.create_refund(
            moving.who,
            refund(moving.order.order_id, "1.00", ReasonCode.DELIVERY_DISPUTE),
            idempotency_key=key(),
        )
    )
    assert (error.status, error.code) == (422, "reason_not_applicable")
    lost = seed.take(ShipmentStatus.LOST)
    ok = await platform.create_refund(
        lost.who,
        refund(lost.order.order_id, "1.00", ReasonCode.DELIVERY_FAILED),
        idempotency_key=key(),
    )
    assert ok.reason_code is ReasonCode.DELIVERY_FAILED


@pytest.mark.usefixtures("special_cases_loaded")
async def test_high_fraud_risk_refund_is_rejected(platform: PlatformClient) -> None:
    score = await platform.get_fraud_score(special.HIGH_RISK, special.HIGH_RISK_ORDER)
    assert score.score >= 0.85 and score.band == "high"
    result = await platform.create_refund(
        special.HIGH_RISK,
        refund(special.HIGH_RISK_ORDER, "10.00", ReasonCode.DELIVERY_DISPUTE),
        idempotency_key=key(),
    )
    assert (result.status, result.decision_reason) == (RefundStatus.REJECTED, "fraud_risk")
    order = await platform.get_order(special.HIGH_RISK, special.HIGH_RISK_ORDER)
    assert order.refundable == order.total, "a rejected refund holds nothing back"


async def test_clean_customer_scores_low(platform: PlatformClient, seed: SeedIndex) -> None:
    pick = seed.take(
        ShipmentStatus.DELIVERED,
        where=lambda c, o: c.customer_id not in {r.customer_id for r in seed.dataset.refunds},
    )
    score = await platform.get_fraud_score(pick.who, pick.order.order_id)
    assert score.score < 0.3 and score.band == "low"


async def test_large_refund_is_pending_then_settles_approved(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(
        ShipmentStatus.DELIVERED,
        client_id="globex",
        where=lambda c, o: (
            c.tier is Tier.STANDARD and sum(i.unit_price * i.quantity for i in o.items) > 150
        ),
    )
    await platform.set_fault("create_refund", FaultSpec(settle_after_s=0.3))
    created = await platform.create_refund(
        pick.who, refund(pick.order.order_id, "120.00"), idempotency_key=key()
    )
    assert (created.status, created.decision_reason) == (
        RefundStatus.PENDING,
        "manual_review_amount",
    )
    await asyncio.sleep(0.4)
    settled = await platform.get_refund(pick.who, created.refund_id)
    assert settled.status is RefundStatus.APPROVED and settled.settled_at is not None


async def test_refund_accepted_as_pending_can_later_be_rejected(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    await platform.set_fault(
        "create_refund", FaultSpec(pending_then_reject=True, settle_after_s=0.2)
    )
    created = await platform.create_refund(
        pick.who, refund(pick.order.order_id, "2.00"), idempotency_key=key()
    )
    assert created.status is RefundStatus.PENDING
    assert (await platform.get_order(pick.who, pick.order.order_id)).refunded == Decimal("2.00")
    await asyncio.sleep(0.3)
    settled = await platform.get_refund(pick.who, created.refund_id)
    assert settled.status is RefundStatus.REJECTED
    order = await platform.get_order(pick.who, pick.order.order_id)
    assert order.refunded == Decimal("0.00") and order.refundable == order.total


# ---------------------------------------------------------------- idempotency


async def test_same_key_twice_gives_one_refund(
    platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": key(), **pick.who.headers()}
    body = {"order_id": pick.order.order_id, "amount": 3.5, "reason_code": "WRONG_ITEM"}
    async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
        first = await http.post("/v1/refunds", headers=headers, json=body)
        second = await http.post("/v1/refunds", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert (first.headers["Idempotent-Replayed"], second.headers["Idempotent-Replayed"]) == (
        "false",
        "true",
    )


async def test_concurrent_duplicates_write_once(platform: PlatformClient, seed: SeedIndex) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    shared_key = key()
    results = await asyncio.gather(
        *(
            platform.create_refund(
                pick.who, refund(pick.order.order_id, "4.00"), idempotency_key=shared_key
            )
            for _ in range(8)
        )
    )
    assert len({r.refund_id for r in results}) == 1
    assert len(await platform.list_order_refunds(pick.who, pick.order.order_id)) == 1


async def test_reusing_a_key_for_another_request_is_refused(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    shared_key = key()
    await platform.create_refund(
        pick.who, refund(pick.order.order_id, "1.00"), idempotency_key=shared_key
    )
    error = await error_of(
        platform.create_refund(
            pick.who, refund(pick.order.order_id, "2.00"), idempotency_key=shared_key
        )
    )
    assert (error.status, error.code) == (422, "idempotency_key_reused")
    assert len(await platform.list_order_refunds(pick.who, pick.order.order_id)) == 1


async def test_idempotency_keys_are_scoped_per_client(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    first = seed.take(ShipmentStatus.DELIVERED, client_id="northwind")
    second = seed.take(ShipmentStatus.DELIVERED, client_id="kestrel")
    shared_key = key()
    a = await platform.create_refund(
        first.who, refund(first.order.order_id, "1.00"), idempotency_key=shared_key
    )
    b = await platform.create_refund(
        second.who, refund(second.order.order_id, "1.00"), idempotency_key=shared_key
    )
    assert a.refund_id != b.refund_id


# ---------------------------------------------------------------- fault injection


async def test_injected_latency(platform: PlatformClient, seed: SeedIndex) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    await platform.set_fault("get_shipment", FaultSpec(latency_ms=300))
    started = time.perf_counter()
    await platform.get_shipment(pick.who, pick.shipment.awb)
    assert time.perf_counter() - started >= 0.3


async def test_injected_5xx_first_n_then_recovers(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    await platform.set_fault("get_shipment", FaultSpec(fail_first=2, error_status=502))
    for _ in range(2):
        error = await error_of(platform.get_shipment(pick.who, pick.shipment.awb))
        assert (error.status, error.code, error.transient) == (502, "injected_fault", True)
    assert (await platform.get_shipment(pick.who, pick.shipment.awb)).awb == pick.shipment.awb


async def test_injected_error_rate(platform: PlatformClient, seed: SeedIndex) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    await platform.set_fault("get_eta", FaultSpec(error_rate=0.5, seed=3))
    outcomes = []
    for _ in range(30):
        try:
            await platform.get_eta(pick.who, pick.shipment.awb)
            outcomes.append(True)
        except PlatformError as exc:
            assert exc.status == 503
            outcomes.append(False)
    assert 5 <= outcomes.count(False) <= 25


async def test_injected_timeout(platform_server: RunningPlatform, seed: SeedIndex) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    async with PlatformClient(
        platform_server.base_url, API_KEY, admin_key=ADMIN_KEY, timeout_s=0.3
    ) as impatient:
        await impatient.set_fault("get_order", FaultSpec(timeout_s=1.0))
        try:
            error = await error_of(impatient.get_order(pick.who, pick.order.order_id))
        finally:
            await impatient.clear_faults()
    assert (error.status, error.code, error.transient) == (504, "timeout", True)


async def test_lost_response_commits_and_the_same_key_recovers_it(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED)
    await platform.set_fault("create_refund", FaultSpec(lose_response_first=1))
    shared_key = key()
    request = refund(pick.order.order_id, "5.00")
    error = await error_of(platform.create_refund(pick.who, request, idempotency_key=shared_key))
    assert (error.status, error.code) == (504, "response_lost")
    committed = await platform.list_order_refunds(pick.who, pick.order.order_id)
    assert len(committed) == 1, "the write committed although its response was lost"
    recovered = await platform.create_refund(pick.who, request, idempotency_key=shared_key)
    assert recovered.refund_id == committed[0].refund_id
    assert len(await platform.list_order_refunds(pick.who, pick.order.order_id)) == 1


async def test_fault_on_unknown_operation_is_refused(platform: PlatformClient) -> None:
    error = await error_of(platform.set_fault("create_refundz", FaultSpec(fail_first=1)))
    assert error.status == 404 and "create_refund" in error.details["operations"]


# ---------------------------------------------------------------- returns


@pytest.mark.usefixtures("special_cases_loaded")
async def test_return_windows_apply_per_sku(platform: PlatformClient) -> None:
    # Delivered 20 days ago: SKU-9942-A (30 days) may go back, SKU-9942-B (14 days) may not.
    ok = await platform.create_return(
        special.LOOKALIKE,
        ReturnRequest(
            order_id=special.LOOKALIKE_ORDER,
            items=[ReturnLine(sku="SKU-9942-A", quantity=1)],
            reason_code=ReasonCode.CUSTOMER_REQUEST,
        ),
        idempotency_key=key(),
    )
    assert ok.status == "approved" and ok.refund_on_receipt == Decimal("49.99")
    error = await error_of(
        platform.create_return(
            special.LOOKALIKE,
            ReturnRequest(
                order_id=special.LOOKALIKE_ORDER,
                items=[ReturnLine(sku="SKU-9942-B", quantity=1)],
                reason_code=ReasonCode.CUSTOMER_REQUEST,
            ),
            idempotency_key=key(),
        )
    )
    assert (error.code, error.details["window_days"]) == ("return_window_expired", 14)
    again = await error_of(
        platform.create_return(
            special.LOOKALIKE,
            ReturnRequest(
                order_id=special.LOOKALIKE_ORDER,
                items=[ReturnLine(sku="SKU-9942-A", quantity=1)],
                reason_code=ReasonCode.CUSTOMER_REQUEST,
            ),
            idempotency_key=key(),
        )
    )
    assert again.code == ErrorCode.QUANTITY_EXCEEDS_RETURNABLE


@pytest.mark.usefixtures("special_cases_loaded")
async def test_final_sale_item_is_not_returnable(platform: PlatformClient) -> None:
    error = await error_of(
        platform.create_return(
            special.FINAL_SALE,
            ReturnRequest(
                order_id=special.FINAL_SALE_ORDER,
                items=[ReturnLine(sku="SKU-5100-C", quantity=1)],
                reason_code=ReasonCode.CUSTOMER_REQUEST,
            ),
            idempotency_key=key(),
        )
    )
    assert (error.status, error.code) == (422, "item_not_returnable")


async def test_return_rules_on_seeded_orders(platform: PlatformClient, seed: SeedIndex) -> None:
    moving = seed.take(ShipmentStatus.IN_TRANSIT)
    not_delivered = await error_of(
        platform.create_return(
            moving.who,
            ReturnRequest(
                order_id=moving.order.order_id,
                items=[ReturnLine(sku=moving.order.items[0].sku, quantity=1)],
                reason_code=ReasonCode.CUSTOMER_REQUEST,
            ),
            idempotency_key=key(),
        )
    )
    assert not_delivered.code == "order_not_delivered"
    delivered = seed.take(ShipmentStatus.DELIVERED)
    wrong_item = await error_of(
        platform.create_return(
            delivered.who,
            ReturnRequest(
                order_id=delivered.order.order_id,
                items=[ReturnLine(sku="SKU-0000-Z", quantity=1)],
                reason_code=ReasonCode.WRONG_ITEM,
            ),
            idempotency_key=key(),
        )
    )
    assert wrong_item.code == "item_not_in_order"


# ---------------------------------------------------------------- notifications and tickets


async def test_ticket_and_notification_round_trip(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED_DISPUTED)
    ticket = await platform.create_ticket(
        pick.who,
        TicketRequest(
            reason="customer_request",
            summary="Customer disputes delivery.",
            order_id=pick.order.order_id,
            session_id="s-1",
            decision_trace=["get_order_status: delivered_disputed"],
        ),
        idempotency_key=key(),
    )
    assert ticket.ticket_id.startswith("TCK-") and ticket.status == "open"
    assert (await platform.get_ticket(pick.who, ticket.ticket_id)).summary == ticket.summary
    queue = await platform.list_tickets(pick.who.client_id)
    assert ticket.ticket_id in {t.ticket_id for t in queue}
    assert all(t.client_id == pick.who.client_id for t in queue)
    # A support agent reads one ticket by id, within their tenant only.
    read = await platform.get_client_ticket(pick.who.client_id, ticket.ticket_id)
    assert read.ticket_id == ticket.ticket_id and read.summary == ticket.summary
    other_client = next(c for c in ("northwind", "globex", "kestrel") if c != pick.who.client_id)
    with pytest.raises(PlatformError) as refused:
        await platform.get_client_ticket(other_client, ticket.ticket_id)
    assert refused.value.status == 404 and refused.value.code == "ticket_not_found"

    sent = await platform.send_notification(
        pick.who,
        NotificationRequest(
            channel=NotificationChannel.EMAIL,
            subject="Your case",
            body="We are looking into it.",
            order_id=pick.order.order_id,
        ),
        idempotency_key=key(),
    )
    assert sent.notification_id in {
        n.notification_id for n in await platform.list_notifications(pick.who)
    }


# ---------------------------------------------------------------- contract and data format


def test_openapi_documents_every_operation_and_the_error_body() -> None:
    document = create_app(PlatformSettings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {
        "get_shipment",
        "get_delivery_photo",
        "get_eta",
        "get_return_window",
        "get_fraud_score",
        "create_refund",
        "create_return",
        "create_notification",
        "create_ticket",
        "list_orders",
        "set_fault",
        "import_dataset",
    } <= operations
    refund_post = document["paths"]["/v1/refunds"]["post"]
    assert "422" in refund_post["responses"] and "404" in refund_post["responses"]
    params = {p["name"] for p in refund_post["parameters"]}
    assert {"Idempotency-Key", "x-client-id", "x-customer-id"} <= {
        p.lower() if p.startswith("x-") else p for p in params
    } | {p.lower() for p in params}
    assert "ErrorResponse" in document["components"]["schemas"]


async def test_export_is_per_client_and_in_the_import_format(platform: PlatformClient) -> None:
    exported = await platform.export_dataset("kestrel")
    assert exported.customers and {c.client_id for c in exported.customers} == {"kestrel"}
    assert {o.client_id for o in exported.orders} == {"kestrel"}
    assert all(o.shipments for o in exported.orders)
