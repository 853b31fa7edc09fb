"""The facts one turn read, in the shape the claim checker compares sentences against.

Built from the tool outputs of this turn (the platform's contract types, or their JSON as the
tool layer returned it) and, for tracking, the hydrated context block. Shipments named by a tool
output are the turn's *focus*: a sentence that names no order or parcel speaks about them, not
about every order in the context block.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from app.platform.contract import (
    REGION_TIMEZONES,
    DeliveryPhoto,
    Eta,
    Notification,
    Order,
    OrderSummary,
    Refund,
    Return,
    Shipment,
    ShipmentStatus,
    Ticket,
)
from app.tools.definitions import TOOLS, CustomerContext

# Writes whose success output proves the agent did the action this turn.
ACTION_OF_TOOL = {
    "initiate_refund": "refund",
    "initiate_return": "return",
    "escalate_to_human": "escalate",
    "send_notification": "notify",
}


@dataclass(frozen=True)
class Stop:
    """One timeline event: when, what, where ("Manchester depot"), in the platform's words."""

    at: datetime
    status: ShipmentStatus
    location: str
    description: str


@dataclass
class ShipmentFact:
    awb: str
    order_id: str | None
    status: ShipmentStatus
    focus: bool
    carrier: str | None = None
    eta: datetime | None = None
    delivered_at: datetime | None = None
    signed_by: str | None = None
    photo_ref: str | None = None
    photo_taken_at: datetime | None = None
    events: list[tuple[datetime, ShipmentStatus]] = field(default_factory=list)
    # Every timeline event with where it happened and the platform's words for it.
    stops: list[Stop] = field(default_factory=list)
    # The platform's own words for its latest event ("Arrived at sorting facility").
    event_texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EntityFact:
    """A refund, return or ticket: its id, its status, and when it was made."""

    kind: str  # "refund" | "return" | "ticket"
    entity_id: str
    order_id: str | None
    status: str
    created_at: datetime | None


@dataclass
class TurnFacts:
    now: datetime
    timezone: ZoneInfo
    shipments: dict[str, ShipmentFact] = field(default_factory=dict)
    orders: dict[str, datetime | None] = field(default_factory=dict)  # order id -> placed_at
    entities: list[EntityFact] = field(default_factory=list)
    amounts: set[tuple[Decimal, str]] = field(default_factory=set)  # (amount, currency)
    totals: set[tuple[Decimal, str]] = field(default_factory=set)  # orders' totals only
    # What each order can still refund: "the refundable amount is £40.99" said of a line's
    # price is no refundable amount.
    refundables: set[tuple[Decimal, str]] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)  # "refund", "return", "escalate", "notify"
    channels: set[str] = field(default_factory=set)  # notification channels sent this turn
    text: str = ""  # every fact as text, for the whole-token look-ups of last resort

    # ------------------------------------------------------------------ building

    @classmethod
    def from_outputs(
        cls,
        outputs: Iterable[tuple[str, object]],
        *,
        now: datetime | None = None,
        timezone: str | None = None,
        context: CustomerContext | None = None,
    ) -> TurnFacts:
        """`outputs` are (tool name, output) pairs; dict outputs are validated as that tool's
        output model, so the eval's JSON and the live turn go through the same contract."""
        zone = timezone
        if zone is None and context is not None:
            zone = REGION_TIMEZONES[context.region]
        facts = cls(now=(now or datetime.now(UTC)), timezone=ZoneInfo(zone or "UTC"))
        texts: list[str] = []
        for tool, raw in outputs:
            output = _typed(tool, raw)
            texts.append(_as_text(output))
            facts._add(tool, output, focus=True)
        if context is not None:
            texts.append(context.model_dump_json())
            for summary in context.active_orders:
                facts._add_summary(summary)
        facts.text = "\n".join(texts)
        return facts

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> TurnFacts:
        """The eval's line format: {"as_of", "timezone", "outputs": [{"tool", "output"}],
        "context"?}."""
        context = payload.get("context")
        return cls.from_outputs(
            [(o["tool"], o["output"]) for o in payload.get("outputs", [])],
            now=datetime.fromisoformat(payload["as_of"]),
            timezone=payload.get("timezone"),
            context=CustomerContext.model_validate(context) if context else None,
        )

    def _add(self, tool: str, output: object, *, focus: bool) -> None:
        if tool in ACTION_OF_TOOL:
            self.actions.add(ACTION_OF_TOOL[tool])
        match output:
            case Shipment():
                fact = self._shipment(output.awb, output.order_id, output.status, focus)
                fact.carrier = output.carrier
                fact.eta, fact.delivered_at = output.eta, output.delivered_at
                fact.signed_by, fact.photo_ref = output.signed_by, output.photo_ref
                fact.events = [(e.at, e.status) for e in output.timeline]
                fact.stops = [
                    Stop(e.at, e.status, e.location or "", e.description or "")
                    for e in output.timeline
                ]
                # Only the latest event says what is true now: "Out for delivery" quoted from
                # an earlier event of a delivered parcel would be a false present-tense claim.
                latest = max(output.timeline, key=lambda e: e.at, default=None)
                fact.event_texts = [latest.description] if latest else []
            case Eta():
                fact = self._shipment(output.awb, None, output.status, focus)
                fact.eta, fact.delivered_at = output.eta, output.delivered_at
                self.timezone = ZoneInfo(output.timezone)
            case DeliveryPhoto():
                fact = self._shipment(output.awb, None, ShipmentStatus.DELIVERED, focus)
                fact.photo_ref, fact.photo_taken_at = output.photo_ref, output.taken_at
                fact.signed_by = output.signed_by or fact.signed_by
            case Order():
                self._add_order(output, focus)
            case Refund():
                self._entity(
                    "refund", output.refund_id, output.order_id, output.status, output.created_at
                )
                self.amounts.add((output.amount, output.currency))
            case Return():
                self._entity(
                    "return", output.return_id, output.order_id, output.status, output.created_at
                )
                self.ids.update(line.sku for line in output.items)
                self._order_amount(output.order_id, output.refund_on_receipt)
            case Ticket():
                self._entity(
                    "ticket", output.ticket_id, output.order_id, output.status, output.created_at
                )
            case Notification():
                self.channels.add(output.channel.value)
                self.ids.add(output.notification_id)
            case CustomerContext():
                for summary in output.active_orders:
                    self._add_summary(summary)

    def _shipment(
        self, awb: str, order_id: str | None, status: ShipmentStatus, focus: bool
    ) -> ShipmentFact:
        fact = self.shipments.get(awb)
        if fact is None:
            fact = self.shipments[awb] = ShipmentFact(awb, order_id, status, focus)
        fact.status, fact.focus = status, fact.focus or focus
        fact.order_id = fact.order_id or order_id
        self.ids.update(i for i in (awb, order_id) if i)
        return fact

    def _add_order(self, order: Order, focus: bool) -> None:
        self.orders[order.order_id] = order.placed_at
        self.ids.add(order.order_id)
        for amount in (order.total, order.refunded, order.refundable):
            self.amounts.add((amount, order.currency))
        self.totals.add((order.total, order.currency))
        self.refundables.add((order.refundable, order.currency))
        for item in order.items:
            self.ids.add(item.sku)
            self.amounts.add((item.unit_price, order.currency))
            self.amounts.add((item.unit_price * item.quantity, order.currency))
        for shipment in order.shipments:
            self._add(f"order:{order.order_id}", shipment, focus=focus)

    def _add_summary(self, summary: OrderSummary) -> None:
        self.orders.setdefault(summary.order_id, summary.placed_at)
        self.ids.add(summary.order_id)
        self.amounts.add((summary.total, summary.currency))
        self.totals.add((summary.total, summary.currency))
        for brief in summary.shipments:
            fact = self._shipment(brief.awb, summary.order_id, brief.status, focus=False)
            fact.eta = fact.eta or brief.eta
            fact.delivered_at = fact.delivered_at or brief.delivered_at

    def _entity(
        self, kind: str, entity_id: str, order_id: str | None, status: str, at: datetime
    ) -> None:
        self.ids.update(i for i in (entity_id, order_id) if i)
        self.entities.append(EntityFact(kind, entity_id, order_id, str(status), at))

    def _order_amount(self, order_id: str, amount: Decimal) -> None:
        currencies = {c for _, c in self.amounts} or {""}
        for currency in currencies:
            self.amounts.add((amount, currency))
        self.ids.add(order_id)

    # ------------------------------------------------------------------ asking

    def shipments_named(self, ids: Iterable[str]) -> list[ShipmentFact]:
        wanted = set(ids)
        return [s for s in self.shipments.values() if s.awb in wanted or s.order_id in wanted]

    def in_scope(self, named: Iterable[str]) -> list[ShipmentFact]:
        """The shipments a sentence speaks about: those it names, else the turn's focus."""
        named = list(named)
        if named:
            return self.shipments_named(named)
        focus = [s for s in self.shipments.values() if s.focus]
        return focus or list(self.shipments.values())

    def entities_of(self, kind: str, named: Iterable[str]) -> list[EntityFact]:
        wanted = set(named)
        of_kind = [e for e in self.entities if e.kind == kind]
        by_id = [e for e in of_kind if e.entity_id in wanted]
        return by_id or of_kind

    @property
    def currencies(self) -> set[str]:
        return {c for _, c in self.amounts if c}


def _typed(tool: str, raw: object) -> object:
    if isinstance(raw, BaseModel) or tool not in TOOLS:
        return raw
    return TOOLS[tool].output_model.model_validate(raw)


def _as_text(output: object) -> str:
    if isinstance(output, BaseModel):
        return output.model_dump_json()
    return json.dumps(output, default=str)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(zone)
