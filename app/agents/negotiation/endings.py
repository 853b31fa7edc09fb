"""How a turn ends: an answer rendered from verified state, or a person with a ticket."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from app.agents.events import ChatEvent
from app.agents.negotiation import replies
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.flow import ctx_of
from app.agents.negotiation.state import (
    CASE_RESET,
    CaseRequest,
    EscalationReason,
    NegotiationState,
    Proposal,
    Verified,
    declined_email,
    record,
)
from app.agents.negotiation.verification import read_back
from app.tools.executor import ToolSuccess


async def respond(state: NegotiationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = ctx_of(runtime)
    say = state.get("say")
    verified = record(state, "verified", Verified)
    if say:
        ctx.say(say)
    elif verified is not None:
        ctx.say(
            replies.outcome_text(
                verified, notified=bool(state.get("notified")), quiet=declined_email(state)
            )
        )
    if state.get("keep_open"):
        return {"say": None, "keep_open": False}
    last = verified.dump() if verified is not None else state.get("last")
    return {**CASE_RESET, "say": None, "keep_open": False, "last": last}


async def recall(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["respond"]]:
    """Nothing is waiting for a yes: say so, with the last outcome as the platform shows it now."""
    ctx = ctx_of(runtime)
    last = record(state, "last", Verified)
    text = replies.NOTHING_PENDING
    if last is not None and last.record_id:
        now = await read_back(
            ctx.tool, last.kind, last.record_id, order_id=last.order_id, currency=last.currency
        )
        if now.status != "unknown":
            text = f"{text} {replies.status_text(now)}"
    return Command(goto="respond", update={"say": text, "verified": None})


async def escalate(state: NegotiationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """A ticket with the case and the decision trace; an honest reply in every case."""
    ctx = ctx_of(runtime)
    escalation = state.get("escalation") or {}
    reason = EscalationReason(escalation.get("reason", EscalationReason.UNRESOLVED.value))
    case = record(state, "case", CaseRequest)
    verified = record(state, "verified", Verified)
    own = {o.order_id for o in ctx.request.context.active_orders}
    order_id = case.order_id if case is not None and case.order_id in own else None
    trace = [*(state.get("trace") or []), f"escalate: {reason.value} ({escalation.get('note')})"]
    result = await ctx.tool(
        "escalate_to_human",
        {
            "reason": reason.value,
            "summary": _summary(state, reason, case, verified),
            "priority": "high" if reason in _URGENT else "normal",
            "order_id": order_id,
            "decision_trace": [line[:300] for line in trace[-50:]],
        },
        shown={"reason": reason.value},
    )
    ticket_id = result.output.ticket_id if isinstance(result, ToolSuccess) else None  # type: ignore[attr-defined]
    if ticket_id:
        ctx.emit(ChatEvent.escalated(ticket_id, reason.value))
    ctx.say(replies.escalation_text(reason, ticket_id, verified))
    last = verified.dump() if verified is not None else state.get("last")
    return {**CASE_RESET, "say": None, "keep_open": False, "last": last, "trace": [trace[-1]]}


_URGENT = frozenset(
    {
        EscalationReason.HIGH_FRAUD_RISK,
        EscalationReason.WRITE_FAILED,
        EscalationReason.WRITE_NOT_SETTLED,
        EscalationReason.SAFETY,
    }
)


def _summary(
    state: NegotiationState,
    reason: EscalationReason,
    case: CaseRequest | None,
    verified: Verified | None,
) -> str:
    parts = [f"Negotiation escalated: {reason.value}."]
    if case is not None:
        parts.append(
            f"Request: {case.outcome.value if case.outcome else 'unclear'} on "
            f"{case.order_id or 'an unidentified order'}."
        )
    proposal = record(state, "proposal", Proposal)
    if proposal is not None:
        parts.append(
            f"Proposed: {proposal.action.value} {proposal.amount:.2f} {proposal.currency} "
            f"({proposal.reason_code.value})."
        )
    if verified is not None:
        parts.append(f"Platform state: {verified.record_id or 'no record'} {verified.status}.")
    note = (state.get("escalation") or {}).get("note")
    if note and verified is not None and verified.status == "unknown":
        # "outcome unknown, key K": the person can look the write up by its key.
        parts.append(f"Write {note}.")
    parts.append(f"Last customer message: {state.get('message', '')[:500]}")
    return " ".join(parts)
