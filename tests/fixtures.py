"""Lookups into the seed dataset so tests pick records by what they are, not by hard-coded ids.

Each order is handed out once per test session (`take`), so tests that write never share
an order and can run in any order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.platform.client import CustomerRef
from app.platform.contract import Customer, ShipmentStatus
from app.platform.dataset import OrderRecord, PlatformDataset, ShipmentRecord


@dataclass(frozen=True)
class Pick:
    who: CustomerRef
    customer: Customer
    order: OrderRecord
    shipment: ShipmentRecord


class SeedIndex:
    def __init__(self, dataset: PlatformDataset) -> None:
        self.dataset = dataset
        self.customers = {c.customer_id: c for c in dataset.customers}
        self._taken: set[str] = set()
        refunded = {r.order_id for r in dataset.refunds}
        self._unrefunded = [o for o in dataset.orders if o.order_id not in refunded]

    def take(
        self,
        state: ShipmentStatus | None = None,
        *,
        client_id: str | None = None,
        where: Callable[[Customer, OrderRecord], bool] | None = None,
    ) -> Pick:
        for order in self._unrefunded:
            if order.order_id in self._taken or len(order.shipments) != 1:
                continue
            shipment = order.shipments[0]
            customer = self.customers[order.customer_id]
            if state is not None and shipment.status is not state:
                continue
            if client_id is not None and order.client_id != client_id:
                continue
            if where is not None and not where(customer, order):
                continue
            self._taken.add(order.order_id)
            return Pick(CustomerRef(order.client_id, order.customer_id), customer, order, shipment)
        raise LookupError(f"no untaken order in state {state} for {client_id}")

    def other_customer_same_client(self, who: CustomerRef) -> CustomerRef:
        for c in self.dataset.customers:
            if c.client_id == who.client_id and c.customer_id != who.customer_id:
                return CustomerRef(c.client_id, c.customer_id)
        raise LookupError("no other customer")

    def customer_of_other_client(self, who: CustomerRef) -> CustomerRef:
        for c in self.dataset.customers:
            if c.client_id != who.client_id:
                return CustomerRef(c.client_id, c.customer_id)
        raise LookupError("no other client")
