"""Business rules of the reference platform, as pure functions over plain values.

They live next to the data (the service calls them inside its transactions) and never in a
model prompt: eligibility is decided here, not by an LLM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.platform.contract import (
    DELIVERED_STATES,
    Category,
    ErrorCode,
    ReasonCode,
    RefundStatus,
    Region,
    ReturnWindow,
    ShipmentStatus,
    Tier,
)
from app.platform.errors import rule_violation

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CategoryRule:
    window_days: int
    returnable: bool
    policy_code: str
    tier_bonus_days: dict[str, int]


@dataclass(frozen=True)
class SkuRule:
    region: str  # a Region value or "ALL"
    window_days: int
    returnable: bool
    policy_code: str


@dataclass(frozen=True)
class RefundRule:
    auto_approve_limit: dict[str, float]
    review_settle_s: float
    fraud_review_threshold: float
    fraud_reject_threshold: float


def resolve_return_window(
    *,
    client_id: str,
    sku: str,
    category: Category,
    region: Region,
    tier: Tier,
    category_rule: CategoryRule | None,
    sku_rules: Sequence[SkuRule],
) -> ReturnWindow:
    """A SKU rule for the region beats one for ALL regions, which beats the category rule."""
    by_region = {r.region: r for r in sku_rules}
    sku_rule = by_region.get(region.value) or by_region.get("ALL")
    if sku_rule is not None:
        return ReturnWindow(
            client_id=client_id,
            sku=sku,
            category=category,
            region=region,
            tier=tier,
            returnable=sku_rule.returnable,
            window_days=sku_rule.window_days if sku_rule.returnable else 0,
            policy_code=sku_rule.policy_code,
            basis="sku_rule",
        )
    if category_rule is None or not category_rule.returnable:
        return ReturnWindow(
            client_id=client_id,
            sku=sku,
            category=category,
            region=region,
            tier=tier,
            returnable=False,
            window_days=0,
            policy_code=category_rule.policy_code if category_rule else "NO-RULE",
            basis="category_rule",
        )
    bonus = category_rule.tier_bonus_days.get(tier.value, 0)
    return ReturnWindow(
        client_id=client_id,
        sku=sku,
        category=category,
        region=region,
        tier=tier,
        returnable=True,
        window_days=category_rule.window_days + bonus,
        policy_code=category_rule.policy_code,
        basis="category_rule",
    )


def refundable_amount(order_total: Decimal, refunds: Iterable[tuple[Decimal, str]]) -> Decimal:
    """What remains refundable: approved and pending refunds both hold money back."""
    held = sum(
        (amount for amount, status in refunds if status != RefundStatus.REJECTED.value), ZERO
    )
    return max(ZERO, order_total - held)


def check_refund_amount(amount: Decimal, refundable: Decimal) -> None:
    if amount > refundable:
        raise rule_violation(
            ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE,
            f"amount {amount} exceeds what remains refundable ({refundable})",
            refundable=float(refundable),
        )


# Which shipment states make each reason code applicable to an order.
_REASON_STATES: dict[ReasonCode, frozenset[ShipmentStatus]] = {
    ReasonCode.DELIVERY_DISPUTE: frozenset(DELIVERED_STATES),
    ReasonCode.WRONG_ITEM: frozenset(DELIVERED_STATES),
    ReasonCode.DELIVERY_FAILED: frozenset(
        {ShipmentStatus.LOST, ShipmentStatus.RETURNED, ShipmentStatus.DELAYED}
    ),
    ReasonCode.CUSTOMER_REQUEST: frozenset(ShipmentStatus),
}


def check_reason_applicable(reason: ReasonCode, shipment_states: Sequence[ShipmentStatus]) -> None:
    allowed = _REASON_STATES[reason]
    if reason is ReasonCode.CUSTOMER_REQUEST or any(s in allowed for s in shipment_states):
        return
    raise rule_violation(
        ErrorCode.REASON_NOT_APPLICABLE,
        f"{reason.value} does not apply to an order whose shipments are "
        f"{', '.join(sorted(s.value for s in shipment_states)) or 'not created'}",
        allowed_states=sorted(s.value for s in allowed),
    )


@dataclass(frozen=True)
class RefundDecision:
    status: RefundStatus
    reason: str
    settle_outcome: RefundStatus | None = None


def decide_refund(
    *, amount: Decimal, tier: Tier, fraud_score: float, rule: RefundRule
) -> RefundDecision:
    """Approve small low-risk refunds at once; hold larger or riskier ones for review, which
    settles later (approved unless the risk is high); reject the riskiest outright."""
    if fraud_score >= rule.fraud_reject_threshold:
        return RefundDecision(RefundStatus.REJECTED, "fraud_risk")
    limit = Decimal(str(rule.auto_approve_limit.get(tier.value, 0)))
    if fraud_score >= rule.fraud_review_threshold:
        outcome = RefundStatus.REJECTED if fraud_score >= 0.7 else RefundStatus.APPROVED
        return RefundDecision(RefundStatus.PENDING, "manual_review_fraud", outcome)
    if amount > limit:
        return RefundDecision(RefundStatus.PENDING, "manual_review_amount", RefundStatus.APPROVED)
    return RefundDecision(RefundStatus.APPROVED, "auto_approved")


def check_return_window(window: ReturnWindow, delivered_at: datetime | None, now: datetime) -> None:
    if not window.returnable:
        raise rule_violation(
            ErrorCode.ITEM_NOT_RETURNABLE,
            f"{window.sku} is not returnable ({window.policy_code})",
            sku=window.sku,
            policy_code=window.policy_code,
        )
    if delivered_at is None:
        raise rule_violation(
            ErrorCode.ORDER_NOT_DELIVERED, "a return can start once the order is delivered"
        )
    age_days = (now - delivered_at).total_seconds() / 86400
    if age_days > window.window_days:
        raise rule_violation(
            ErrorCode.RETURN_WINDOW_EXPIRED,
            f"the {window.window_days}-day return window for {window.sku} has ended",
            sku=window.sku,
            window_days=window.window_days,
            days_since_delivery=int(age_days),
            policy_code=window.policy_code,
        )
