"""The tau2-bench retail import: deterministic, contract-valid, and loadable beside the seed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.platform import db
from app.platform.__main__ import merge
from app.platform.contract import (
    AWB_PATTERN,
    CUSTOMER_ID_PATTERN,
    ORDER_ID_PATTERN,
    REFUND_ID_PATTERN,
    SKU_PATTERN,
    Region,
    ShipmentStatus,
)
from app.platform.dataset import PlatformDataset, load_dataset
from app.platform.seed import SEED_AS_OF, generate
from app.platform.tau2_import import CLIENT_ID, PRODUCT_CATEGORIES, tau2_dataset

TAU2_DB = Path(__file__).resolve().parents[2] / "shared/data/tau2_retail/db.json"

pytestmark = pytest.mark.skipif(not TAU2_DB.exists(), reason=f"{TAU2_DB} is not present")


@pytest.fixture(scope="module")
def tau2() -> PlatformDataset:
    return tau2_dataset(TAU2_DB, as_of=SEED_AS_OF)


def test_deterministic(tau2: PlatformDataset) -> None:
    again = tau2_dataset(TAU2_DB, as_of=SEED_AS_OF)
    assert again.model_dump_json() == tau2.model_dump_json()


def test_one_us_client(tau2: PlatformDataset) -> None:
    assert [(c.client_id, c.regions) for c in tau2.clients] == [(CLIENT_ID, [Region.US])]
    assert [r.client_id for r in tau2.refund_rules] == [CLIENT_ID]
    used = {p.category for p in tau2.products}
    assert {(r.region, r.category) for r in tau2.return_rules} == {(Region.US, c) for c in used}


def test_counts_and_ownership(tau2: PlatformDataset) -> None:
    assert len(tau2.customers) == 500
    assert 850 <= len(tau2.orders) <= 1000  # cancelled orders are left out
    assert len(tau2.products) == 591
    assert {c.client_id for c in tau2.customers} == {CLIENT_ID}
    assert {o.client_id for o in tau2.orders} == {CLIENT_ID}
    assert {p.client_id for p in tau2.products} == {CLIENT_ID}
    customers = {c.customer_id for c in tau2.customers}
    assert {o.customer_id for o in tau2.orders} <= customers
    assert {o.currency for o in tau2.orders} == {"USD"}


def test_id_patterns_and_uniqueness(tau2: PlatformDataset) -> None:
    def check(pattern: str, values: list[str]) -> None:
        assert all(re.fullmatch(pattern, v) for v in values), pattern
        assert len(values) == len(set(values)), f"duplicates among {pattern}"

    check(CUSTOMER_ID_PATTERN, [c.customer_id for c in tau2.customers])
    check(ORDER_ID_PATTERN, [o.order_id for o in tau2.orders])
    check(SKU_PATTERN, [p.sku for p in tau2.products])
    check(AWB_PATTERN, [s.awb for o in tau2.orders for s in o.shipments])
    check(REFUND_ID_PATTERN, [r.refund_id for r in tau2.refunds])
    assert tau2.customers[0].customer_id == "CUS-900001"
    assert not {"SKU-9942-A", "SKU-9942-B", "SKU-5100-C"} & {p.sku for p in tau2.products}
    # Order lines name catalogue SKUs, and one SKU appears once per order.
    skus = {p.sku for p in tau2.products}
    for order in tau2.orders:
        assert {i.sku for i in order.items} <= skus
        assert len({i.sku for i in order.items}) == len(order.items)


def test_categories_cover_the_catalogue(tau2: PlatformDataset) -> None:
    base_names = {p.name.split(" (")[0] for p in tau2.products}
    assert base_names == set(PRODUCT_CATEGORIES)


def test_tiers_and_states(tau2: PlatformDataset) -> None:
    tiers = Counter(c.tier.value for c in tau2.customers)
    assert 0.08 < tiers["Gold"] / 500 < 0.22 and 0.4 < tiers["Standard"] / 500 < 0.7
    states = Counter(s.status for o in tau2.orders for s in o.shipments)
    assert set(states) == {
        ShipmentStatus.LABEL_CREATED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.DELIVERED,
    }


def test_timestamps_relative_to_as_of(tau2: PlatformDataset) -> None:
    for customer in tau2.customers:
        assert customer.created_at < SEED_AS_OF
    for order in tau2.orders:
        assert order.placed_at < SEED_AS_OF
        for shipment in order.shipments:
            assert all(order.placed_at <= e.at < SEED_AS_OF for e in shipment.timeline)
            if shipment.status is ShipmentStatus.DELIVERED:
                assert shipment.delivered_at is not None and shipment.photo_ref is not None
                assert shipment.eta is None
            else:
                assert shipment.eta is not None and shipment.eta > SEED_AS_OF
    # A different as_of shifts the data; it does not change what is in it.
    later = tau2_dataset(TAU2_DB, as_of=SEED_AS_OF.replace(year=2027))
    assert later.rebased(SEED_AS_OF).model_dump_json() == tau2.model_dump_json()


async def test_merges_with_seed_and_loads(tmp_path: Path, tau2: PlatformDataset) -> None:
    seed = generate(customers_per_client=20)
    merged = merge(seed, tau2)
    assert len(merged.clients) == len(seed.clients) + 1
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'platform.db'}")
    try:
        await db.create_schema(engine)
        sessions = db.make_sessionmaker(engine)
        await load_dataset(sessions, merged, replace=True)
        async with sessions() as session:
            stored = await session.scalar(
                select(func.count())
                .select_from(db.CustomerRow)
                .where(db.CustomerRow.client_id == CLIENT_ID)
            )
        assert stored == len(tau2.customers)
    finally:
        await engine.dispose()


def test_default_seed_ids_do_not_collide(tau2: PlatformDataset) -> None:
    # Both keep 7-digit order ids; the CLI's default seed must not share any with tau2.
    seed = generate()
    assert not {o.order_id for o in seed.orders} & {o.order_id for o in tau2.orders}
    seed_awbs = {s.awb for o in seed.orders for s in o.shipments}
    assert not seed_awbs & {s.awb for o in tau2.orders for s in o.shipments}
