"""Writes whose outcome is unknown: resolved by the platform, never guessed.

A write that timed out, hung, or lost its answer may still commit on the platform until the
platform's write deadline after the last request sent with its key (contract.WRITE_DEADLINE_S).
So "nothing new on the order yet" says nothing. The outcome is known only when:
- a lookup by the write's idempotency key finds what it created (then that record is read), or
- the lookup finds nothing after the deadline has passed (then, and only then, not written).
Until then the status stays "unknown": the customer hears the request is being processed.
"""

from __future__ import annotations

import asyncio
import time

from app.agents.negotiation.state import UnknownWrite, Verified
from app.agents.negotiation.verification import Run, read_back
from app.platform.contract import ErrorCode
from app.tools.executor import ToolSuccess

# Clock skew between this replica and the platform, on top of the deadline.
MARGIN_S = 1.0


def final_after(pending: UnknownWrite) -> float:
    """Epoch seconds after which a lookup that finds nothing means nothing was written."""
    return pending.sent_at + pending.deadline_s + MARGIN_S


def _unknown(pending: UnknownWrite) -> Verified:
    proposal = pending.proposal
    return Verified(
        kind=proposal.action,
        status="unknown",
        order_id=proposal.order_id,
        amount=proposal.amount,
        currency=proposal.currency,
    )


async def look_up(run: Run, pending: UnknownWrite) -> Verified:
    """One lookup by key: the record as the platform shows it, "not_written" (final), or
    "unknown" (not committed yet, or the platform could not be read)."""
    proposal = pending.proposal
    found = await run("get_write_by_key", {"idempotency_key": pending.idempotency_key})
    if isinstance(found, ToolSuccess):
        record_id = str(found.output.record_id)  # type: ignore[attr-defined]
        return await read_back(
            run, proposal.action, record_id, order_id=proposal.order_id, currency=proposal.currency
        )
    nothing = getattr(found, "code", None) == ErrorCode.WRITE_NOT_FOUND.value
    if nothing and time.time() >= final_after(pending):
        return _unknown(pending).model_copy(update={"status": "not_written"})
    return _unknown(pending)


def known(verified: Verified) -> bool:
    return verified.status != "unknown"


async def resolve(run: Run, pending: UnknownWrite, *, budget_s: float, poll_s: float) -> Verified:
    """Look up with backoff until the platform answers or `budget_s` is spent."""
    give_up = time.monotonic() + budget_s
    delay = poll_s
    while True:
        verified = await look_up(run, pending)
        left = give_up - time.monotonic()
        if known(verified) or left <= 0:
            return verified
        # No sooner than needed: before the deadline only a found record can end the wait.
        until_final = max(0.0, final_after(pending) - time.time())
        await asyncio.sleep(max(0.01, min(delay, left, until_final or delay)))
        delay = min(delay * 2, 2.0)
