"""Fraud score for a refund on one order, computed from the customer's record.

A logistic model over a handful of features an order platform already has. The weights are
set by hand (there is no labelled fraud data here) so that an established customer with a
clean history scores low and a new account with repeated refunds on high-value orders scores
high; every factor's contribution is returned so a reviewer can see why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from app.platform.contract import FraudBand, FraudFactor

_BIAS = -3.2
_WEIGHTS = {
    # Refunds in the last 90 days: each one raises risk, with diminishing returns.
    "refunds_90d": 0.9,
    # Share of lifetime spend that was refunded (0..1).
    "refund_ratio": 3.0,
    # Deliveries this customer disputed.
    "disputes": 0.8,
    # New accounts are riskier: 1.0 for a brand-new account, 0 from one year on.
    "account_newness": 1.8,
    # This order against the customer's typical order (log ratio, capped).
    "order_value_outlier": 0.9,
    # High absolute value (log10 of amount over 500, floor 0).
    "high_value": 1.2,
}

REVIEW_BAND = 0.3
HIGH_BAND = 0.7


@dataclass(frozen=True)
class FraudFeatures:
    refunds_90d: int
    refunded_total: Decimal
    lifetime_spend: Decimal
    disputes: int
    account_age_days: float
    order_value: Decimal
    median_order_value: Decimal


def score(features: FraudFeatures) -> tuple[float, FraudBand, list[FraudFactor]]:
    values = {
        "refunds_90d": math.log1p(features.refunds_90d) / math.log(2),
        "refund_ratio": (
            float(features.refunded_total / features.lifetime_spend)
            if features.lifetime_spend > 0
            else 0.0
        ),
        "disputes": float(min(features.disputes, 5)),
        "account_newness": max(0.0, 1.0 - features.account_age_days / 365.0),
        "order_value_outlier": (
            min(2.0, max(0.0, math.log(float(features.order_value / features.median_order_value))))
            if features.median_order_value > 0 and features.order_value > 0
            else 0.0
        ),
        "high_value": max(0.0, math.log10(max(float(features.order_value), 1.0) / 500.0)),
    }
    factors = [
        FraudFactor(name=name, value=round(value, 4), contribution=round(_WEIGHTS[name] * value, 4))
        for name, value in values.items()
    ]
    logit = _BIAS + sum(f.contribution for f in factors)
    probability = 1.0 / (1.0 + math.exp(-logit))
    probability = round(probability, 4)
    band = (
        FraudBand.HIGH
        if probability >= HIGH_BAND
        else FraudBand.MEDIUM
        if probability >= REVIEW_BAND
        else FraudBand.LOW
    )
    return probability, band, factors
