"""A message the router could not place gets one clarifying question: no model, no tools.

The question names what the agent can do, so the answer usually routes cleanly; the router asks
at most once in a row (`RoutingContext.asked_to_clarify`), then goes with its best guess.
"""

from __future__ import annotations

from app.agents.base import FixedReplyAgent

CLARIFYING_QUESTION = (
    "I want to make sure I help with the right thing. Is this about where an order is or when "
    "it will arrive, a return or refund (or the policy on them), a delivery problem, or "
    "would you like a person from the team?"
)


class ClarifyAgent(FixedReplyAgent):
    reply = CLARIFYING_QUESTION
