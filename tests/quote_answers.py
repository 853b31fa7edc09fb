"""Platform answers to a quote, as the contract types them, for unit tests of the agent's
reading around them (the reference platform's own answers are tested over HTTP in
tests/test_platform_quotes.py, and the whole graph asks the real service)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.agents.negotiation.eligibility import QuoteUnavailable
from app.platform.contract import ErrorCode, Quote, QuoteLine, QuoteRequest


class QuoteDesk:
    """Answers each quote from per-SKU verdicts and a refundable amount; records the asks."""

    def __init__(
        self,
        refundable: str = "100.00",
        *,
        prices: dict[str, str] | None = None,
        refused: dict[str, ErrorCode] | None = None,
        reason_refused: ErrorCode | None = None,
        down: str | None = None,
    ) -> None:
        self.refundable = Decimal(refundable)
        self.prices = {k: Decimal(v) for k, v in (prices or {}).items()}
        self.refused = refused or {}
        self.reason_refused = reason_refused
        self.down = down
        self.asked: list[QuoteRequest] = []

    async def __call__(self, request: QuoteRequest) -> Quote:
        self.asked.append(request)
        if self.down is not None:
            raise QuoteUnavailable(self.down)
        lines = [
            QuoteLine(
                sku=line.sku,
                quantity=line.quantity,
                eligible=line.sku not in self.refused,
                code=self.refused.get(line.sku),
                returnable_quantity=line.quantity,
                window_days=30,
                policy_code="P",
                value=self.prices.get(line.sku, Decimal("0")) * line.quantity,
            )
            for line in request.items
        ]
        accepted = sum((ln.value for ln in lines if ln.eligible), Decimal("0"))
        refund = request.action.value == "refund"
        code = self.reason_refused if refund else None
        if refund and code is None and self.refundable <= 0:
            code = ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE  # as the reference platform says it
        if not refund and not any(ln.eligible for ln in lines):
            code = next(iter(self.refused.values()))
        return Quote(
            order_id=request.order_id,
            action=request.action,
            reason_code=request.reason_code,
            eligible=code is None,
            code=code,
            message="test answer",
            max_amount=self.refundable if refund else min(accepted, self.refundable),
            currency="USD",
            lines=lines,
            quoted_at=datetime.now(UTC),
        )
