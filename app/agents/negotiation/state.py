"""What the negotiation graph remembers between turns, and the typed records inside it.

The graph state is a TypedDict of plain JSON values, so every checkpoint saver can store it
and a replica that never saw the conversation can resume it. Each record is a pydantic model
at the boundary: nodes validate what they read (`Proposal.of(state)`) and dump what they
write, so a malformed checkpoint fails loudly instead of reaching a write.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from app.language.contact_preferences import EMAIL, declined_channels
from app.language.items import ItemPick
from app.platform.contract import FraudBand, ReasonCode, ReturnWindow, ShipmentStatus

# A customer message that does not resolve the case counts as a turn; at this many the case
# goes to a person instead of another question (the design's "max 5 turns").
MAX_TURNS = 5
TRACE_KEEP = 50
_RESET = "\x00reset"


class Outcome(StrEnum):
    """What the customer wants, in the terms the rules decide on."""

    DISPUTE = "dispute"  # not received / lost / late
    WRONG_ITEM = "wrong_item"
    REFUND = "refund"  # money back, no reason given yet
    RETURN = "return"


class Action(StrEnum):
    REFUND = "refund"
    RETURN = "return"


class EscalationReason(StrEnum):
    # The values of app.tools.definitions.EscalationReason this graph uses.
    CUSTOMER_REQUEST = "customer_request"
    HIGH_FRAUD_RISK = "high_fraud_risk"
    POLICY_UNDECIDABLE = "policy_undecidable"
    WRITE_FAILED = "write_failed"
    WRITE_NOT_SETTLED = "write_not_settled"
    UNRESOLVED = "unresolved"
    SAFETY = "safety"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class CaseRequest(_Record):
    """The customer's request as understood so far; fields fill in over the turns."""

    order_id: str | None = None
    outcome: Outcome | None = None
    amount: float | None = Field(default=None, gt=0)
    skus: list[str] = Field(default_factory=list)
    # An id the customer named that is not one of their orders (answered without an oracle).
    unknown_order: str | None = None
    # The order's lines the case is about, by name as the order lists them; empty = not said
    # (which only a whole-parcel dispute or a one-line order may take as "all").
    items: list[ItemPick] = Field(default_factory=list)
    # Why, as read (app.language.reasons.Reason values); a part of the value ("only half").
    reason: str | None = None
    share: float | None = Field(default=None, gt=0, lt=1)


class ShipmentFacts(_Record):
    awb: str
    status: ShipmentStatus
    carrier: str
    delivered_at: str | None = None
    signed_by: str | None = None


class ItemFacts(_Record):
    sku: str
    name: str
    unit_price: float
    quantity: int


class PolicyStatement(_Record):
    """One sentence or table row of the KB that names a policy code, and every "N days" in it."""

    chunk_id: str
    source_doc: str
    section: str
    text: str = Field(max_length=600)
    days: list[int] = Field(default_factory=list)


class WrittenPolicy(_Record):
    """What the policy knowledge base says about one of the platform's policy codes: every
    retrieved statement naming it, best-ranked first (the first is the one cited)."""

    policy_code: str
    statements: list[PolicyStatement] = Field(min_length=1, max_length=20)

    @property
    def cited(self) -> PolicyStatement:
        return self.statements[0]


class RefundFacts(_Record):
    """A refund already on the order (pending and rejected ones too)."""

    refund_id: str
    amount: float
    status: str
    reason_code: ReasonCode


class ProposalItem(_Record):
    sku: str
    quantity: int = Field(ge=1)


class ReturnFacts(_Record):
    """A return already on the order (rejected ones too)."""

    return_id: str
    status: str
    items: list[ProposalItem]


class OrderFacts(_Record):
    """get_order_details (and, for returns, get_return_window and the written policy for each
    window's code from search_policy_kb) as read this case."""

    order_id: str
    currency: str
    total: float
    refunded: float
    refundable: float
    items: list[ItemFacts]
    shipments: list[ShipmentFacts]
    windows: dict[str, ReturnWindow] = Field(default_factory=dict)
    policies: dict[str, WrittenPolicy] = Field(default_factory=dict)  # by policy code
    # The order's refunds so far, pending ones included: a proposal never repeats one.
    refunds: list[RefundFacts] = Field(default_factory=list)
    # For a return: the order's returns so far; the platform counts all but rejected ones.
    returns: list[ReturnFacts] = Field(default_factory=list)

    @property
    def standing_refunds(self) -> list[RefundFacts]:
        return [r for r in self.refunds if r.status in ("approved", "pending")]

    @property
    def standing_returns(self) -> list[ReturnFacts]:
        return [r for r in self.returns if r.status != "rejected"]

    def returned_quantity(self, sku: str) -> int:
        """How many of a line standing returns already cover (the platform's own count)."""
        return sum(i.quantity for r in self.standing_returns for i in r.items if i.sku == sku)


class FraudCheck(_Record):
    order_id: str
    score: float
    band: FraudBand


class Proposal(_Record):
    """Exactly what a "yes" would write; the interrupt's payload."""

    proposal_id: str
    action: Action
    order_id: str
    amount: float = Field(gt=0)
    currency: str
    reason_code: ReasonCode
    items: list[ProposalItem] = Field(default_factory=list)
    # A refund on part of an order: the lines its amount is for, as the customer is told ("This
    # is for 2 x Lunch Bag, nothing else"). The platform refunds an amount; the consent reader
    # needs the lines, so "yes, just the lunch bags" restates the terms instead of changing them.
    for_lines: list[ProposalItem] = Field(default_factory=list)
    message: str = ""

    def same_terms(self, other: Proposal) -> bool:
        return self.model_dump(exclude={"message"}) == other.model_dump(exclude={"message"})

    def write_arguments(self) -> tuple[str, dict[str, Any]]:
        if self.action is Action.REFUND:
            return "initiate_refund", {
                "order_id": self.order_id,
                "amount": self.amount,
                "reason_code": self.reason_code.value,
            }
        return "initiate_return", {
            "order_id": self.order_id,
            "items": [item.dump() for item in self.items],
            "reason_code": self.reason_code.value,
        }


class WriteRecord(_Record):
    """The write tool's answer, before verification."""

    proposal_id: str
    ok: bool
    record_id: str | None = None
    status: str | None = None
    code: str | None = None
    message: str | None = None
    outcome_unknown: bool = False
    # The key the write was sent with, and when its last request left (epoch seconds): the
    # platform may commit it until then plus its write deadline.
    idempotency_key: str | None = None
    sent_at: float | None = None


class Verified(_Record):
    """Platform state read back after the write: the only source of what the customer hears."""

    kind: Action
    # approved / pending / rejected (refunds), approved / received / rejected (returns);
    # "not_written" when a read shows nothing was written, "unknown" when nothing could tell.
    status: str
    order_id: str
    record_id: str | None = None
    amount: float | None = None
    currency: str = "USD"
    reason_code: ReasonCode | None = None
    decision_reason: str | None = None
    label_ref: str | None = None
    code: str | None = None


class Watch(_Record):
    """A refund accepted as pending: checked again until it settles."""

    refund_id: str
    order_id: str
    amount: float
    currency: str
    client_id: str
    customer_id: str
    session_id: str
    # The customer asked not to be emailed: the settlement is told in chat, not by email.
    quiet: bool = False


class UnknownWrite(_Record):
    """A confirmed write whose outcome the platform has not told yet: looked up by its key
    until it does (a record, or nothing once the write deadline has passed)."""

    idempotency_key: str
    proposal: Proposal
    sent_at: float
    deadline_s: float
    client_id: str
    customer_id: str
    session_id: str
    # Written ahead of the write (epoch seconds): the turn making it answers until then; the
    # resolver takes over only if that turn died (a crash, a lost replica). 0: at once.
    resolve_after: float = 0.0
    # The customer asked not to be emailed (see Watch.quiet).
    quiet: bool = False


def trace_reducer(old: list[str] | None, new: list[str] | None) -> list[str]:
    """Append to the decision trace, keeping the newest entries; `reset_trace()` starts over."""
    if not new:
        return list(old or [])
    if new[0] == _RESET:
        return list(new[1:])[-TRACE_KEEP:]
    return [*(old or []), *new][-TRACE_KEEP:]


def reset_trace(*entries: str) -> list[str]:
    return [_RESET, *entries]


class NegotiationState(TypedDict, total=False):
    # The customer's newest message (scrubbed) and the router's intent for it.
    message: str
    intent: str
    # The open case; None between cases.
    case: dict[str, Any] | None
    turns: int
    # A redirect from the confirmation step: the message was already counted as a turn.
    counted: bool
    facts: dict[str, Any] | None
    fraud: dict[str, Any] | None
    proposal: dict[str, Any] | None
    # Set only by the confirmation node, only on an unambiguous yes to `proposal`.
    confirmed: dict[str, Any] | None
    write: dict[str, Any] | None
    verified: dict[str, Any] | None
    notified: bool | None
    escalation: dict[str, Any] | None
    # What to tell the customer when the turn ends without a write to report, and whether
    # the case stays open for the answer to a question.
    say: str | None
    keep_open: bool
    # The last closed case's verified outcome, for "yes" after it is done.
    last: dict[str, Any] | None
    watch: dict[str, Any] | None
    # The turn began with a settlement update (which answers "any news?" by itself).
    settled_now: bool
    # Channels the customer asked us not to use in this conversation ("no emails please"):
    # kept across cases, never reset with one.
    declined_channels: list[str] | None
    trace: Annotated[list[str], trace_reducer]


def declined_email(values: NegotiationState | dict[str, Any]) -> bool:
    """The customer asked, in this conversation, not to be emailed."""
    return EMAIL in (values.get("declined_channels") or ())


def with_declined(values: NegotiationState, text: str) -> list[str] | None:
    """The conversation's declined channels with any the text declines added; None when none."""
    declined = set(values.get("declined_channels") or ()) | declined_channels(text)
    return sorted(declined) or None


def record(state: NegotiationState, key: str, model: type[Any]) -> Any:
    """The state's record under `key`, validated; None when absent."""
    value = state.get(key)  # type: ignore[misc]
    return None if value is None else model.model_validate(value)


CASE_RESET: dict[str, Any] = {
    "case": None,
    "turns": 0,
    "counted": False,
    "facts": None,
    "fraud": None,
    "proposal": None,
    "confirmed": None,
    "write": None,
    "verified": None,
    "notified": None,
    "escalation": None,
}
