"""Refunds accepted as pending, and writes whose outcome is unknown, followed until the
platform settles them.

The customer was told "submitted, we will notify you". When the refund settles: approved ->
a notification; rejected -> a notification and a ticket for a person. Watches live in the
LangGraph store next to the checkpoints (shared by replicas); `sweep()` checks them all (a
replica's background loop, or ops), and the next turn in the conversation checks its own and
tells the customer. Both may act on the same settlement: every call is an idempotent write
with arguments fixed by the refund, so the second one replays the first (one notification,
one ticket).

Every pending refund has its own watch (namespace per conversation, key per refund), so
several in one conversation are each followed to their final state. A write whose outcome is
unknown (resolution.py) is kept the same way under its idempotency key and looked up until
the platform answers; then the customer is told, and a refund found pending is watched.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

from app.agents.negotiation.replies import notification
from app.agents.negotiation.resolution import known, look_up
from app.agents.negotiation.state import Action, UnknownWrite, Verified, Watch
from app.agents.negotiation.verification import Run, read_back
from app.platform.client import CustomerRef, PlatformClient
from app.sessions.write_leases import OrderWriteLeases
from app.tools.executor import ToolExecutor, ToolSuccess
from app.tools.narrowing import Narrowing
from app.tools.spec import AgentTier, ToolContext

log = logging.getLogger("app.agents.negotiation")

WATCH_NAMESPACE = ("negotiation", "watch")
UNKNOWN_NAMESPACE = ("negotiation", "unknown-write")
# Outcomes the resolver found while the conversation was idle: told in its next turn too.
TOLD_LATER_NAMESPACE = ("negotiation", "resolved")


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
    if not watch.quiet:  # a customer who declined email hears of it in the chat only
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
                "customer to be told in chat (declined email)"
                if watch.quiet
                else "customer notified of the rejection",
            ],
        },
        narrowing,
        shown={"reason": "write_failed"},
    )
    if not isinstance(ticket, ToolSuccess):
        return None  # keep watching: a rejection must reach a person
    return Settled(verified, ticket.output.ticket_id)  # type: ignore[attr-defined]


async def remember(store: BaseStore, thread: str, watch: Watch) -> None:
    await store.aput((*WATCH_NAMESPACE, thread), watch.refund_id, watch.dump())


async def remember_unknown(store: BaseStore, thread: str, pending: UnknownWrite) -> None:
    await store.aput((*UNKNOWN_NAMESPACE, thread), pending.idempotency_key, pending.dump())


async def watches_of(store: BaseStore, thread: str) -> list[tuple[tuple[str, ...], str, Watch]]:
    """(namespace, key, watch) of one conversation's pending refunds."""
    items = await store.asearch((*WATCH_NAMESPACE, thread), limit=1000)
    # Watches stored before per-refund keys: one per conversation, keyed by the thread.
    legacy = await store.aget(WATCH_NAMESPACE, thread)
    found = [*items, *([legacy] if legacy is not None else [])]
    return [(tuple(i.namespace), i.key, Watch.model_validate(i.value)) for i in found]


async def unknown_of(
    store: BaseStore, thread: str
) -> list[tuple[tuple[str, ...], str, UnknownWrite]]:
    items = await store.asearch((*UNKNOWN_NAMESPACE, thread), limit=1000)
    return [(tuple(i.namespace), i.key, UnknownWrite.model_validate(i.value)) for i in items]


async def told_later_of(
    store: BaseStore, thread: str
) -> list[tuple[tuple[str, ...], str, Verified, str | None]]:
    items = await store.asearch((*TOLD_LATER_NAMESPACE, thread), limit=1000)
    return [
        (
            tuple(i.namespace),
            i.key,
            Verified.model_validate(i.value["verified"]),
            i.value.get("ticket_id"),
        )
        for i in items
    ]


async def forget(store: BaseStore, namespace: tuple[str, ...], key: str) -> None:
    await store.adelete(namespace, key)


@dataclass(frozen=True)
class Resolved:
    """An unknown write the platform has now answered for."""

    verified: Verified
    ticket_id: str | None
    # A refund found pending: follow it like any other.
    watch: Watch | None


def watch_of(pending: UnknownWrite, verified: Verified) -> Watch:
    return Watch(
        refund_id=str(verified.record_id),
        order_id=pending.proposal.order_id,
        amount=pending.proposal.amount,
        currency=pending.proposal.currency,
        client_id=pending.client_id,
        customer_id=pending.customer_id,
        session_id=pending.session_id,
        quiet=pending.quiet,
    )


async def follow_unknown(run: Run, pending: UnknownWrite) -> Resolved | None:
    """Act on an unknown write the platform can now answer for; None while it cannot."""
    verified = await look_up(run, pending)
    if not known(verified):
        return None
    order = pending.proposal.order_id
    if verified.kind is Action.REFUND and verified.record_id:
        watch = watch_of(pending, verified)
        if verified.status == "pending" and pending.quiet:
            return Resolved(verified, None, watch)
        if verified.status == "pending":
            subject, body = notification(verified)
            sent = await run(
                "send_notification",
                {"channel": "email", "subject": subject, "body": body, "order_id": order},
                watch_narrowing(watch),
            )
            return Resolved(verified, None, watch) if sent.ok else None
        settled = await check(run, watch)  # approved or rejected: notified (and a ticket)
        return None if settled is None else Resolved(settled.verified, settled.ticket_id, None)
    if pending.quiet:
        return Resolved(verified, None, None)
    subject, body = notification(verified)  # a return, or nothing was written
    sent = await run(
        "send_notification",
        {"channel": "email", "subject": subject, "body": body, "order_id": order},
        Narrowing(order_ids=(order,), client_id=pending.client_id),
    )
    return Resolved(verified, None, None) if sent.ok else None


async def keep_lease(leases: OrderWriteLeases, pending: UnknownWrite) -> None:
    """Refresh an unresolved write's lease (or take it again if it lapsed meanwhile)."""
    try:
        other = await leases.refresh(
            pending.client_id,
            pending.proposal.order_id,
            idempotency_key=pending.idempotency_key,
            session_id=pending.session_id,
            action=pending.proposal.action.value,
        )
    except Exception:  # Redis unreachable: the next sweep tries again
        log.warning("refreshing the write lease of %s failed", pending.idempotency_key)
        return
    if other is not None:
        log.warning(
            "write lease of %s lapsed and was taken by %s",
            pending.idempotency_key,
            other.idempotency_key,
        )


def _runner(executor: ToolExecutor, platform: PlatformClient, watch: Watch | UnknownWrite) -> Run:
    ctx = ToolContext(
        who=CustomerRef(watch.client_id, watch.customer_id),
        session_id=watch.session_id,
        platform=platform,
    )
    order_id = watch.order_id if isinstance(watch, Watch) else watch.proposal.order_id
    default = Narrowing(order_ids=(order_id,), client_id=watch.client_id)

    async def run(
        name: str,
        arguments: dict[str, Any],
        narrowing: Narrowing | None = None,
        *,
        shown: dict[str, Any] | None = None,
    ) -> Any:
        return await executor.execute(
            ctx, AgentTier.NEGOTIATION, name, arguments, narrowing or default
        )

    return run


async def sweep(
    store: BaseStore,
    executor: ToolExecutor,
    platform: PlatformClient,
    leases: OrderWriteLeases | None = None,
) -> int:
    """Check every watched refund and every unknown write once; returns how many reached a
    final state (and were acted on)."""
    settled = 0
    for item in await store.asearch(UNKNOWN_NAMESPACE, limit=10_000):
        pending = UnknownWrite.model_validate(item.value)
        if pending.resolve_after > time.time():
            continue  # written ahead: the turn making the write still answers for it
        try:
            resolved = await follow_unknown(_runner(executor, platform, pending), pending)
        except Exception:  # one bad entry must not stop the others
            log.exception("resolving write %s failed", pending.idempotency_key)
            continue
        if resolved is None:
            if leases is not None:  # still unknown: the order stays this write's
                await keep_lease(leases, pending)
            continue
        if leases is not None:  # the platform has answered: the order is free again
            await leases.release(
                pending.client_id, pending.proposal.order_id, pending.idempotency_key
            )
        thread = item.namespace[-1]
        if resolved.watch is not None:
            await remember(store, thread, resolved.watch)
        else:
            settled += 1
        await store.aput(
            (*TOLD_LATER_NAMESPACE, thread),
            item.key,
            {"verified": resolved.verified.dump(), "ticket_id": resolved.ticket_id},
        )
        await forget(store, tuple(item.namespace), item.key)
    for item in await store.asearch(WATCH_NAMESPACE, limit=10_000):
        watch = Watch.model_validate(item.value)
        try:
            outcome = await check(_runner(executor, platform, watch), watch)
        except Exception:  # one bad watch must not stop the others
            log.exception("settlement check of %s failed", watch.refund_id)
            continue
        if outcome is not None:
            await forget(store, tuple(item.namespace), item.key)
            settled += 1
    return settled
