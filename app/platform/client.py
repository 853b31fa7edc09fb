"""Typed async client of the order platform contract (httpx + pydantic).

Every customer-scoped call takes a `CustomerRef`; writes take an idempotency key. Failures come
back as `PlatformError` with the contract's error code; transport failures (timeouts, refused
connections) become a 503-class `PlatformError` with code `unavailable`, because for a write
they leave the outcome unknown exactly as a 5xx does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from app.platform.contract import (
    WRITE_DEADLINE_S,
    Customer,
    DeliveryPhoto,
    Eta,
    FaultConfig,
    FaultSpec,
    FraudScore,
    Notification,
    NotificationRequest,
    Order,
    OrderSummary,
    Quote,
    QuoteRequest,
    Refund,
    RefundRequest,
    Region,
    Return,
    ReturnRequest,
    ReturnWindow,
    Shipment,
    StoredWrite,
    Ticket,
    TicketRequest,
    TicketStatus,
    TicketUpdate,
    Tier,
)
from app.platform.dataset import PlatformDataset
from app.platform.errors import PlatformError

ModelT = TypeVar("ModelT", bound=BaseModel)

UNAVAILABLE = "unavailable"
TIMEOUT = "timeout"


@dataclass(frozen=True)
class CustomerRef:
    """Who a call is made for. Comes from the verified session token, never from model output."""

    client_id: str
    customer_id: str

    def headers(self) -> dict[str, str]:
        return {"X-Client-Id": self.client_id, "X-Customer-Id": self.customer_id}


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 5.0,
        write_timeout_s: float = WRITE_DEADLINE_S,
        admin_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s),
            headers={"Authorization": f"Bearer {api_key}"},
            transport=transport,
        )
        self._admin_key = admin_key
        # A write is waited for exactly as long as the platform may still commit it (its
        # documented write deadline): after that, a lookup by its key is final.
        self.write_timeout_s = write_timeout_s

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------ transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        who: CustomerRef | None = None,
        params: dict[str, Any] | None = None,
        body: BaseModel | dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        admin: bool = False,
        timeout_s: float | None = None,
    ) -> Any:
        headers: dict[str, str] = {}
        if who is not None:
            headers.update(who.headers())
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if admin:
            if self._admin_key is None:
                raise ValueError("this client was created without an admin key")
            headers["Authorization"] = f"Bearer {self._admin_key}"
        content = None
        if body is not None:
            content = body.model_dump_json() if isinstance(body, BaseModel) else json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(
                method,
                path,
                params={k: v for k, v in (params or {}).items() if v is not None},
                content=content,
                headers=headers,
                timeout=timeout_s if timeout_s is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise PlatformError(504, TIMEOUT, f"{method} {path} timed out") from exc
        except httpx.TransportError as exc:
            raise PlatformError(
                503, UNAVAILABLE, f"{method} {path} failed: {type(exc).__name__}"
            ) from exc
        if response.status_code >= 400:
            raise _error_from(response)
        return response.json()

    async def _get(self, model: type[ModelT], path: str, **kwargs: Any) -> ModelT:
        return model.model_validate(await self._request("GET", path, **kwargs))

    async def _post(self, model: type[ModelT], path: str, **kwargs: Any) -> ModelT:
        kwargs.setdefault("timeout_s", self.write_timeout_s)
        return model.model_validate(await self._request("POST", path, **kwargs))

    # ------------------------------------------------------------ reads

    async def get_customer(self, who: CustomerRef) -> Customer:
        return await self._get(Customer, "/v1/me", who=who)

    async def list_orders(
        self, who: CustomerRef, *, active_only: bool = True, limit: int = 20
    ) -> list[OrderSummary]:
        data = await self._request(
            "GET", "/v1/orders", who=who, params={"active": active_only, "limit": limit}
        )
        return _ORDER_SUMMARIES.validate_python(data)

    async def get_order(self, who: CustomerRef, order_id: str) -> Order:
        return await self._get(Order, f"/v1/orders/{order_id}", who=who)

    async def get_shipment(self, who: CustomerRef, awb: str) -> Shipment:
        return await self._get(Shipment, f"/v1/shipments/{awb}", who=who)

    async def get_delivery_photo(self, who: CustomerRef, awb: str) -> DeliveryPhoto:
        return await self._get(DeliveryPhoto, f"/v1/shipments/{awb}/photo", who=who)

    async def get_eta(self, who: CustomerRef, awb: str, region: Region | str | None = None) -> Eta:
        # Narrowed tool inputs carry plain strings; Region() accepts both.
        return await self._get(
            Eta,
            f"/v1/shipments/{awb}/eta",
            who=who,
            params={"region": Region(region).value if region else None},
        )

    async def get_return_window(
        self, who: CustomerRef, sku: str, tier: Tier | None = None, region: Region | None = None
    ) -> ReturnWindow:
        return await self._get(
            ReturnWindow,
            "/v1/return-window",
            who=who,
            params={
                "sku": sku,
                "tier": tier.value if tier else None,
                "region": region.value if region else None,
            },
        )

    async def quote(self, who: CustomerRef, request: QuoteRequest) -> Quote:
        """A dry run (POST, but a read: no idempotency key, the read timeout)."""
        data = await self._request("POST", "/v1/quotes", who=who, body=request)
        return Quote.model_validate(data)

    async def get_fraud_score(self, who: CustomerRef, order_id: str) -> FraudScore:
        return await self._get(FraudScore, f"/v1/orders/{order_id}/fraud-score", who=who)

    async def get_refund(self, who: CustomerRef, refund_id: str) -> Refund:
        return await self._get(Refund, f"/v1/refunds/{refund_id}", who=who)

    async def list_order_refunds(self, who: CustomerRef, order_id: str) -> list[Refund]:
        data = await self._request("GET", f"/v1/orders/{order_id}/refunds", who=who)
        return _REFUNDS.validate_python(data)

    async def get_return(self, who: CustomerRef, return_id: str) -> Return:
        return await self._get(Return, f"/v1/returns/{return_id}", who=who)

    async def list_order_returns(self, who: CustomerRef, order_id: str) -> list[Return]:
        data = await self._request("GET", f"/v1/orders/{order_id}/returns", who=who)
        return _RETURNS.validate_python(data)

    async def get_write(self, who: CustomerRef, idempotency_key: str) -> StoredWrite:
        """The write committed under a key; `write_not_found` (404) when none is (yet)."""
        return await self._get(StoredWrite, f"/v1/writes/{idempotency_key}", who=who)

    async def list_notifications(self, who: CustomerRef) -> list[Notification]:
        data = await self._request("GET", "/v1/notifications", who=who)
        return _NOTIFICATIONS.validate_python(data)

    async def get_ticket(self, who: CustomerRef, ticket_id: str) -> Ticket:
        return await self._get(Ticket, f"/v1/tickets/{ticket_id}", who=who)

    # ------------------------------------------------------------ writes (idempotent)

    async def create_refund(
        self, who: CustomerRef, request: RefundRequest, *, idempotency_key: str
    ) -> Refund:
        return await self._post(
            Refund, "/v1/refunds", who=who, body=request, idempotency_key=idempotency_key
        )

    async def create_return(
        self, who: CustomerRef, request: ReturnRequest, *, idempotency_key: str
    ) -> Return:
        return await self._post(
            Return, "/v1/returns", who=who, body=request, idempotency_key=idempotency_key
        )

    async def send_notification(
        self, who: CustomerRef, request: NotificationRequest, *, idempotency_key: str
    ) -> Notification:
        return await self._post(
            Notification,
            "/v1/notifications",
            who=who,
            body=request,
            idempotency_key=idempotency_key,
        )

    async def create_ticket(
        self, who: CustomerRef, request: TicketRequest, *, idempotency_key: str
    ) -> Ticket:
        return await self._post(
            Ticket, "/v1/tickets", who=who, body=request, idempotency_key=idempotency_key
        )

    # ------------------------------------------------------------ admin

    async def set_fault(self, operation: str, spec: FaultSpec) -> FaultConfig:
        data = await self._request("PUT", f"/v1/admin/faults/{operation}", body=spec, admin=True)
        return FaultConfig.model_validate(data)

    async def clear_faults(self) -> FaultConfig:
        return FaultConfig.model_validate(
            await self._request("DELETE", "/v1/admin/faults", admin=True)
        )

    async def settle_refunds(self) -> dict[str, int]:
        result: dict[str, int] = await self._request("POST", "/v1/admin/refunds/settle", admin=True)
        return result

    async def list_tickets(
        self, client_id: str, status: TicketStatus | None = None
    ) -> list[Ticket]:
        data = await self._request(
            "GET",
            "/v1/admin/tickets",
            admin=True,
            params={"client_id": client_id, "status": status.value if status else None},
        )
        return _TICKETS.validate_python(data)

    async def get_client_ticket(self, client_id: str, ticket_id: str) -> Ticket:
        data = await self._request(
            "GET", f"/v1/admin/tickets/{ticket_id}", admin=True, params={"client_id": client_id}
        )
        return Ticket.model_validate(data)

    async def update_ticket(self, client_id: str, ticket_id: str, status: TicketStatus) -> Ticket:
        data = await self._request(
            "PATCH",
            f"/v1/admin/tickets/{ticket_id}",
            admin=True,
            params={"client_id": client_id},
            body=TicketUpdate(status=status),
        )
        return Ticket.model_validate(data)

    async def export_dataset(self, client_id: str | None = None) -> PlatformDataset:
        return await self._get(
            PlatformDataset,
            "/v1/admin/dataset",
            admin=True,
            params={"client_id": client_id},
            timeout_s=120,
        )

    async def import_dataset(
        self, dataset: PlatformDataset, *, replace: bool = False, rebase: bool = True
    ) -> dict[str, int]:
        result: dict[str, int] = await self._request(
            "POST",
            "/v1/admin/dataset",
            admin=True,
            body=dataset,
            params={"replace": str(replace).lower(), "rebase": str(rebase).lower()},
            timeout_s=120,
        )
        return result


def _error_from(response: httpx.Response) -> PlatformError:
    try:
        error = response.json()["error"]
        return PlatformError(
            response.status_code, error["code"], error["message"], error.get("details") or {}
        )
    except (ValueError, KeyError, TypeError):
        return PlatformError(
            response.status_code,
            UNAVAILABLE if response.status_code >= 500 else "http_error",
            f"HTTP {response.status_code}",
        )


_ORDER_SUMMARIES = TypeAdapter(list[OrderSummary])
_REFUNDS = TypeAdapter(list[Refund])
_RETURNS = TypeAdapter(list[Return])
_NOTIFICATIONS = TypeAdapter(list[Notification])
_TICKETS = TypeAdapter(list[Ticket])
