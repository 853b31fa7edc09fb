"""Order summaries as the case reader sees them (no platform): shared by the case-reader tests."""

from __future__ import annotations

from datetime import UTC, datetime

from app.platform.contract import OrderSummary, ShipmentBrief, ShipmentStatus


def summary_order(
    order_id: str, names: list[str], status: ShipmentStatus = ShipmentStatus.DELIVERED
) -> OrderSummary:
    return OrderSummary(
        order_id=order_id,
        placed_at=datetime(2026, 11, 1, tzinfo=UTC),
        total=10,
        currency="USD",
        item_names=names,
        shipments=[ShipmentBrief(awb=f"AWB-{order_id[4:]}000", status=status)],
    )
