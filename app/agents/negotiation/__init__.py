"""The Negotiation agent: refunds, returns and delivery disputes as a LangGraph state machine.

understand → facts → fraud → decide → confirm (interrupt) → write → verify → notify → respond,
with escalation to a person from every step. See graph.py for the shape and the invariants.
"""

from app.agents.negotiation.agent import NegotiationAgent
from app.agents.negotiation.checkpoints import NegotiationSettings

__all__ = ["NegotiationAgent", "NegotiationSettings"]
