"""Deterministic answers to tracking questions, rendered from one tool output and nothing else.

Every fact in these sentences (status, carrier, times, who signed, the photo reference) comes
from the platform's response; a missing field is left out, never filled in. Next steps only
offer what the agent can actually do (report a delivery problem, start a refund request, hand
over to a colleague).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.platform.contract import (
    REGION_TIMEZONES,
    DeliveryPhoto,
    Eta,
    Region,
    Shipment,
    ShipmentStatus,
)

_TIME_FORMAT = "%a %d %b %Y, %H:%M %Z"  # the platform's own eta_local format

_LOST_NEXT_STEP = (
    "I'm sorry about this. If you'd like, I can start a refund request for it, "
    "or pass it to a colleague."
)
_MISSING_NEXT_STEP = "If you can't find it, tell me and I'll help you report it."
_RETURNED_NEXT_STEP = "If you didn't expect that, I can pass it to a colleague."
_DISPUTE_NEXT_STEP = "If you'd like an update on the investigation, I can pass it to a colleague."


def local_time(moment: datetime, timezone: str) -> str:
    if moment.tzinfo is None:  # the platform speaks UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).strftime(_TIME_FORMAT)


def _subject(order_id: str, awb: str) -> str:
    return f"Your order {order_id} (tracking {awb})"


def _latest_update(shipment: Shipment, timezone: str) -> str:
    if not shipment.timeline:
        return ""
    event = max(shipment.timeline, key=lambda e: e.at)
    return (
        f" Latest update: {event.description}, {event.location} ({local_time(event.at, timezone)})."
    )


def _estimate(shipment: Shipment, timezone: str, wording: str) -> str:
    return f" {wording} {local_time(shipment.eta, timezone)}." if shipment.eta else ""


def render_status(shipment: Shipment, order_id: str, region: Region) -> str:
    tz = REGION_TIMEZONES[region]
    subject = _subject(order_id, shipment.awb)
    carrier = shipment.carrier
    match shipment.status:
        case ShipmentStatus.LABEL_CREATED:
            return (
                f"{subject} has a shipping label with {carrier} and is waiting to be collected."
                + _estimate(shipment, tz, "The current delivery estimate is")
            )
        case ShipmentStatus.IN_TRANSIT:
            return (
                f"{subject} is on its way with {carrier}."
                + _latest_update(shipment, tz)
                + _estimate(shipment, tz, "It's expected by")
            )
        case ShipmentStatus.OUT_FOR_DELIVERY:
            return f"{subject} is out for delivery with {carrier}." + _estimate(
                shipment, tz, "It's expected by"
            )
        case ShipmentStatus.DELAYED:
            return (
                f"{subject} is delayed."
                + _latest_update(shipment, tz)
                + _estimate(shipment, tz, "The carrier's new estimate is")
                + " Sorry for the wait. If it hasn't arrived by then, tell me and I'll pass it"
                " to a colleague to chase with the carrier."
            )
        case ShipmentStatus.LOST:
            return (
                f"{subject} has been declared lost by {carrier}."
                + _latest_update(shipment, tz)
                + f" {_LOST_NEXT_STEP}"
            )
        case ShipmentStatus.DELIVERED:
            return f"{subject} {_delivered_clause(shipment, tz)}. {_MISSING_NEXT_STEP}"
        case ShipmentStatus.DELIVERED_DISPUTED:
            return (
                f"{subject} {_delivered_clause(shipment, tz)}, and a delivery dispute is open"
                " for it." + _latest_update(shipment, tz) + f" {_DISPUTE_NEXT_STEP}"
            )
        case ShipmentStatus.RETURNED:
            return (
                f"{subject} was returned to the sender."
                + _latest_update(shipment, tz)
                + f" {_RETURNED_NEXT_STEP}"
            )
    raise ValueError(f"no wording for shipment status {shipment.status!r}")  # pragma: no cover


def _delivered_clause(shipment: Shipment, timezone: str) -> str:
    clause = "was marked as delivered"
    if shipment.delivered_at is not None:
        clause += f" on {local_time(shipment.delivered_at, timezone)}"
    if shipment.signed_by:
        clause += f", signed for by {shipment.signed_by}"
    return clause


def render_eta(eta: Eta, order_id: str) -> str:
    subject = _subject(order_id, eta.awb)
    if eta.status is ShipmentStatus.RETURNED:
        return f"{subject} was returned to the sender. {_RETURNED_NEXT_STEP}"
    if eta.delivered_at is not None:
        delivered = (
            f"{subject} was marked as delivered on {local_time(eta.delivered_at, eta.timezone)}"
        )
        if eta.status is ShipmentStatus.DELIVERED_DISPUTED:
            return f"{delivered}, and a delivery dispute is open for it. {_DISPUTE_NEXT_STEP}"
        return f"{delivered}. {_MISSING_NEXT_STEP}"
    if eta.status is ShipmentStatus.LOST:
        return (
            f"{subject} has been declared lost by the carrier, so there is no delivery"
            f" estimate. {_LOST_NEXT_STEP}"
        )
    if eta.eta_local is None:
        return (
            f"There's no delivery estimate for your order {order_id} (tracking {eta.awb}) yet;"
            f" it is currently {_STATUS_WORDS[eta.status]}."
        )
    match eta.status:
        case ShipmentStatus.OUT_FOR_DELIVERY:
            return f"{subject} is out for delivery and expected by {eta.eta_local}."
        case ShipmentStatus.DELAYED:
            return (
                f"{subject} is delayed; the carrier's latest estimate is {eta.eta_local}."
                " Sorry for the wait."
            )
        case _:
            return f"{subject} is expected to arrive by {eta.eta_local}."


_STATUS_WORDS: dict[ShipmentStatus, str] = {
    ShipmentStatus.LABEL_CREATED: "waiting to be collected by the carrier",
    ShipmentStatus.IN_TRANSIT: "in transit",
    ShipmentStatus.OUT_FOR_DELIVERY: "out for delivery",
    ShipmentStatus.DELAYED: "delayed",
    ShipmentStatus.DELIVERED: "delivered",
    ShipmentStatus.DELIVERED_DISPUTED: "under a delivery dispute",
    ShipmentStatus.LOST: "declared lost",
    ShipmentStatus.RETURNED: "returned to the sender",
}


def render_photo(photo: DeliveryPhoto, order_id: str, region: Region) -> str:
    taken = local_time(photo.taken_at, REGION_TIMEZONES[region])
    signed = f", signed for by {photo.signed_by}" if photo.signed_by else ""
    return (
        f"Here's the proof of delivery for your order {order_id} (tracking {photo.awb}):"
        f" photo {photo.photo_ref}, taken {taken}{signed}."
        " If that isn't where you expected your parcel, tell me and I'll help you report it."
    )


def render_output(output: object, order_id: str, region: Region) -> str | None:
    """The answer for whichever tracking read produced `output`; None for anything else."""
    if isinstance(output, Shipment):
        return render_status(output, order_id, region)
    if isinstance(output, Eta):
        return render_eta(output, order_id)
    if isinstance(output, DeliveryPhoto):
        return render_photo(output, order_id, region)
    return None
