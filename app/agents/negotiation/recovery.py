"""After a turn that failed (a replica lost mid-write, a bug): read the platform before a word
is said about a write that may have started.

"Nothing has been changed" is true only when no write could have started. Otherwise the write
is looked up by its idempotency key: found, the customer hears what the platform shows; not
(yet) found, it is handed to the resolver and the customer hears it is being processed.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import ValidationError

from app.agents.negotiation import replies
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.resolution import known, look_up
from app.agents.negotiation.settlement import (
    keep_lease,
    remember,
    remember_unknown,
    unknown_of,
    watch_of,
)
from app.agents.negotiation.state import (
    Action,
    Proposal,
    UnknownWrite,
    WriteRecord,
    declined_email,
)
from app.platform.contract import ErrorCode
from app.tools.executor import ToolSuccess

# The nodes between a "yes" and its answer: a checkpoint stopped before one of them is a write
# that may have started.
WRITING = frozenset({"write", "verify", "notify"})


def mid_write(snapshot: Any) -> bool:
    """The checkpoint stopped between a "yes" and its answer (the next step, or a step whose
    results were saved but not yet applied, is a writing one)."""
    steps = set(snapshot.next) | {task.name for task in snapshot.tasks}
    return bool(steps & WRITING)


def _write_may_have_started(snapshot: Any, values: dict[str, Any], answering: str | None) -> bool:
    if mid_write(snapshot):
        return True
    proposal, confirmed = values.get("proposal"), values.get("confirmed")
    if not (proposal and confirmed and confirmed.get("proposal_id") == proposal.get("proposal_id")):
        return False
    # Not verified yet; or verified in this very turn (it answered that proposal), which then
    # failed after the write (telling, notifying): either way a write was made or may be.
    return not values.get("verified") or answering == proposal.get("proposal_id")


def pending_write(ctx: TurnContext, values: dict[str, Any]) -> UnknownWrite:
    proposal = Proposal.model_validate(values["proposal"])
    written = WriteRecord.model_validate(values["write"]) if values.get("write") else None
    return _pending(ctx, proposal, written, declined_email(values))


def _pending(
    ctx: TurnContext, proposal: Proposal, written: WriteRecord | None, quiet: bool
) -> UnknownWrite:
    name, arguments = proposal.write_arguments()
    key = (written.idempotency_key if written else None) or ctx.deps.executor.write_key(
        ctx.tool_context(), name, arguments, scope=proposal.proposal_id
    )
    sent_at = written.sent_at if written and written.sent_at else None
    return UnknownWrite(
        idempotency_key=key,
        proposal=proposal,
        # Unknown send time: now is its latest possible value, so "not written" waits longer.
        sent_at=sent_at if sent_at is not None else time.time(),
        deadline_s=ctx.deps.executor.settings.write_timeout_s,
        client_id=ctx.request.client_id,
        customer_id=ctx.request.customer_id,
        session_id=ctx.request.session_id,
        quiet=quiet,
    )


async def read_after_failure(
    ctx: TurnContext, snapshot: Any, store: BaseStore | None
) -> str | None:
    values: dict[str, Any] = dict(snapshot.values or {})
    answering = (ctx.request.pending or {}).get("proposal_id")
    if not _write_may_have_started(snapshot, values, answering):
        return await _answered_and_told(ctx, snapshot, store)
    pending = pending_write(ctx, values)
    verified = await look_up(ctx.tool, pending)
    if known(verified):
        if verified.kind is Action.REFUND and verified.status == "pending" and store is not None:
            await remember(store, ctx.thread_id, watch_of(pending, verified))
        return replies.after_failure_text(verified)
    if store is not None:  # followed until the platform answers, then the customer is told
        await remember_unknown(store, ctx.thread_id, pending)
    if ctx.deps.write_leases is not None:  # the order stays this write's while unknown
        await keep_lease(ctx.deps.write_leases, pending)
    return replies.still_processing_text(pending.proposal.action, pending.proposal.order_id)


async def _answered_and_told(
    ctx: TurnContext, snapshot: Any, store: BaseStore | None
) -> str | None:
    """The failed turn answered a proposal, and the graph went past it to the end (outcome
    told, case reset) before the failure: what the platform holds under that proposal's key.
    None when nothing is (a "no", a question) or the turn answered no proposal."""
    answered = ctx.request.pending
    if not answered or any(
        isinstance(i.value, dict) and i.value.get("proposal_id") == answered.get("proposal_id")
        for i in snapshot.interrupts
    ):
        return None  # still waiting on it: this turn's answer was never taken
    try:
        proposal = Proposal.model_validate(
            {k: answered[k] for k in Proposal.model_fields if k in answered}
        )
    except ValidationError:
        return None
    pending = _pending(ctx, proposal, None, declined_email(dict(snapshot.values or {})))
    if store is not None and any(
        key == pending.idempotency_key for _, key, _ in await unknown_of(store, ctx.thread_id)
    ):
        return replies.still_processing_text(proposal.action, proposal.order_id)
    found = await ctx.tool("get_write_by_key", {"idempotency_key": pending.idempotency_key})
    if getattr(found, "code", None) == ErrorCode.WRITE_NOT_FOUND.value:
        return None
    if not isinstance(found, ToolSuccess):  # unreadable: followed until the platform answers
        if store is not None:
            await remember_unknown(store, ctx.thread_id, pending)
        return replies.still_processing_text(proposal.action, proposal.order_id)
    verified = await look_up(ctx.tool, pending)
    return replies.after_failure_text(verified) if known(verified) else None
