"""The start of a turn: a pending refund that settled, then what the customer asks for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from app.agents.events import ChatEvent
from app.agents.negotiation import replies
from app.agents.negotiation.confirmation import bare_reply
from app.agents.negotiation.context import TIER, TurnContext
from app.agents.negotiation.flow import ask, ctx_of, escalate_to
from app.agents.negotiation.language import asks_for_person, read_mentions
from app.agents.negotiation.settlement import (
    WATCH_NAMESPACE,
    Resolved,
    check,
    follow_unknown,
    forget,
    remember,
    told_later_of,
    unknown_of,
    watches_of,
)
from app.agents.negotiation.state import (
    CASE_RESET,
    CaseRequest,
    EscalationReason,
    NegotiationState,
    Watch,
    record,
    reset_trace,
    with_declined,
)
from app.agents.negotiation.understanding import (
    asks_status,
    candidates,
    case_from,
    implied_order,
    items_unresolved,
    model_reading,
    outcome_from,
)
from app.language.case import CaseReading, disputes_delivery, items_of, read_case
from app.language.items import ItemPick
from app.language.reasons import Ask, case_heads
from app.llm.client import Completion
from app.platform.contract import OrderSummary
from app.routing.embeddings import shared_encoder


def _names_something(message: str) -> bool:
    mentions = read_mentions(message)
    return bool(mentions.order_ids or mentions.awbs or mentions.amounts)


def _no_request(reading: CaseReading) -> bool:
    return outcome_from(reading) is None and reading.order_id is None


def _changes_terms(
    reading: CaseReading, open_case: CaseRequest | None, orders: Sequence[OrderSummary] = ()
) -> bool:
    """A reply that names items or an amount changes the open case, whatever else it says;
    so does naming one of their orders in answer to "which order?"."""
    if open_case is not None and (reading.order_id or reading.unknown_order):
        return True
    said = reading.item_reading
    order = next((o for o in orders if open_case and o.order_id == open_case.order_id), None)
    if order is not None and not said.names_items:
        # "both please" in answer to "which items?": read against the open case's order.
        said = items_of(reading.text, order, orders)
    return bool(said.names_items or reading.amount or reading.share) and not said.unresolved


def _earlier_texts(ctx: TurnContext) -> list[str]:
    return [str(t.get("text", "")) for t in reversed(ctx.request.history[-6:])]


# ---------------------------------------------------------------- settle (turn start)


async def settle(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["understand"]]:
    """Refunds this conversation left pending, and writes whose outcome was unknown: whatever
    the platform has decided since is acted on and told to the customer first."""
    ctx = ctx_of(runtime)
    store = runtime.store
    update: dict[str, Any] = {}
    for namespace, key, verified, ticket_id in (
        await told_later_of(store, ctx.thread_id) if store else []
    ):
        ctx.say(replies.resolved_text(verified, ticket_id) + " ")
        await forget(store, namespace, key)  # type: ignore[arg-type]
        update.update({"last": verified.dump(), "settled_now": True})
    for namespace, key, pending in await unknown_of(store, ctx.thread_id) if store else []:
        resolved = await follow_unknown(ctx.tool, pending)
        if resolved is None:
            continue
        await forget(store, namespace, key)  # type: ignore[arg-type]
        if ctx.deps.write_leases is not None:  # answered: the order is free again
            await ctx.deps.write_leases.release(
                pending.client_id, pending.proposal.order_id, pending.idempotency_key
            )
        if resolved.watch is not None:
            await remember(store, ctx.thread_id, resolved.watch)  # type: ignore[arg-type]
        _tell(ctx, replies.resolved_text(resolved.verified, resolved.ticket_id), resolved)
        ctx.note(f"resolved: {pending.idempotency_key} {resolved.verified.status}")
        update.update({"last": resolved.verified.dump(), "settled_now": True})
    watches = await watches_of(store, ctx.thread_id) if store else []
    own = record(state, "watch", Watch)
    if own is not None and all(w.refund_id != own.refund_id for _, _, w in watches):
        watches.append((WATCH_NAMESPACE, ctx.thread_id, own))  # a store-less run
    for namespace, key, watch in watches:
        settled = await check(ctx.tool, watch)
        if settled is None:
            continue
        if store is not None:
            await forget(store, namespace, key)
        if settled.ticket_id:
            ctx.emit(ChatEvent.escalated(settled.ticket_id, EscalationReason.WRITE_FAILED.value))
        ctx.say(replies.settled_text(settled.verified, settled.ticket_id) + " ")
        ctx.note(f"settled: {watch.refund_id} {settled.verified.status}")
        update.update({"last": settled.verified.dump(), "settled_now": True})
        if own is not None and own.refund_id == watch.refund_id:
            update["watch"] = None
    return Command(goto="understand", update=update)


def _tell(ctx: TurnContext, text: str, resolved: Resolved) -> None:
    if resolved.ticket_id:
        ctx.emit(ChatEvent.escalated(resolved.ticket_id, EscalationReason.WRITE_FAILED.value))
    ctx.say(text + " ")


# ---------------------------------------------------------------- understand


async def understand(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["facts", "recall", "respond", "escalate"]]:
    ctx = ctx_of(runtime)
    message = state.get("message", "")
    open_case = record(state, "case", CaseRequest)
    turns = int(state.get("turns") or 0) if open_case else 0
    if not state.get("counted"):
        turns += 1
    fresh: dict[str, Any] = {} if open_case else {**CASE_RESET, "trace": reset_trace()}
    update: dict[str, Any] = {
        **fresh,
        "counted": False,
        "settled_now": False,
        "declined_channels": with_declined(state, message),
    }
    if asks_for_person(message):
        return escalate_to(EscalationReason.CUSTOMER_REQUEST, "customer asked for a person", update)
    orders = ctx.request.context.active_orders
    reading = read_case(message, orders, case_heads(), shared_encoder())
    if open_case is None and not _names_something(message):
        no_request = bare_reply(message) or asks_status(message) or _no_request(reading)
        if state.get("settled_now") and no_request:
            # The settlement update just given is the answer to "any news?".
            return Command(goto="respond", update=update)
        if bare_reply(message) or asks_status(message) or (state.get("last") and no_request):
            # "yes" again after the case closed, or "any news?": nothing to negotiate.
            return Command(goto="recall", update=update)
    # A bare "yes"/"ok" to a question of ours is not a new request, but it does not end the
    # case either: it is asked again below.
    keeps_case = open_case is not None and bare_reply(message)
    if reading.addressed_to_system or (
        reading.not_a_request and not _changes_terms(reading, open_case, orders) and not keeps_case
    ):
        # An address change, a question, "don't set anything up", text aimed at the system:
        # no case, and an open one is closed without a write.
        ctx.note("understand: not a request for an outcome")
        return Command(
            goto="respond",
            update={**update, **CASE_RESET, "say": replies.NOT_A_REQUEST, "keep_open": False},
        )
    implied = None
    if reading.order_id is None and reading.unknown_order is None:
        if open_case is None or open_case.order_id is None:
            implied = implied_order(message, orders, outcome_from(reading), _earlier_texts(ctx))
            if open_case is None:
                # "where is ORD-…" answered "delivered", then "not here. refund".
                earlier = next((o for o in orders if o.order_id == implied), None)
                reading = disputes_delivery(reading, earlier)
    case = case_from(reading, open_case, orders, implied)
    update["case"] = case.dump()
    if not orders:
        return escalate_to(
            EscalationReason.POLICY_UNDECIDABLE, "no recent orders on the account", update
        )
    gaps = case.order_id is None or case.outcome is None
    if not case.unknown_order and (gaps or items_unresolved(message, case, orders, reading)):
        case = await _model_fill(ctx, message, case)
        update["case"] = case.dump()
    if case.unknown_order:
        shown = candidates(orders, case.outcome)
        return ask(replies.which_order(shown, case.unknown_order), turns, update)
    if case.order_id is None:
        return ask(replies.which_order(candidates(orders, case.outcome)), turns, update)
    if case.outcome is None:
        if reading.ask is Ask.REPLACEMENT:
            return ask(replies.no_replacement(case.order_id), turns, update)
        return ask(replies.which_outcome(case.order_id), turns, update)
    unresolved = items_unresolved(message, case, orders, reading)
    if unresolved is not None:
        return ask(replies.which_items(unresolved, case.outcome), turns, update)
    ctx.note(f"request: {case.outcome.value} on {case.order_id}")
    return Command(
        goto="facts",
        update={
            **update,
            "turns": turns,
            "trace": [f"request: {case.outcome.value} {case.order_id}"],
        },
    )


async def _model_fill(ctx: TurnContext, message: str, case: CaseRequest) -> CaseRequest:
    """Let the model fill the order or outcome the words left open (narrowed to own orders)."""
    models = ctx.deps.models
    if models is None or ctx.prompt is None:
        return case
    orders = ctx.request.context.active_orders
    reading, completion = await model_reading(models.negotiation, ctx.prompt.text, message, orders)
    if completion is not None:
        _usage(ctx, completion)
    if reading is None:
        return case
    plausible = {o.order_id for o in candidates(orders, case.outcome or reading.outcome)}
    order_id = case.order_id or (reading.order_id if reading.order_id in plausible else None)
    items = list(case.items)
    order = next((o for o in orders if o.order_id == order_id), None)
    if not items and order is not None and reading.items:
        # Only lines of the order the case is about; anything else is dropped, not trusted.
        lines = set(order.item_names)
        items = [ItemPick(name=n) for n in dict.fromkeys(reading.items) if n in lines]
    return case.model_copy(
        update={
            "order_id": order_id,
            "outcome": case.outcome or reading.outcome,
            "items": items,
            "reason": case.reason or (reading.reason.value if reading.reason else None),
        }
    )


def _usage(ctx: TurnContext, completion: Completion) -> None:
    assert ctx.prompt is not None
    ctx.emit(
        ChatEvent.usage(
            TIER.value,
            ctx.prompt.ref,
            completion.endpoint,
            prompt_tokens=completion.usage.prompt_tokens,
            cached_prompt_tokens=completion.usage.cached_prompt_tokens,
            completion_tokens=completion.usage.completion_tokens,
        )
    )
