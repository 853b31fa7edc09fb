"""Business rules as pure functions: one behaviour per test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.platform import fraud, rules
from app.platform.contract import (
    Category,
    ErrorCode,
    FraudBand,
    ReasonCode,
    RefundStatus,
    Region,
    ShipmentStatus,
    Tier,
)
from app.platform.errors import PlatformError

CATEGORY_RULE = rules.CategoryRule(
    window_days=30,
    returnable=True,
    policy_code="GBX-US-ELEC-R30",
    tier_bonus_days={"Gold": 15, "Silver": 7},
)


def window(
    tier: Tier = Tier.STANDARD,
    sku_rules: tuple[rules.SkuRule, ...] = (),
    category_rule: rules.CategoryRule | None = CATEGORY_RULE,
    region: Region = Region.US,
):
    return rules.resolve_return_window(
        client_id="globex",
        sku="SKU-9942-B",
        category=Category.ELECTRONICS,
        region=region,
        tier=tier,
        category_rule=category_rule,
        sku_rules=list(sku_rules),
    )


def test_category_rule_adds_tier_bonus() -> None:
    assert window(Tier.STANDARD).window_days == 30
    assert window(Tier.SILVER).window_days == 37
    assert window(Tier.GOLD).window_days == 45
    assert window().basis == "category_rule"


def test_sku_rule_overrides_category_rule_without_tier_bonus() -> None:
    sku = rules.SkuRule(region="ALL", window_days=14, returnable=True, policy_code="GBX-9942-B")
    resolved = window(Tier.GOLD, (sku,))
    assert (resolved.window_days, resolved.basis, resolved.policy_code) == (
        14,
        "sku_rule",
        "GBX-9942-B",
    )


def test_region_specific_sku_rule_beats_all_regions_rule() -> None:
    everywhere = rules.SkuRule(region="ALL", window_days=14, returnable=True, policy_code="A")
    uk_only = rules.SkuRule(region="UK", window_days=28, returnable=True, policy_code="UK")
    assert window(region=Region.UK, sku_rules=(everywhere, uk_only)).window_days == 28
    assert window(region=Region.US, sku_rules=(everywhere, uk_only)).window_days == 14


def test_final_sale_sku_is_not_returnable() -> None:
    final = rules.SkuRule(region="ALL", window_days=0, returnable=False, policy_code="FINAL")
    resolved = window(sku_rules=(final,))
    assert not resolved.returnable and resolved.window_days == 0


def test_missing_category_rule_means_not_returnable() -> None:
    assert not window(category_rule=None).returnable


def test_refundable_ignores_rejected_and_holds_pending() -> None:
    total = Decimal("100.00")
    refunds = [
        (Decimal("30.00"), "approved"),
        (Decimal("20.00"), "pending"),
        (Decimal("50.00"), "rejected"),
    ]
    assert rules.refundable_amount(total, refunds) == Decimal("50.00")
    assert rules.refundable_amount(total, [(Decimal("120.00"), "approved")]) == Decimal("0.00")


def test_amount_over_refundable_is_a_typed_violation() -> None:
    with pytest.raises(PlatformError) as caught:
        rules.check_refund_amount(Decimal("50.01"), Decimal("50.00"))
    assert caught.value.status == 422
    assert caught.value.code == ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE
    assert caught.value.details["refundable"] == 50.0
    rules.check_refund_amount(Decimal("50.00"), Decimal("50.00"))


@pytest.mark.parametrize(
    ("reason", "states", "applies"),
    [
        (ReasonCode.DELIVERY_DISPUTE, [ShipmentStatus.DELIVERED], True),
        (ReasonCode.DELIVERY_DISPUTE, [ShipmentStatus.IN_TRANSIT], False),
        (ReasonCode.WRONG_ITEM, [ShipmentStatus.DELIVERED_DISPUTED], True),
        (ReasonCode.WRONG_ITEM, [ShipmentStatus.LOST], False),
        (ReasonCode.DELIVERY_FAILED, [ShipmentStatus.LOST], True),
        (ReasonCode.DELIVERY_FAILED, [ShipmentStatus.DELIVERED], False),
        (ReasonCode.CUSTOMER_REQUEST, [ShipmentStatus.IN_TRANSIT], True),
        (ReasonCode.CUSTOMER_REQUEST, [], True),
    ],
)
def test_reason_code_applicability(
    reason: ReasonCode, states: list[ShipmentStatus], applies: bool
) -> None:
    if applies:
        rules.check_reason_applicable(reason, states)
    else:
        with pytest.raises(PlatformError) as caught:
            rules.check_reason_applicable(reason, states)
        assert caught.value.code == ErrorCode.REASON_NOT_APPLICABLE


REFUND_RULE = rules.RefundRule(
    auto_approve_limit={"Gold": 500.0, "Standard": 100.0},
    review_settle_s=60,
    fraud_review_threshold=0.5,
    fraud_reject_threshold=0.85,
)


@pytest.mark.parametrize(
    ("amount", "tier", "score", "status", "outcome"),
    [
        ("50.00", Tier.STANDARD, 0.05, RefundStatus.APPROVED, None),
        ("150.00", Tier.STANDARD, 0.05, RefundStatus.PENDING, RefundStatus.APPROVED),
        ("150.00", Tier.GOLD, 0.05, RefundStatus.APPROVED, None),
        ("10.00", Tier.GOLD, 0.6, RefundStatus.PENDING, RefundStatus.APPROVED),
        ("10.00", Tier.GOLD, 0.75, RefundStatus.PENDING, RefundStatus.REJECTED),
        ("10.00", Tier.GOLD, 0.9, RefundStatus.REJECTED, None),
    ],
)
def test_refund_decision(
    amount: str, tier: Tier, score: float, status: RefundStatus, outcome: RefundStatus | None
) -> None:
    decision = rules.decide_refund(
        amount=Decimal(amount), tier=tier, fraud_score=score, rule=REFUND_RULE
    )
    assert (decision.status, decision.settle_outcome) == (status, outcome)


NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_return_window_counts_days_since_delivery() -> None:
    resolved = window()
    rules.check_return_window(resolved, NOW - timedelta(days=29), NOW)
    with pytest.raises(PlatformError) as caught:
        rules.check_return_window(resolved, NOW - timedelta(days=31), NOW)
    assert caught.value.code == ErrorCode.RETURN_WINDOW_EXPIRED
    assert caught.value.details["window_days"] == 30


def test_return_needs_delivery() -> None:
    with pytest.raises(PlatformError) as caught:
        rules.check_return_window(window(), None, NOW)
    assert caught.value.code == ErrorCode.ORDER_NOT_DELIVERED


def _features(**overrides: object) -> fraud.FraudFeatures:
    base: dict[str, object] = {
        "refunds_90d": 0,
        "refunded_total": Decimal("0"),
        "lifetime_spend": Decimal("800"),
        "disputes": 0,
        "account_age_days": 900.0,
        "order_value": Decimal("90"),
        "median_order_value": Decimal("90"),
    }
    base.update(overrides)
    return fraud.FraudFeatures(**base)  # type: ignore[arg-type]


def test_fraud_score_is_low_for_established_clean_customer() -> None:
    score, band, factors = fraud.score(_features())
    assert score < 0.1 and band is FraudBand.LOW
    assert {f.name for f in factors} >= {"refunds_90d", "account_newness", "refund_ratio"}


def test_fraud_score_is_high_for_new_account_with_repeated_disputed_refunds() -> None:
    score, band, _ = fraud.score(
        _features(
            refunds_90d=3,
            refunded_total=Decimal("600"),
            disputes=2,
            account_age_days=30.0,
            lifetime_spend=Decimal("900"),
        )
    )
    assert score >= 0.85 and band is FraudBand.HIGH


@pytest.mark.parametrize(
    "change",
    [
        {"refunds_90d": 2},
        {"disputes": 2},
        {"account_age_days": 20.0},
        {"order_value": Decimal("2000")},
        {"refunded_total": Decimal("400")},
    ],
)
def test_each_risk_factor_raises_the_score(change: dict[str, object]) -> None:
    baseline, _, _ = fraud.score(_features())
    raised, _, _ = fraud.score(_features(**change))
    assert raised > baseline
