"""After an unambiguous yes: the idempotent write, the read-back, the notification.

`write` re-checks (defence in depth) that the confirmed terms are the proposal's and that the
fraud check was of this order and passed. What the customer is told comes from `verify`'s
read-back of platform state, never from the write's answer or the proposal.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from app.agents.negotiation import replies
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.flow import ctx_of, escalate_to
from app.agents.negotiation.resolution import known, resolve
from app.agents.negotiation.settlement import (
    UNKNOWN_NAMESPACE,
    forget,
    remember,
    remember_unknown,
)
from app.agents.negotiation.state import (
    Action,
    EscalationReason,
    FraudCheck,
    NegotiationState,
    OrderFacts,
    Proposal,
    UnknownWrite,
    Verified,
    Watch,
    WriteRecord,
    declined_email,
    record,
)
from app.agents.negotiation.verification import output_record, read_back
from app.platform.contract import FraudBand
from app.sessions.write_leases import LeaseHolder
from app.tools.executor import ToolResult


async def write(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["verify", "escalate"]]:
    ctx = ctx_of(runtime)
    proposal = Proposal.model_validate(state["proposal"])
    confirmed = record(state, "confirmed", Proposal)
    checked = record(state, "fraud", FraudCheck)
    facts_ = record(state, "facts", OrderFacts)
    # Defence in depth: the graph's shape already makes these true.
    if confirmed is None or not confirmed.same_terms(proposal):
        return escalate_to(EscalationReason.SAFETY, "write reached without a matching yes")
    if checked is None or checked.order_id != proposal.order_id or checked.band is FraudBand.HIGH:
        return escalate_to(EscalationReason.SAFETY, "write reached without a passing fraud check")
    previous = record(state, "write", WriteRecord)
    if previous is not None and previous.proposal_id == proposal.proposal_id:
        return Command(goto="verify")  # this proposal was written already: never twice
    name, arguments = proposal.write_arguments()
    other = await _take_lease(ctx, proposal)
    if other is not None:  # another conversation's write on this order is not settled yet
        line = f"write: {proposal.order_id} busy with {other.idempotency_key}"
        ctx.note(line)
        return Command(
            goto="respond",
            update={"say": replies.in_flight_text(proposal.order_id, other), "trace": [line]},
        )
    if runtime.store is not None:
        # Written ahead: if this turn dies with the write in flight, the resolver (any
        # replica) finishes it and tells the customer, whether or not they come back.
        await remember_unknown(
            runtime.store, ctx.thread_id, _ahead(ctx, proposal, declined_email(state))
        )
    async with kept_lease(ctx, proposal):  # a write may outlast one lease TTL: refreshed
        result = await ctx.tool(
            name, arguments, _write_narrowing(ctx, proposal, facts_), scope=proposal.proposal_id
        )
    outcome = _write_record(proposal, result)
    line = f"write: {name} {'ok ' + str(outcome.record_id) if result.ok else outcome.code}"
    ctx.note(line)
    return Command(goto="verify", update={"write": outcome.dump(), "trace": [line]})


def _lease_terms(ctx: TurnContext, proposal: Proposal) -> dict[str, str]:
    name, arguments = proposal.write_arguments()
    return {
        "idempotency_key": ctx.deps.executor.write_key(
            ctx.tool_context(), name, arguments, scope=proposal.proposal_id
        ),
        "session_id": ctx.request.session_id,
        "action": proposal.action.value,
    }


async def _take_lease(ctx: TurnContext, proposal: Proposal) -> LeaseHolder | None:
    leases = ctx.deps.write_leases
    if leases is None:
        return None
    return await leases.take(
        ctx.request.client_id, proposal.order_id, **_lease_terms(ctx, proposal)
    )


def kept_lease(ctx: TurnContext, proposal: Proposal) -> AbstractAsyncContextManager[None]:
    """The order's write lease, refreshed while the block runs (nothing without leases)."""
    leases = ctx.deps.write_leases
    if leases is None:
        return contextlib.nullcontext()
    return leases.kept(ctx.request.client_id, proposal.order_id, **_lease_terms(ctx, proposal))


async def release_lease(ctx: TurnContext, order_id: str, key: str | None) -> None:
    if ctx.deps.write_leases is not None and key:
        await ctx.deps.write_leases.release(ctx.request.client_id, order_id, key)


def _write_record(proposal: Proposal, result: ToolResult) -> WriteRecord:
    record_id, status = output_record(result)
    return WriteRecord(
        proposal_id=proposal.proposal_id,
        ok=result.ok,
        record_id=record_id,
        status=status,
        code=getattr(result, "code", None),
        outcome_unknown=bool(getattr(result, "outcome_unknown", False)),
        idempotency_key=result.idempotency_key,
        sent_at=getattr(result, "last_sent_at", None),
    )


def _write_narrowing(ctx: TurnContext, proposal: Proposal, facts_: OrderFacts) -> Any:
    if proposal.action is Action.REFUND:
        return ctx.narrowing(max_amount=facts_.refundable)
    return ctx.narrowing(skus=tuple(i.sku for i in facts_.items))


async def verify(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["notify", "escalate"]]:
    ctx = ctx_of(runtime)
    proposal = Proposal.model_validate(state["proposal"])
    facts_ = record(state, "facts", OrderFacts)
    written = WriteRecord.model_validate(state["write"])
    async with kept_lease(ctx, proposal):  # held while the outcome is resolved in-turn
        written, verified, pending = await _outcome(
            ctx, proposal, facts_, written, declined_email(state)
        )
    line = f"verify: {verified.record_id or proposal.order_id} {verified.status}"
    if pending is not None and not known(verified):
        line = f"verify: {proposal.order_id} outcome unknown, key {pending.idempotency_key}"
        if runtime.store is not None:  # followed until known, by whichever replica sweeps
            await remember_unknown(runtime.store, ctx.thread_id, pending)
    else:  # the platform has answered for this write: the order is free again
        await release_lease(ctx, proposal.order_id, written.idempotency_key)
        if runtime.store is not None and written.idempotency_key:  # told here, not later
            await forget(
                runtime.store, (*UNKNOWN_NAMESPACE, ctx.thread_id), written.idempotency_key
            )
    ctx.note(line)
    update: dict[str, Any] = {"write": written.dump(), "verified": verified.dump(), "trace": [line]}
    if verified.status in ("approved", "received") or (
        verified.status == "pending" and verified.kind is Action.REFUND
    ):
        return Command(goto="notify", update=update)
    if pending is not None and not known(verified):
        note = f"outcome unknown, key {pending.idempotency_key}"
        return escalate_to(EscalationReason.WRITE_NOT_SETTLED, note, update)
    reason = (
        EscalationReason.WRITE_NOT_SETTLED
        if verified.status in ("unknown", "pending")
        else EscalationReason.WRITE_FAILED
    )
    return escalate_to(reason, f"write {verified.status}", update)


async def _outcome(
    ctx: TurnContext, proposal: Proposal, facts_: OrderFacts, written: WriteRecord, quiet: bool
) -> tuple[WriteRecord, Verified, UnknownWrite | None]:
    """What the platform shows for the write: read back, recovered by replay, or resolved by
    its key (still unknown: `pending` names it for the resolver)."""
    if not written.ok and written.outcome_unknown and written.code != "timeout":
        # A 5xx or a lost answer: replaying the key completes it once or returns the first
        # result. (A timed-out request may still be running: a replay cannot answer sooner.)
        written = await _recover(ctx, proposal, facts_, written)
    pending: UnknownWrite | None = None
    if written.ok and written.record_id:
        verified = await _settled_or_pending(ctx, proposal, written.record_id)
    elif written.outcome_unknown:
        # Unknown is not failed: only the platform can say, by the key, what happened.
        pending = _unknown_write(ctx, proposal, written, quiet)
        verified = await resolve(
            ctx.tool,
            pending,
            budget_s=ctx.settings.resolve_in_turn_s,
            poll_s=ctx.settings.resolve_poll_s,
        )
    else:  # a definitive refusal (a rule, 4xx): nothing was written
        verified = Verified(
            kind=proposal.action,
            status="failed",
            order_id=proposal.order_id,
            amount=proposal.amount,
            currency=proposal.currency,
            code=written.code,
        )
    return written, verified, pending


def _ahead(ctx: TurnContext, proposal: Proposal, quiet: bool) -> UnknownWrite:
    """The write about to be sent, for the resolver should this turn not live to answer."""
    now = time.time()
    settings = ctx.settings
    return UnknownWrite(
        idempotency_key=_lease_terms(ctx, proposal)["idempotency_key"],
        proposal=proposal,
        sent_at=now,
        deadline_s=ctx.deps.executor.settings.write_timeout_s,
        client_id=ctx.request.client_id,
        customer_id=ctx.request.customer_id,
        session_id=ctx.request.session_id,
        # Every attempt, the recovery replays and the in-turn resolution, then a margin.
        resolve_after=now
        + ctx.deps.executor.settings.write_timeout_s * (1 + settings.recover_attempts)
        + settings.recover_delay_s * settings.recover_attempts
        + settings.resolve_in_turn_s
        + 5.0,
        quiet=quiet,
    )


def _unknown_write(
    ctx: TurnContext, proposal: Proposal, written: WriteRecord, quiet: bool
) -> UnknownWrite:
    return UnknownWrite(
        idempotency_key=str(written.idempotency_key),
        proposal=proposal,
        # No send time recorded (an unexpected failure): count from now, the later bound.
        sent_at=written.sent_at if written.sent_at is not None else time.time(),
        deadline_s=ctx.deps.executor.settings.write_timeout_s,
        client_id=ctx.request.client_id,
        customer_id=ctx.request.customer_id,
        session_id=ctx.request.session_id,
        quiet=quiet,
    )


async def _recover(
    ctx: TurnContext, proposal: Proposal, facts_: OrderFacts, written: WriteRecord
) -> WriteRecord:
    """Replay the same idempotent write: the platform completes it once or returns the first
    result (a lost response comes back; a second refund cannot be made)."""
    name, arguments = proposal.write_arguments()
    for _ in range(ctx.settings.recover_attempts):
        await asyncio.sleep(ctx.settings.recover_delay_s)
        result = await ctx.tool(
            name, arguments, _write_narrowing(ctx, proposal, facts_), scope=proposal.proposal_id
        )
        replayed = _write_record(proposal, result)
        # Keep the latest send time: the platform may commit until its deadline.
        written = replayed.model_copy(
            update={
                "idempotency_key": replayed.idempotency_key or written.idempotency_key,
                "sent_at": replayed.sent_at or written.sent_at,
            }
        )
        if result.ok or not written.outcome_unknown:
            break
    return written


async def _settled_or_pending(ctx: TurnContext, proposal: Proposal, record_id: str) -> Verified:
    verified = await read_back(
        ctx.tool, proposal.action, record_id, order_id=proposal.order_id, currency=proposal.currency
    )
    deadline = time.monotonic() + ctx.settings.settle_wait_s
    while verified.status == "pending" and time.monotonic() < deadline:
        await asyncio.sleep(ctx.settings.settle_poll_s)
        verified = await read_back(
            ctx.tool,
            proposal.action,
            record_id,
            order_id=proposal.order_id,
            currency=proposal.currency,
        )
    return verified


async def notify(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["respond"]]:
    """A failed notification is not escalated: the reply then just does not mention one. A
    customer who asked not to be emailed is not: the reply says so instead."""
    ctx = ctx_of(runtime)
    verified = Verified.model_validate(state["verified"])
    quiet = declined_email(state)
    update: dict[str, Any] = {"notified": False}
    if quiet:
        line = "notify: skipped, the customer asked not to be emailed"
        ctx.note(line)
        update["trace"] = [line]
    else:
        subject, body = replies.notification(verified)
        result = await ctx.tool(
            "send_notification",
            {"channel": "email", "subject": subject, "body": body, "order_id": verified.order_id},
        )
        update["notified"] = result.ok
    if verified.kind is Action.REFUND and verified.status == "pending":
        watch = Watch(
            refund_id=str(verified.record_id),
            order_id=verified.order_id,
            amount=float(verified.amount or 0),
            currency=verified.currency,
            client_id=ctx.request.client_id,
            customer_id=ctx.request.customer_id,
            session_id=ctx.request.session_id,
            quiet=quiet,
        )
        if runtime.store is not None:
            await remember(runtime.store, ctx.thread_id, watch)
        update["watch"] = watch.dump()
    return Command(goto="respond", update=update)
