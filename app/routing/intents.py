"""The closed set of customer intents, and which worker (route) handles each one."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    ORDER_STATUS = "order_status"
    ETA = "eta"
    DELIVERY_PHOTO = "delivery_photo"
    RETURN_POLICY = "return_policy"
    REFUND_POLICY = "refund_policy"
    INITIATE_RETURN = "initiate_return"
    REFUND_REQUEST = "refund_request"
    DELIVERY_DISPUTE = "delivery_dispute"
    HUMAN_AGENT = "human_agent"
    OUT_OF_SCOPE = "out_of_scope"


class Route(StrEnum):
    TRACKING = "tracking"
    POLICY = "policy"
    NEGOTIATION = "negotiation"
    ESCALATION = "escalation"
    REFUSAL = "refusal"
    # Not an intent's route: where a message goes when the router is unsure what it is about
    # (one clarifying question, then the best guess).
    CLARIFY = "clarify"


_ROUTES: dict[Intent, Route] = {
    Intent.ORDER_STATUS: Route.TRACKING,
    Intent.ETA: Route.TRACKING,
    Intent.DELIVERY_PHOTO: Route.TRACKING,
    Intent.RETURN_POLICY: Route.POLICY,
    Intent.REFUND_POLICY: Route.POLICY,
    Intent.INITIATE_RETURN: Route.NEGOTIATION,
    Intent.REFUND_REQUEST: Route.NEGOTIATION,
    Intent.DELIVERY_DISPUTE: Route.NEGOTIATION,
    Intent.HUMAN_AGENT: Route.ESCALATION,
    Intent.OUT_OF_SCOPE: Route.REFUSAL,
}

# Labels a caller may see, in a stable order (the LLM fallback's constrained choice list).
INTENT_LABELS: tuple[str, ...] = tuple(i.value for i in Intent)


def route_for(intent: Intent) -> Route:
    return _ROUTES[intent]
