"""Demo sign-in for local runs: seeded customers of each tenant, and development tokens.

Off unless OSA_DEMO_SIGNIN=1 (scripts/run.sh sets it); in production the pages take the
platform's token instead. Only ids, tier, region and shipment states are listed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.api.auth import Role, TokenService
from app.api.errors import ApiError
from app.platform.client import CustomerRef, PlatformClient
from app.platform.errors import PlatformError

PER_CLIENT = 6
TOKEN_TTL_S = 3600
DEMO_AGENT = "agent-demo"


class DemoDirectory:
    def __init__(self, admin: PlatformClient, tokens: TokenService) -> None:
        self.admin = admin
        self.tokens = tokens
        self._tenants: list[dict[str, Any]] | None = None
        self._lock = asyncio.Lock()

    async def tenants(self) -> list[dict[str, Any]]:
        async with self._lock:
            if self._tenants is None:
                try:
                    self._tenants = _directory(await self.admin.export_dataset())
                except PlatformError as exc:
                    raise ApiError(502, "platform_unavailable", "cannot list customers") from exc
        return self._tenants

    async def token(self, user_id: str, client_id: str, role: Role) -> str:
        if role is Role.AGENT:
            if client_id not in {t["client_id"] for t in await self.tenants()}:
                raise ApiError(404, "unknown_tenant", "no such tenant")
            return self.tokens.issue(DEMO_AGENT, client_id, Role.AGENT, ttl_s=TOKEN_TTL_S)
        try:
            await self.admin.get_customer(CustomerRef(client_id, user_id))
        except PlatformError as exc:
            raise ApiError(404, "unknown_customer", "no such customer of this tenant") from exc
        except ValueError as exc:
            raise ApiError(422, "invalid_request", "malformed customer or client id") from exc
        return self.tokens.issue(user_id, client_id, Role.CUSTOMER, ttl_s=TOKEN_TTL_S)


def _directory(dataset: Any) -> list[dict[str, Any]]:
    states: dict[str, list[str]] = {}
    for order in dataset.orders:
        for shipment in order.shipments:
            states.setdefault(order.customer_id, []).append(shipment.status.value)
    tenants = []
    for client in dataset.clients:
        chosen: list[dict[str, Any]] = []
        seen_states: set[str] = set()
        customers = [c for c in dataset.customers if c.client_id == client.client_id]
        # One customer per shipment state first, so the demo shows the interesting cases.
        for customer in customers:
            mine = states.get(customer.customer_id, [])
            new = [s for s in mine if s not in seen_states]
            if new and len(chosen) < PER_CLIENT:
                seen_states.update(mine)
                chosen.append(_entry(customer, mine))
        tenants.append({"client_id": client.client_id, "name": client.name, "customers": chosen})
    return tenants


def _entry(customer: Any, states: list[str]) -> dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "tier": customer.tier.value,
        "region": customer.region.value,
        "orders": len(states),
        "shipments": sorted(set(states)),
    }
