"""Refunds accepted as pending, followed until the platform settles them.

The customer was told "submitted, we will notify you". When the refund settles: approved ->
a notification; rejected -> a notification and a ticket for a person. Watches live in the
LangGraph store next to the checkpoints (shared by replicas); `sweep()` checks them all (a
replica's background loop, or ops), and the next turn in the conversation checks its own and
tells the customer. Both may act on the same settlement: every call is an idempotent write
with arguments fixed by the refund, so the second one replays the first (one notification,
one ticket).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

from app.agents.negotiation.replies import notification
from app.agents.negotiation.state import Action, Verified, Watch
from app.agents.negotiation.verification import Run, read_back
from app.platform.client import CustomerRef, PlatformClient
from app.tools.executor import ToolExecutor, ToolSuccess
from app.tools.narrowing import Narrowing
from app.tools.spec import AgentTier, ToolContext

log = logging.getLogger("app.agents.negotiation")

WATCH_NAMESPACE = ("negotiation", "watch")


@dataclass(frozen=True)
class Settled:
    verified: Verified
    ticket_id: str | None


def watch_narrowing(watch: Watch) -> Narrowing:
    return Narrowing(order_ids=(watch.order_id,), client_id=watch.client_id)


async def check(run: Run, watch: Watch) -> Settled | None:
    """Act on a settled refund; None while it is pending (or cannot be read or acted on yet)."""
    verified = await read_back(
        run, Action.REFUND, watch.refund_id, order_id=watch.order_id, currency=watch.currency
    )
    if verified.status not in ("approved", "rejected"):
        return None
    narrowing = watch_narrowing(watch)
    subject, body = notification(verified)
    await run(
        "send_notification",
        {"channel": "email", "subject": subject, "body": body, "order_id": watch.order_id},
        narrowing,
    )
    if verified.status == "approved":
        return Settled(verified, None)
    ticket = await run(
        "escalate_to_human",
        {
            "reason": "write_failed",
            "summary": (
                f"Refund {watch.refund_id} of {watch.amount:.2f} {watch.currency} on order "
                f"{watch.order_id} was accepted as pending and rejected on review "
                f"({verified.decision_reason}). The customer was told it was under review."
            ),
            "priority": "high",
            "order_id": watch.order_id,
            "decision_trace": [
                f"refund {watch.refund_id}: pending",
                f"refund {watch.refund_id}: {verified.decision_reason}",
                "customer notified of the rejection",
            ],
        },
        narrowing,
        shown={"reason": "write_failed"},
    )
    if not isinstance(ticket, ToolSuccess):
        return None  # keep watching: a rejection must reach a person
    return Settled(verified, ticket.output.ticket_id)  # type: ignore[attr-defined]


async def remember(store: BaseStore, key: str, watch: Watch) -> None:
    await store.aput(WATCH_NAMESPACE, key, watch.dump())


async def forget(store: BaseStore, key: str) -> None:
    await store.adelete(WATCH_NAMESPACE, key)


def _runner(executor: ToolExecutor, platform: PlatformClient, watch: Watch) -> Run:
    ctx = ToolContext(
        who=CustomerRef(watch.client_id, watch.customer_id),
        session_id=watch.session_id,
        platform=platform,
    )

    async def run(
        name: str,
        arguments: dict[str, Any],
        narrowing: Narrowing | None = None,
        *,
        shown: dict[str, Any] | None = None,
    ) -> Any:
        return await executor.execute(
            ctx, AgentTier.NEGOTIATION, name, arguments, narrowing or watch_narrowing(watch)
        )

    return run


async def sweep(store: BaseStore, executor: ToolExecutor, platform: PlatformClient) -> int:
    """Check every watched refund once; returns how many settled (and were acted on)."""
    settled = 0
    for item in await store.asearch(WATCH_NAMESPACE, limit=10_000):
        watch = Watch.model_validate(item.value)
        try:
            outcome = await check(_runner(executor, platform, watch), watch)
        except Exception:  # one bad watch must not stop the others
            log.exception("settlement check of %s failed", watch.refund_id)
            continue
        if outcome is not None:
            await forget(store, item.key)
            settled += 1
    return settled
