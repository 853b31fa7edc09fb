"""Real tool outputs for the claim checker's dev set, read from the seeded reference platform.

The seed (`app/platform/seed.py`, seed 7) is loaded into a temporary SQLite database with its
timestamps left at the seed's own `as_of`, and the platform service answers in-process over
its HTTP contract. Every output comes through the tool executor (`app/tools`), the same path the
agents use: shipment reads of every status, ETAs, delivery photos, order details, and the
writes an action claim needs (a refund, a return, an escalation ticket, an email).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.platform import db
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import ShipmentStatus
from app.platform.dataset import OrderRecord, PlatformDataset, load_dataset
from app.platform.queries import REGION_TIMEZONES
from app.platform.seed import SEED_AS_OF, generate
from app.platform.service import create_app
from app.platform.settings import PlatformSettings
from app.tools import AgentTier, ToolContext, ToolExecutor, ToolSuccess

API_KEY, ADMIN_KEY = "claims-eval-key", "claims-eval-admin"
PER_STATUS = 3


@dataclass
class Scene:
    """One turn's facts as the eval line stores them, plus the record it came from."""

    facts: dict[str, Any]
    order: OrderRecord
    status: ShipmentStatus


def _pick(dataset: PlatformDataset, offset: int = 0) -> list[tuple[OrderRecord, int]]:
    """PER_STATUS single-shipment orders of every status, spread over clients and regions;
    `offset` shifts the pick, so a held-out set reads other orders than the dev set."""
    chosen: list[tuple[OrderRecord, int]] = []
    customers = {c.customer_id: c for c in dataset.customers}
    for status in ShipmentStatus:
        found = [
            o for o in dataset.orders if len(o.shipments) == 1 and o.shipments[0].status is status
        ]
        step = max(1, len(found) // PER_STATUS)
        for i, order in enumerate(found[offset % step :: step][:PER_STATUS]):
            chosen.append((order, i))
    assert all(o.customer_id in customers for o, _ in chosen)
    return chosen


async def _outputs(
    executor: ToolExecutor, ctx: ToolContext, calls: list[tuple[AgentTier, str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    out = []
    for tier, tool, arguments in calls:
        result = await executor.execute(ctx, tier, tool, arguments)
        if isinstance(result, ToolSuccess):
            out.append({"tool": tool, "output": result.output.model_dump(mode="json")})
    return out


async def collect(offset: int = 0) -> list[Scene]:
    dataset = generate(seed=7, customers_per_client=200)
    customers = {c.customer_id: c for c in dataset.customers}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'platform.db'}"
        engine = db.make_engine(url)
        await db.create_schema(engine)
        await load_dataset(db.make_sessionmaker(engine), dataset, replace=True, now=SEED_AS_OF)
        await engine.dispose()
        app = create_app(PlatformSettings(database_url=url, api_key=API_KEY, admin_key=ADMIN_KEY))
        scenes: list[Scene] = []
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with PlatformClient("http://platform", API_KEY, transport=transport) as client:
                executor = ToolExecutor()
                for order, i in _pick(dataset, offset):
                    customer = customers[order.customer_id]
                    who = CustomerRef(order.client_id, order.customer_id)
                    ctx = ToolContext(who=who, session_id=f"claims-{i}", platform=client)
                    shipment = order.shipments[0]
                    status = shipment.status
                    awb = shipment.awb
                    calls: list[tuple[AgentTier, str, dict[str, Any]]] = [
                        (AgentTier.TRACKING, "get_order_status", {"awb": awb}),
                    ]
                    # Vary what the turn read: an ETA, a photo, the order's details.
                    if i % 3 == 1:
                        calls.append(
                            (
                                AgentTier.TRACKING,
                                "get_eta",
                                {"awb": awb, "region": customer.region.value},
                            )
                        )
                    if status is ShipmentStatus.DELIVERED and i % 2 == 0:
                        calls.append((AgentTier.TRACKING, "get_delivery_photo", {"awb": awb}))
                    if i % 2 == 1:
                        calls.append(
                            (
                                AgentTier.NEGOTIATION,
                                "get_order_details",
                                {"order_id": order.order_id},
                            )
                        )
                    calls += _writes(order, status, i)
                    outputs = await _outputs(executor, ctx, calls)
                    facts = {
                        "as_of": SEED_AS_OF.isoformat(),
                        "timezone": REGION_TIMEZONES[customer.region],
                        "outputs": outputs,
                    }
                    scenes.append(Scene(facts, order, status))
    return scenes


def _writes(
    order: OrderRecord, status: ShipmentStatus, i: int
) -> list[tuple[AgentTier, str, dict[str, Any]]]:
    """Some turns did something: the writes whose outputs support an action claim."""
    calls: list[tuple[AgentTier, str, dict[str, Any]]] = []
    if status in (ShipmentStatus.LOST, ShipmentStatus.DELIVERED_DISPUTED) and i % 2 == 0:
        total = sum(float(it.unit_price) * it.quantity for it in order.items)
        calls.append(
            (
                AgentTier.NEGOTIATION,
                "initiate_refund",
                {
                    "order_id": order.order_id,
                    "amount": round(total, 2),
                    "reason_code": "DELIVERY_FAILED",
                },
            )
        )
    if status is ShipmentStatus.DELIVERED and i % 3 == 0:
        item = order.items[0]
        calls.append(
            (
                AgentTier.NEGOTIATION,
                "initiate_return",
                {
                    "order_id": order.order_id,
                    "items": [{"sku": item.sku, "quantity": 1}],
                    "reason_code": "CUSTOMER_REQUEST",
                },
            )
        )
    if status is ShipmentStatus.DELAYED and i % 2 == 0:
        calls.append(
            (
                AgentTier.NEGOTIATION,
                "escalate_to_human",
                {
                    "reason": "customer_request",
                    "summary": "Customer asks for a colleague to chase the delayed parcel.",
                    "order_id": order.order_id,
                },
            )
        )
    if status is ShipmentStatus.OUT_FOR_DELIVERY and i % 2 == 0:
        calls.append(
            (
                AgentTier.NEGOTIATION,
                "send_notification",
                {
                    "channel": "email",
                    "subject": "Your parcel is out for delivery",
                    "body": "Your parcel is out for delivery today.",
                    "order_id": order.order_id,
                },
            )
        )
    return calls


def scenes(offset: int = 0) -> list[Scene]:
    return asyncio.run(collect(offset))


def labelled_line(
    scene: Scene, sentence: str, ok: bool, kind: str, *, family: str
) -> dict[str, Any]:
    """One line of a claims data set: the scene's facts, a sentence and whether they support it."""
    return {
        "facts": scene.facts,
        "sentence": sentence,
        "supported": ok,
        "family": family,
        "kind": kind,
    }
