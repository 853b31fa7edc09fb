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

from app.agents.negotiation import replies
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.resolution import known, look_up
from app.agents.negotiation.settlement import keep_lease, remember, remember_unknown, watch_of
from app.agents.negotiation.state import Action, Proposal, UnknownWrite, WriteRecord

# The nodes between a "yes" and its answer: a checkpoint stopped before one of them is a write
# that may have started.
WRITING = frozenset({"write", "verify", "notify"})


def mid_write(snapshot: Any) -> bool:
    """The checkpoint stopped between a "yes" and its answer (the next step, or a step whose
    results were saved but not yet applied, is a writing one)."""
    steps = set(snapshot.next) | {task.name for task in snapshot.tasks}
    return bool(steps & WRITING)


def _write_may_have_started(snapshot: Any, values: dict[str, Any]) -> bool:
    if mid_write(snapshot):
        return True
    proposal, confirmed = values.get("proposal"), values.get("confirmed")
    return bool(
        proposal
        and confirmed
        and confirmed.get("proposal_id") == proposal.get("proposal_id")
        and not values.get("verified")
    )


def pending_write(ctx: TurnContext, values: dict[str, Any]) -> UnknownWrite:
    proposal = Proposal.model_validate(values["proposal"])
    written = WriteRecord.model_validate(values["write"]) if values.get("write") else None
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
    )


async def read_after_failure(
    ctx: TurnContext, snapshot: Any, store: BaseStore | None
) -> str | None:
    values: dict[str, Any] = dict(snapshot.values or {})
    if not _write_may_have_started(snapshot, values):
        return None
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
