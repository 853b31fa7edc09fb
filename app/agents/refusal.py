"""Out-of-scope messages get a polite, fixed refusal: no model, no tools."""

from __future__ import annotations

from app.agents.base import FixedReplyAgent

REFUSAL = (
    "I can help with tracking your orders, return and refund policies, and returns, refunds "
    "or delivery problems. I'm not able to help with that one, but feel free to ask about an "
    "order."
)


class RefusalAgent(FixedReplyAgent):
    reply = REFUSAL
